import type { RandomSource } from '@kinesis-ts/core';
import { describeError, type Logger, SILENT_LOGGER } from '@kinesis-ts/core';
import { mapWithConcurrency } from '../util/map-with-concurrency.js';
import { RepeatingTimer } from '../util/repeating-timer.js';
import { sharedAbortController } from '../util/signals.js';
import { isLeaseFinished, type Lease } from './lease.js';
import { LeaseExpiryTracker } from './lease-expiry-tracker.js';
import { type LeaseLossReason, LeaseRenewer } from './lease-renewer.js';
import type { LeaseStore } from './lease-store.js';
import { type LeaseTakingPlan, planLeaseTaking } from './lease-taking-plan.js';

/** How a lease came to this worker. */
export interface LeaseAcquisition {
  readonly lease: Lease;
  /** The concurrency token of this acquisition: checkpoints must present it. */
  readonly token: string;
  /** The owner before this worker took it (`undefined`: unowned). */
  readonly previousOwner: string | undefined;
  /** Taken from a live worker to balance the load (not expired, not unowned). */
  readonly stolen: boolean;
}

/** Options of {@link LeaseCoordinator}. */
export interface LeaseCoordinatorOptions {
  readonly store: LeaseStore;
  readonly workerId: string;
  readonly failoverTimeMs: number;
  readonly renewalIntervalMs: number;
  readonly takerIntervalMs: number;
  readonly maxLeasesForWorker: number;
  readonly maxLeasesToStealAtOneTime: number;
  readonly enablePriorityLeaseAssignment: boolean;
  readonly now: () => number;
  readonly random: RandomSource;
  readonly logger?: Logger;
  readonly onLeaseTaken: (acquisition: LeaseAcquisition) => void;
  readonly onLeaseLost: (lease: Lease, reason: LeaseLossReason, token: string) => void;
  readonly onLeaseWritten?: (lease: Lease, writeStartedAtMs: number) => void;
  readonly onError?: (operation: 'list-leases' | 'take-lease' | 'renew-lease', error: unknown) => void;
  /** Called with every scan of the table (all leases, finished ones included), before taking. */
  readonly onScan?: (leases: readonly Lease[], scannedAtMs: number) => void;
  /**
   * Which unfinished leases of the table this worker may take. @defaultValue single-stream keys
   * only (a multi-stream application passes the keys of the streams it tracks)
   */
  readonly isWorkable?: (lease: Lease) => boolean;
}

/** What the last taker run saw, for metrics. */
export interface LeaseTableView {
  /** Leases in the table that can be worked on (SHARD_END ones excluded). */
  readonly totalLeases: number;
  /** Finished (SHARD_END) leases still in the table. */
  readonly finishedLeases: number;
  readonly plan: LeaseTakingPlan | undefined;
  readonly scannedAtMs: number | undefined;
}

const MAX_CONCURRENT_TAKES = 10;

/**
 * The KCL 2.x lease protocol for one worker: a renewer on its own timer (every `renewalIntervalMs`)
 * and a taker on another (every `takerIntervalMs`) that scans the table, detects expiry by watching
 * counters, and takes or steals leases according to {@link planLeaseTaking}. No coordinator of its
 * own: every worker runs this, and DynamoDB's conditional writes settle every race.
 */
export class LeaseCoordinator {
  readonly renewer: LeaseRenewer;
  private readonly tracker = new LeaseExpiryTracker();
  private readonly options: LeaseCoordinatorOptions;
  private readonly logger: Logger;
  private readonly renewalTimer: RepeatingTimer;
  private readonly takerTimer: RepeatingTimer;
  private takerRun: Promise<void> | undefined;
  /** Aborted by {@link stopTaking}: a scan in flight stops, and no further take starts. */
  private readonly takerStop = sharedAbortController();
  private view: LeaseTableView = {
    totalLeases: 0,
    finishedLeases: 0,
    plan: undefined,
    scannedAtMs: undefined,
  };

  constructor(options: LeaseCoordinatorOptions) {
    this.options = options;
    this.logger = options.logger ?? SILENT_LOGGER;
    this.renewer = new LeaseRenewer({
      table: options.store,
      workerId: options.workerId,
      failoverTimeMs: options.failoverTimeMs,
      renewalIntervalMs: options.renewalIntervalMs,
      maxConcurrentRenewals: 20,
      now: options.now,
      random: options.random,
      logger: this.logger,
      onLeaseLost: options.onLeaseLost,
      onLeaseWritten: (lease, startedAt) => {
        this.tracker.recordWrite(lease, startedAt);
        options.onLeaseWritten?.(lease, startedAt);
      },
      onRenewalError: (_lease, error) => options.onError?.('renew-lease', error),
    });
    this.renewalTimer = new RepeatingTimer(options.renewalIntervalMs, 'fixed-rate', () =>
      this.renewer.renewAll(),
    );
    this.takerTimer = new RepeatingTimer(options.takerIntervalMs, 'fixed-delay', () => this.runTaker());
  }

  /** What the last taker run saw. */
  tableView(): LeaseTableView {
    return this.view;
  }

  /** Starts the renewal timer. */
  startRenewing(): void {
    this.renewalTimer.start();
  }

  /** Starts the taker timer (its first run after one interval; call {@link runTaker} for one now). */
  startTaking(): void {
    this.takerTimer.start();
  }

  /**
   * Stops taking leases: a scan in flight is aborted and no further take starts; resolves once the
   * takes already sent have ended (each within the store's request timeout), so that the consumer
   * learns of every lease it took and can release it.
   */
  async stopTaking(): Promise<void> {
    this.takerStop.abort(new Error('lease taking stopped'));
    await this.takerTimer.stop();
    await this.takerRun;
  }

  /**
   * Stops renewing, aborting the renewals in flight (held leases then expire for the other workers
   * after the failover time, unless they are released).
   */
  async stopRenewing(): Promise<void> {
    this.renewer.close();
    await this.renewalTimer.stop();
  }

  /** One taker run: scan, update expiry, take what the plan says. Never rejects (errors are reported). */
  runTaker(): Promise<void> {
    this.takerRun ??= this.take().finally(() => {
      this.takerRun = undefined;
    });
    return this.takerRun;
  }

  /**
   * A taker run that starts after now: at once when none is running, else right after the current
   * one (whose scan may predate what the caller just wrote, such as new child leases). Never rejects.
   */
  async runTakerSoon(): Promise<void> {
    while (this.takerRun) await this.takerRun;
    if (!this.takerTimer.isActive()) return;
    await this.runTaker();
  }

  private async take(): Promise<void> {
    const { store, workerId, failoverTimeMs } = this.options;
    const stop = this.takerStop.signal;
    if (stop.aborted) return;
    const scanStartedAt = this.options.now();
    let leases: Lease[];
    try {
      leases = await store.listLeases(stop);
    } catch (error) {
      if (stop.aborted) return;
      this.logger.warn('Scanning the lease table failed', { error: describeError(error) });
      this.options.onError?.('list-leases', error);
      return;
    }
    this.tracker.observe(leases, scanStartedAt);
    try {
      this.options.onScan?.(leases, scanStartedAt);
    } catch (error) {
      this.logger.warn('A scan listener threw', { error: describeError(error) });
    }
    const now = this.options.now();
    // Finished leases are not worked on; a single-stream application leaves multi-stream leases
    // (`account:stream:epoch:shardId`) alone, a multi-stream one takes those of the streams it tracks.
    const isWorkable = this.options.isWorkable ?? ((lease: Lease) => !lease.leaseKey.includes(':'));
    const workable = leases.filter((lease) => !isLeaseFinished(lease) && isWorkable(lease));

    // One cap over everything: what this worker holds, its own rows it takes back (a restart with the
    // same worker id, or leases given up locally when renewals failed), and what it takes or steals.
    const held = this.renewer.holdings();
    const heldKeys = new Set(held.map((h) => h.leaseKey));
    const plan = planLeaseTaking({
      workerId,
      held,
      leases: workable.map((lease) => {
        const heldByMe = heldKeys.has(lease.leaseKey);
        return {
          lease,
          expired: !heldByMe && this.tracker.isExpired(lease, now, failoverTimeMs),
          veryOld: !heldByMe && this.tracker.isVeryOld(lease, now, failoverTimeMs),
        };
      }),
      maxLeasesForWorker: this.options.maxLeasesForWorker,
      maxLeasesToStealAtOneTime: this.options.maxLeasesToStealAtOneTime,
      enablePriorityLeaseAssignment: this.options.enablePriorityLeaseAssignment,
      random: this.options.random,
    });
    this.view = {
      totalLeases: workable.length,
      finishedLeases: leases.filter(isLeaseFinished).length,
      plan,
      scannedAtMs: scanStartedAt,
    };
    if (plan.toShed.length > 0) await this.shed(plan.toShed, held.length);
    const candidates = new Map<string, { lease: Lease; stolen: boolean }>();
    for (const lease of plan.toReclaim) candidates.set(lease.leaseKey, { lease, stolen: false });
    for (const lease of plan.toTake) candidates.set(lease.leaseKey, { lease, stolen: false });
    for (const lease of plan.toSteal) candidates.set(lease.leaseKey, { lease, stolen: true });
    if (candidates.size === 0) return;
    this.logger.debug('Taking leases', {
      take: plan.toTake.map((l) => l.leaseKey),
      steal: plan.toSteal.map((l) => l.leaseKey),
      reclaim: plan.toReclaim.map((l) => l.leaseKey),
      target: plan.target,
      workers: plan.workerCount,
    });
    await mapWithConcurrency([...candidates.values()], MAX_CONCURRENT_TAKES, async ({ lease, stolen }) => {
      if (stop.aborted) return;
      const startedAt = this.options.now();
      let taken: Lease | undefined;
      try {
        taken = await store.takeLease(lease, workerId);
      } catch (error) {
        this.logger.warn('Taking a lease failed', { leaseKey: lease.leaseKey, error: describeError(error) });
        this.options.onError?.('take-lease', error);
        return;
      }
      if (!taken) {
        this.logger.debug('Lease taken by another worker first', { leaseKey: lease.leaseKey });
        return;
      }
      const token = this.renewer.add(taken, startedAt);
      this.tracker.recordWrite(taken, startedAt);
      this.options.onLeaseTaken({
        lease: taken,
        token,
        previousOwner: lease.leaseOwner === workerId ? undefined : lease.leaseOwner,
        stolen,
      });
    });
  }

  /**
   * Gives up held leases over `maxLeasesForWorker` (the plan picks the most recently taken): each is
   * reported lost (`over-max-leases`) so its processing stops, then released so that another worker
   * takes it at its next run. Awaited, so the next taker run sees the rows released.
   */
  private async shed(leaseKeys: readonly string[], heldCount: number): Promise<void> {
    this.logger.warn('This worker holds more leases than maxLeasesForWorker; releasing the excess', {
      held: heldCount,
      maxLeasesForWorker: this.options.maxLeasesForWorker,
      release: leaseKeys,
    });
    await Promise.all(leaseKeys.map((leaseKey) => this.renewer.shed(leaseKey, 'over-max-leases')));
  }
}
