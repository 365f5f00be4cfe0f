/**
 * Who held each shard's lease when, from the workers' `lease:taken` lines. A take is logged just after
 * the conditional write that won it succeeded, so from that moment on the taker is the owner, whatever
 * the previous owner still believes.
 */
import type { LogLine } from './delivery-log.js';

export interface LeaseTake {
  readonly shardId: string;
  readonly workerId: string;
  readonly atMs: number;
  readonly previousOwner: string | undefined;
  readonly stolen: boolean;
}

export class LeaseTimeline {
  private readonly takes = new Map<string, LeaseTake[]>();

  constructor(lines: Iterable<LogLine>) {
    for (const line of lines) {
      if (line.e !== 'lease' || line.kind !== 'taken') continue;
      const list = this.takes.get(line.s) ?? [];
      list.push({
        shardId: line.s,
        workerId: line.w,
        atMs: line.t,
        previousOwner: line.previousOwner,
        stolen: line.stolen ?? false,
      });
      this.takes.set(line.s, list);
    }
    for (const list of this.takes.values()) list.sort((a, b) => a.atMs - b.atMs);
  }

  /** The last take of `shardId` at or before `atMs`, by anyone (or only by `workerId`). */
  lastTake(shardId: string, atMs: number, workerId?: string): LeaseTake | undefined {
    const list = this.takes.get(shardId) ?? [];
    for (let index = list.length - 1; index >= 0; index--) {
      const take = list[index]!;
      if (take.atMs <= atMs && (workerId === undefined || take.workerId === workerId)) return take;
    }
    return undefined;
  }

  /** Every take, in time order. */
  all(): LeaseTake[] {
    return [...this.takes.values()].flat().sort((a, b) => a.atMs - b.atMs);
  }
}
