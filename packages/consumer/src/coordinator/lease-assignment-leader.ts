import { describeError, type Logger, type RandomSource, SILENT_LOGGER } from '@kinesis-ts/core';
import { AssignmentMemory } from '../leases/assignment/assignment-memory.js';
import {
  type AssignmentLease,
  type LeaseAssignment,
  planLeaseAssignment,
} from '../leases/assignment/assignment-plan.js';
import type { LeaseMoveFunction } from '../leases/dynamodb/lease-mover.js';
import { CPU_METRIC, type WorkerMetricsStore } from '../leases/dynamodb/worker-metrics-table.js';
import { isLeaseFinished, type Lease } from '../leases/lease.js';
import { LeaseExpiryTracker } from '../leases/lease-expiry-tracker.js';
import { mapWithConcurrency } from '../util/map-with-concurrency.js';

/** The KCL 3.x tuning of load-aware assignment (`WorkerUtilizationAwareAssignmentConfig` defaults). */
export const LOAD_AWARE_ASSIGNMENT_DEFAULTS = {
  rebalanceThresholdPercent: 10,
  dampeningPercent: 60,
  allowThroughputOvershoot: true,
  varianceBalancingFrequency: 3,
  workerMetricsEmaAlpha: 0.5,
  workerMetricsValuesKept: 10,
  /** Rounds a rebalanced lease stays put (ours: the KCL has no such memory). */
  moveCooldownRounds: 10,
  /** Consecutive failed rounds after which the leader resigns (KCL: 3). */
  failuresBeforeResigning: 3,
} as const;

/** Options of {@link LeaseAssignmentLeader}. */
export interface LeaseAssignmentLeaderOptions {
  readonly listLeases: (signal?: AbortSignal) => Promise<Lease[]>;
  readonly metrics: WorkerMetricsStore;
  /** Gives an unowned or expired lease to a worker (conditional on the scanned counter). */
  readonly assignLease: LeaseMoveFunction;
  /** Moves a live owner's lease to another worker (rebalancing). */
  readonly moveLease: LeaseMoveFunction;
  readonly failoverTimeMs: number;
  readonly maxLeasesForWorker: number;
  /** How often workers write their metrics row, in ms: rows older than 3 periods are of gone workers. */
  readonly workerMetricsReportIntervalMs: number;
  /** Monotonic clock, ms. */
  readonly now: () => number;
  /** Wall clock (epoch ms), to age metrics rows (`lut` is epoch seconds). */
  readonly wallClock: () => number;
  readonly random: RandomSource;
  readonly logger?: Logger;
  /** Called after each round with what was written. */
  readonly onRound?: (result: AssignmentRoundResult) => void;
  readonly onError?: (error: unknown) => void;
  /** Called after `failuresBeforeResigning` consecutive failed rounds. */
  readonly resign: () => Promise<void>;
}

/** What one round did. */
export interface AssignmentRoundResult {
  readonly round: number;
  readonly rebalance: boolean;
  readonly metric: 'cpu' | 'throughput';
  readonly planned: readonly LeaseAssignment[];
  readonly written: readonly LeaseAssignment[];
}

const MAX_CONCURRENT_WRITES = 10;

/**
 * The leader's lease assignment (the KCL 3.x `LeaseAssignmentManager`), one {@link runRound} per
 * assignment interval while this worker leads: scan the leases and the worker metrics rows, detect
 * expiry by watching counters, plan with {@link planLeaseAssignment}, write each decision (assign for
 * unowned/expired leases, move for live ones). Its memory (for hysteresis) starts afresh with each
 * leadership ({@link reset}).
 */
export class LeaseAssignmentLeader {
  private readonly options: LeaseAssignmentLeaderOptions;
  private readonly logger: Logger;
  private memory: AssignmentMemory;
  private tracker = new LeaseExpiryTracker();
  private failures = 0;

  constructor(options: LeaseAssignmentLeaderOptions) {
    this.options = options;
    this.logger = options.logger ?? SILENT_LOGGER;
    this.memory = this.newMemory();
  }

  /** Forgets everything (a new leadership). */
  reset(): void {
    this.memory = this.newMemory();
    this.tracker = new LeaseExpiryTracker();
    this.failures = 0;
  }

  /** One round. Never rejects; three failures in a row resign leadership. */
  async runRound(signal?: AbortSignal): Promise<AssignmentRoundResult | undefined> {
    try {
      const result = await this.round(signal);
      this.failures = 0;
      this.options.onRound?.(result);
      return result;
    } catch (error) {
      if (signal?.aborted) return undefined;
      this.failures += 1;
      this.logger.warn('Lease assignment round failed', {
        error: describeError(error),
        failures: this.failures,
      });
      this.options.onError?.(error);
      if (this.failures >= LOAD_AWARE_ASSIGNMENT_DEFAULTS.failuresBeforeResigning) {
        this.logger.warn('Lease assignment failed repeatedly; giving leadership up');
        this.reset();
        await this.options.resign();
      }
      return undefined;
    }
  }

  private async round(signal?: AbortSignal): Promise<AssignmentRoundResult> {
    const o = this.options;
    const d = LOAD_AWARE_ASSIGNMENT_DEFAULTS;
    const scannedAt = o.now();
    const [leases, rows] = await Promise.all([o.listLeases(signal), o.metrics.listWorkerMetrics(signal)]);
    this.tracker.observe(leases, scannedAt);
    const now = o.now();
    const wall = o.wallClock();
    const workable = leases.filter((l) => !isLeaseFinished(l) && !l.leaseKey.includes(':'));
    const byKey = new Map(workable.map((l) => [l.leaseKey, l]));
    const expired = (l: Lease) => this.tracker.isExpired(l, now, o.failoverTimeMs);
    const staleAfterMs = 3 * o.workerMetricsReportIntervalMs;
    const liveRows = rows.filter((r) => wall - r.lastUpdateMs < staleAfterMs);
    const workerIds = new Set(liveRows.map((r) => r.workerId));
    for (const l of workable) if (l.leaseOwner && !expired(l)) workerIds.add(l.leaseOwner);
    const rowOf = new Map(liveRows.map((r) => [r.workerId, r]));
    const { round, rebalance } = this.memory.nextRound();
    const plannerLeases: AssignmentLease[] = [];
    for (const l of workable) {
      const isExpired = expired(l);
      // A lease in a graceful handoff belongs to the handoff until it expires.
      if (l.checkpointOwner !== undefined && !isExpired) continue;
      plannerLeases.push({
        leaseKey: l.leaseKey,
        owner: l.leaseOwner,
        assignable: l.leaseOwner === undefined || isExpired || !workerIds.has(l.leaseOwner),
        throughputKBps: l.throughputKBps ?? 0,
      });
    }
    const plan = planLeaseAssignment({
      workers: [...workerIds].sort().map((workerId) => {
        const row = rowOf.get(workerId);
        if (!row) return { workerId, cpuPercent: undefined, settled: true };
        // lut is the worker's wall clock; map it onto ours by its age.
        const updatedAtMs = now - Math.max(0, wall - row.lastUpdateMs);
        return {
          workerId,
          ...this.memory.workerLoad(
            workerId,
            row.stats[CPU_METRIC] ?? [],
            updatedAtMs,
            d.workerMetricsEmaAlpha,
          ),
        };
      }),
      leases: plannerLeases,
      maxLeasesForWorker: o.maxLeasesForWorker,
      rebalanceThresholdPercent: d.rebalanceThresholdPercent,
      dampeningPercent: d.dampeningPercent,
      allowThroughputOvershoot: d.allowThroughputOvershoot,
      rebalance,
      round,
      recentMoves: this.memory.recentMoves(),
      moveCooldownRounds: d.moveCooldownRounds,
      random: o.random,
    });
    const written: LeaseAssignment[] = [];
    await mapWithConcurrency([...plan.assignments], MAX_CONCURRENT_WRITES, async (a) => {
      const lease = byKey.get(a.leaseKey);
      if (!lease || signal?.aborted) return;
      const write = a.reason === 'rebalance' ? o.moveLease : o.assignLease;
      try {
        const result = await write(lease, a.to, signal);
        if (result) {
          written.push(a);
          this.tracker.recordWrite(result, o.now());
        }
      } catch (error) {
        this.logger.warn('Assigning a lease failed', {
          leaseKey: a.leaseKey,
          to: a.to,
          error: describeError(error),
        });
        o.onError?.(error);
      }
    });
    this.memory.record(written, now);
    if (plan.assignments.length > 0) {
      this.logger.info('Leases assigned', {
        round,
        metric: plan.metric,
        assignments: written.map((a) => `${a.leaseKey}: ${a.from ?? '-'} -> ${a.to} (${a.reason})`),
        refused: plan.assignments.length - written.length,
      });
    }
    return { round, rebalance, metric: plan.metric, planned: plan.assignments, written };
  }

  private newMemory(): AssignmentMemory {
    return new AssignmentMemory({
      moveCooldownRounds: LOAD_AWARE_ASSIGNMENT_DEFAULTS.moveCooldownRounds,
      varianceBalancingFrequency: LOAD_AWARE_ASSIGNMENT_DEFAULTS.varianceBalancingFrequency,
      reportIntervalMs: this.options.workerMetricsReportIntervalMs,
    });
  }
}
