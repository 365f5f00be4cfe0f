import type { LeaseAssignment, RecentMove } from './assignment-plan.js';
import { movingAverageOf } from './exponential-moving-average.js';

/**
 * What the leader remembers between assignment rounds, for hysteresis: the round count, the leases it
 * moved (and from whom), and when each worker's set of leases last changed (a worker is settled once
 * its metrics are newer than that change). Lost when leadership moves; the next leader starts afresh,
 * with its first rebalance `varianceBalancingFrequency` rounds later.
 */
export class AssignmentMemory {
  private roundCount = 0;
  private readonly moves = new Map<string, RecentMove>();
  private readonly changedAtMs = new Map<string, number>();

  constructor(
    private readonly options: {
      readonly moveCooldownRounds: number;
      readonly varianceBalancingFrequency: number;
      readonly reportIntervalMs: number;
    },
  ) {}

  /** Starts a round; returns its number (from 1) and whether it rebalances. */
  nextRound(): { readonly round: number; readonly rebalance: boolean } {
    this.roundCount += 1;
    for (const [key, move] of this.moves) {
      if (this.roundCount - move.round >= this.options.moveCooldownRounds) this.moves.delete(key);
    }
    return {
      round: this.roundCount,
      rebalance: this.roundCount % this.options.varianceBalancingFrequency === 0,
    };
  }

  recentMoves(): ReadonlyMap<string, RecentMove> {
    return this.moves;
  }

  /**
   * A worker's CPU as the planner should see it, from its reported values (oldest first, one per
   * report period, the last one reported at `updatedAtMs`): the moving average (α) of the values whose
   * periods lie wholly after its last change of leases, and `settled` when there is at least one such
   * value. Before any change every value counts.
   */
  workerLoad(
    workerId: string,
    values: readonly number[],
    updatedAtMs: number | undefined,
    alpha: number,
  ): { readonly cpuPercent: number | undefined; readonly settled: boolean } {
    const changed = this.changedAtMs.get(workerId);
    if (changed === undefined || updatedAtMs === undefined) {
      return { cpuPercent: movingAverageOf(values, alpha), settled: changed === undefined };
    }
    const fresh = Math.min(
      values.length,
      Math.floor((updatedAtMs - changed) / this.options.reportIntervalMs),
    );
    if (fresh <= 0) return { cpuPercent: movingAverageOf(values, alpha), settled: false };
    const cpuPercent = movingAverageOf(values.slice(values.length - fresh), alpha);
    return { cpuPercent, settled: cpuPercent !== undefined };
  }

  /** Records the assignments written in this round, at `nowMs`. */
  record(done: readonly LeaseAssignment[], nowMs: number): void {
    for (const a of done) {
      this.changedAtMs.set(a.to, nowMs);
      if (a.from !== undefined) this.changedAtMs.set(a.from, nowMs);
      if (a.reason === 'rebalance' && a.from !== undefined) {
        this.moves.set(a.leaseKey, { from: a.from, round: this.roundCount });
      }
    }
  }
}
