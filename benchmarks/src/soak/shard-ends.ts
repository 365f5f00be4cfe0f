/**
 * Shard ends that should not have happened: a worker reported a shard read to its end (and
 * checkpointed it at SHARD_END) although no split or merge had closed it yet. Every record written
 * to such a shard afterwards is never delivered.
 */
import type { LogLine } from './delivery-log.js';
import type { ReshardRecord } from './reshard-actions.js';

export interface OpenShardEnd {
  readonly shardId: string;
  readonly workerId: string;
  /** Ms after `origin`. */
  readonly atMs: number;
}

/** Shard ends reported before any split or merge closed the shard; reshard and result times are ms after `origin`. */
export function openShardEnds(
  lines: readonly LogLine[],
  reshards: readonly ReshardRecord[],
  origin: number,
): OpenShardEnd[] {
  const closedAt = new Map<string, number>();
  for (const reshard of reshards) {
    if (!reshard.error) for (const parent of reshard.parents) closedAt.set(parent, reshard.atMs);
  }
  return lines
    .filter((line): line is Extract<LogLine, { e: 'shard-ended' }> => line.e === 'shard-ended')
    .map((line) => ({ shardId: line.s, workerId: line.w, atMs: Math.round(line.t - origin) }))
    .filter((end) => end.atMs < (closedAt.get(end.shardId) ?? Number.POSITIVE_INFINITY));
}
