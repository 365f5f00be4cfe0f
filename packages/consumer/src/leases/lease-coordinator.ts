import type { RandomSource } from '@kinesis-ts/core';
import { describeError, type Logger, SILENT_LOGGER, sleep } from '@kinesis-ts/core';
import { mapWithConcurrency } from '../util/map-with-concurrency.js';
import { RepeatingTimer } from '../util/repeating-timer.js';
import { sharedAbortController } from '../util/signals.js';
import { DEFAULT_GRACEFUL_LEASE_HANDOFF_TIMEOUT_MS, IncomingHandoffs } from './incoming-handoffs.js';
import { isLeaseFinished, type Lease } from './lease.js';
import {
  type DiscoveredLeases,
  discoverAssignedLeases,
  type LeaseDiscoveryStore,
} from './lease-discovery.js';
import { LeaseExpiryTracker } from './lease-expiry-tracker.js';
import { type LeaseLossReason, LeaseRenewer } from './lease-renewer.js';
import type { LeaseStore } from './lease-store.js';
import { type LeaseTakingPlan, planLeaseTaking } from './lease-taking-plan.js';
import type { ThroughputEstimates } from './lease-throughput-meter.js';

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
  /**
   * What the taker may do (load-aware assignment): `'all'` (the KCL 2.x taker, the default),
   * `'no-steal'` (take back, take expired and unowned, never steal: no live leader), `'reclaim-only'`
   * (only take up what the leader assigned to this worker).
   */
  readonly takingMode?: () => 'all' | 'no-steal' | 'reclaim-only';
  /** When given, renewals write each lease's `throughputKBps` from it. */
  readonly throughput?: ThroughputEstimates;
  /**
   * Move leases stolen for balance by a KCL 3.x graceful handoff (the owner checkpoints, then hands
   * over) instead of taking them at once. @defaultValue false
   */
  readonly gracefulLeaseHandoff?: boolean;
  /**
   * How long a lease in a handoff to this worker waits for its old owner before this worker takes it
   * anyway (an old owner that died, a KCL 2.x one that ignores `checkpointOwner`). @defaultValue 30000
   */
  readonly gracefulLeaseHandoffTimeoutMs?: number;
  /** See `LeaseRenewerOptions.onHandoffRequested`. */
  readonly onHandoffRequested?: (lease: Lease, token: string) => void;
  /**
   * Find this worker's leases through the `LeaseOwnerToLeaseKeyIndex` (KCL 3.x) instead of scanning
   * the table: only the leader scans (and takes by count), at most every `leaderScanIntervalMs`; the
   * other runs take what the index says is assigned to this worker. @defaultValue none (every run scans)
   */
  readonly discovery?: LeaseIndexDiscovery;
}

/** Index discovery (see `LeaseCoordinatorOptions.discovery`). */
export interface LeaseIndexDiscovery {
  readonly store: LeaseDiscoveryStore;
  /** Whether this worker is the assignment leader now (the one that scans). */
  readonly isLeader: () => boolean;
  /** The least time between two scans of the leader, in ms (the KCL's lease assignment interval, 2 × failover). */
  readonly leaderScanIntervalMs: number;
  /**
   * Whether no leader seems alive now: then every taker run scans (no `leaderScanIntervalMs` wait),
   * so that expired leases are detected and taken in about a failover time. @defaultValue never
   */
  readonly leaderless?: () => boolean;
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
  private readonly handoffs: IncomingHandoffs;
  private readonly options: LeaseCoordinatorOptions;
  private readonly logger: Logger;
  private readonly renewalTimer: RepeatingTimer;
  private readonly takerTimer: RepeatingTimer;
  private takerRun: Promise<void> | undefined;
  private lastScanAtMs: number | undefined;
  private discovery: LeaseIndexDiscovery | undefined;
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
    this.discovery = options.discovery;
    this.logger = options.logger ?? SILENT_LOGGER;
    this.handoffs = new IncomingHandoffs(
      options.workerId,
      options.gracefulLeaseHandoffTimeoutMs ?? DEFAULT_GRACEFUL_LEASE_HANDOFF_TIMEOUT_MS,
    );
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
      throughput: options.throughput,
      onHandoffRequested: options.onHandoffRequested,
    });
    this.renewalTimer = new RepeatingTimer(options.renewalIntervalMs, 'fixed-rate', () =>
      this.renewer.renewAll(),
    );
    this.takerTimer = new RepeatingTimer(options.takerIntervalMs, 'fixed-delay', () => this.runTaker());
  }

  /**
   * Switches to index discovery from the next taker run on (the index became ACTIVE after start, or
   * start-up found it): see `LeaseCoordinatorOptions.discovery`.
   */
  useIndexDiscovery(discovery: LeaseIndexDiscovery): void {
    this.discovery = discovery;
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
    const discovery = this.discovery;
    if (
      discovery &&
      !(discovery.leaderless?.() ?? false) &&
      !(
        discovery.isLeader() &&
        (this.lastScanAtMs === undefined ||
          scanStartedAt - this.lastScanAtMs >= discovery.leaderScanIntervalMs)
      )
    ) {
      await this.discover(discovery, scanStartedAt);
      return;
    }
    this.lastScanAtMs = scanStartedAt;
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
    this.handoffs.observe(leases, scanStartedAt);
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
    const mode = this.options.takingMode?.() ?? 'all';
    if (mode !== 'reclaim-only') {
      for (const lease of plan.toTake) candidates.set(lease.leaseKey, { lease, stolen: false });
    }
    if (mode === 'all')
      for (const lease of plan.toSteal) candidates.set(lease.leaseKey, { lease, stolen: true });
    // A lease in a handoff is left to its old owner until it hands over, it expires, or the handoff
    // timeout passes (an old owner that died, or a KCL 2.x one that ignores checkpointOwner).
    for (const [leaseKey, { lease }] of candidates) {
      if (!this.handoffs.mayTake(lease, now, this.tracker.isExpired(lease, now, failoverTimeMs))) {
        candidates.delete(leaseKey);
      }
    }
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
      if (stolen && this.options.gracefulLeaseHandoff) {
        await this.startHandoff(lease, startedAt);
        return;
      }
      await this.takeOne(lease, stolen, startedAt);
    });
  }

  /**
   * A taker run without a scan: take the leases the index says are assigned to this worker (up to
   * `maxLeasesForWorker`), and those in a handoff to it once the old owner handed them over or the
   * handoff timeout passed.
   */
  private async discover(discovery: LeaseIndexDiscovery, startedAt: number): Promise<void> {
    const stop = this.takerStop.signal;
    const heldKeys = new Set(this.renewer.holdings().map((h) => h.leaseKey));
    let found: DiscoveredLeases;
    try {
      found = await discoverAssignedLeases({
        store: discovery.store,
        workerId: this.options.workerId,
        heldKeys,
        signal: stop,
      });
    } catch (error) {
      if (stop.aborted) return;
      this.logger.warn('Discovering leases through the index failed', { error: describeError(error) });
      this.options.onError?.('list-leases', error);
      return;
    }
    const now = this.options.now();
    for (const lease of found.pendingHandoffs) this.handoffs.notePending(lease, startedAt);
    const ready = [
      ...found.assigned,
      ...found.pendingHandoffs.filter((lease) => this.handoffs.mayTake(lease, now, false)),
    ].slice(0, Math.max(0, this.options.maxLeasesForWorker - heldKeys.size));
    await mapWithConcurrency(ready, MAX_CONCURRENT_TAKES, async (lease) => {
      // A handoff this worker saw pending (or started) and that is over now: report its old owner.
      const from = this.handoffs.handedOverRow(lease);
      if (!stop.aborted) await this.takeOne(lease, false, this.options.now(), from);
    });
  }

  /** Takes one lease at the counter seen and starts holding it. */
  private async takeOne(
    lease: Lease,
    stolen: boolean,
    startedAt: number,
    handedFrom?: string,
  ): Promise<void> {
    const { store, workerId } = this.options;
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
    const from = this.handoffs.completed(lease.leaseKey) ?? handedFrom;
    this.options.onLeaseTaken({
      lease: taken,
      token,
      previousOwner: from ?? (lease.leaseOwner === workerId ? undefined : lease.leaseOwner),
      stolen: stolen || from !== undefined,
    });
  }

  /**
   * Moves a lease this worker would steal by a graceful handoff: its owner finishes, checkpoints and
   * hands it over; a later taker run takes it once `checkpointOwner` is gone (or the timeout passed).
   */
  private async startHandoff(lease: Lease, startedAt: number): Promise<void> {
    try {
      const moved = await this.options.store.initiateLeaseHandoff(lease, this.options.workerId);
      if (moved) {
        this.handoffs.started(moved, lease.leaseOwner, startedAt);
        this.logger.info('Lease handoff started', { leaseKey: lease.leaseKey, from: lease.leaseOwner });
        void this.watchHandoff(moved, lease.leaseOwner, startedAt);
      }
    } catch (error) {
      this.logger.warn('Starting a lease handoff failed', {
        leaseKey: lease.leaseKey,
        error: describeError(error),
      });
      this.options.onError?.('take-lease', error);
    }
  }

  /**
   * Follows a handoff this worker started with one GetItem per renewal interval (no scan), and takes
   * the lease as soon as its old owner handed it over: the move then costs about one renewal interval
   * plus the old owner's shutdown, not a taker interval more. Gives up (leaving the lease to the
   * taker) when the row moves elsewhere, the handoff timeout passes, or taking stops.
   */
  private async watchHandoff(moved: Lease, from: string | undefined, startedAt: number): Promise<void> {
    const { store, workerId, renewalIntervalMs } = this.options;
    const timeoutMs = this.options.gracefulLeaseHandoffTimeoutMs ?? DEFAULT_GRACEFUL_LEASE_HANDOFF_TIMEOUT_MS;
    const stop = this.takerStop.signal;
    try {
      while (this.options.now() - startedAt < timeoutMs) {
        await sleep(renewalIntervalMs, stop);
        const row = await store.getLease(moved.leaseKey, true, stop);
        if (!row || row.leaseOwner !== workerId || this.renewer.holds(row.leaseKey)) return;
        if (row.checkpointOwner !== undefined) continue;
        await this.takeOne(row, false, this.options.now(), from);
        return;
      }
    } catch (error) {
      if (!stop.aborted) this.logger.debug('Following a handoff failed', { error: describeError(error) });
    }
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
