import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Logger, RandomSource } from '@kinesis-ts/core';
import { CpuSampler } from '../leases/assignment/cpu-sampler.js';
import { WorkerMetricsReporter } from '../leases/assignment/worker-metrics-reporter.js';
import {
  type CoordinatorLayout,
  leaderLockPlace,
  workerMetricsPlace,
} from '../leases/dynamodb/coordinator-layout.js';
import { type LeaderLockStore, LeaderLockTable } from '../leases/dynamodb/leader-lock-table.js';
import { type LeaseMoveFunction, leaseMoveWrites } from '../leases/dynamodb/lease-mover.js';
import { type WorkerMetricsStore, WorkerMetricsTable } from '../leases/dynamodb/worker-metrics-table.js';
import type { Lease } from '../leases/lease.js';
import { LeaseThroughputMeter } from '../leases/lease-throughput-meter.js';
import { RepeatingTimer } from '../util/repeating-timer.js';
import { sharedAbortController } from '../util/signals.js';
import { LeaderElection } from './leader-election.js';
import {
  type AssignmentRoundResult,
  LeaseAssignmentLeader,
  LOAD_AWARE_ASSIGNMENT_DEFAULTS,
} from './lease-assignment-leader.js';

/** Options of {@link LoadAwareAssignment}. */
export interface LoadAwareAssignmentOptions {
  readonly client: DynamoDBClient;
  readonly tableName: string;
  /** Names `<app>-CoordinatorState` and `<app>-WorkerMetricStats` in the `'legacy-tables'` layout. */
  readonly applicationName: string;
  readonly requestTimeoutMs: number;
  readonly workerId: string;
  readonly failoverTimeMs: number;
  readonly maxLeasesForWorker: number;
  readonly leaseAssignmentIntervalMs: number;
  readonly leaderLockLeaseDurationMs: number;
  readonly leaderLockHeartbeatPeriodMs: number;
  readonly workerMetricsReportIntervalMs: number;
  readonly listLeases: (signal?: AbortSignal) => Promise<Lease[]>;
  readonly now: () => number;
  readonly random: RandomSource;
  readonly logger: Logger;
  /**
   * Moves a live owner's lease: the consumer gives `LeaseTable.initiateLeaseHandoff` (graceful
   * handoff) unless `gracefulLeaseHandoff` is false; the owner-fenced take that bumps the counter when absent.
   */
  readonly moveLease?: LeaseMoveFunction;
  /** Stores (tests): the DynamoDB ones by default. */
  readonly lockStore?: LeaderLockStore;
  readonly metricsStore?: WorkerMetricsStore;
  readonly onRound?: (result: AssignmentRoundResult) => void;
  readonly onLeadershipChange?: (leader: boolean) => void;
  readonly onError?: (
    operation: 'leader-election' | 'lease-assignment' | 'worker-metrics',
    error: unknown,
  ) => void;
}

/**
 * `leaseAssignment: 'worker-utilization'` on one worker: it meters its leases' throughput (written by
 * renewals), reports its CPU to its metrics row, takes part in the leader election, and, while it
 * leads, runs the assignment rounds. The taker ({@link takingMode}) only takes up what the leader
 * assigned, unless no leader seems alive, when it takes expired leases itself (never steals).
 */
export class LoadAwareAssignment {
  readonly throughput: LeaseThroughputMeter;
  readonly election: LeaderElection;
  readonly leader: LeaseAssignmentLeader;
  private readonly reporter: WorkerMetricsReporter;
  private readonly electionTimer: RepeatingTimer;
  private readonly assignmentTimer: RepeatingTimer;
  private readonly reportTimer: RepeatingTimer;
  private readonly stopping = sharedAbortController(); // a round writes many leases at once
  private readonly options: LoadAwareAssignmentOptions;
  /** The stores of the coordinator layout in use ({@link useCoordinatorLayout}). */
  private lockTable: LeaderLockStore;
  private metricsTable: WorkerMetricsStore;
  private started = false;

  constructor(options: LoadAwareAssignmentOptions) {
    this.options = options;
    const tableOptions = {
      client: options.client,
      tableName: options.tableName,
      requestTimeoutMs: options.requestTimeoutMs,
    };
    const writes = leaseMoveWrites(tableOptions);
    this.lockTable = options.lockStore ?? this.lockTableOf('single-table');
    this.metricsTable = options.metricsStore ?? this.metricsTableOf('single-table');
    // The parts below reach the stores through these, so that start-up may still change the layout.
    const lockStore: LeaderLockStore = {
      read: (signal) => this.lockTable.read(signal),
      write: (...args) => this.lockTable.write(...args),
      release: (...args) => this.lockTable.release(...args),
    };
    const metricsStore: WorkerMetricsStore = {
      writeWorkerMetrics: (row, signal) => this.metricsTable.writeWorkerMetrics(row, signal),
      listWorkerMetrics: (signal) => this.metricsTable.listWorkerMetrics(signal),
    };
    this.throughput = new LeaseThroughputMeter({ now: options.now, alpha: 0.5 });
    this.election = new LeaderElection({
      store: lockStore,
      workerId: options.workerId,
      leaseDurationMs: options.leaderLockLeaseDurationMs,
      heartbeatPeriodMs: options.leaderLockHeartbeatPeriodMs,
      now: options.now,
      logger: options.logger,
      onLeadershipChange: (leader) => {
        if (leader) {
          this.leader.reset();
          void this.runRound();
        }
        options.onLeadershipChange?.(leader);
      },
      onError: (error) => options.onError?.('leader-election', error),
    });
    this.leader = new LeaseAssignmentLeader({
      listLeases: options.listLeases,
      metrics: metricsStore,
      assignLease: writes.assignLease,
      moveLease: options.moveLease ?? writes.moveLease,
      failoverTimeMs: options.failoverTimeMs,
      maxLeasesForWorker: options.maxLeasesForWorker,
      workerMetricsReportIntervalMs: options.workerMetricsReportIntervalMs,
      now: options.now,
      wallClock: Date.now,
      random: options.random,
      logger: options.logger,
      onRound: options.onRound,
      onError: (error) => options.onError?.('lease-assignment', error),
      resign: () => this.election.resign(),
    });
    // Built at the first sample (start()): a consumer whose mode stays 'lease-count' reads no cgroup files.
    let cpu: CpuSampler | undefined;
    this.reporter = new WorkerMetricsReporter({
      store: metricsStore,
      workerId: options.workerId,
      sampleCpu: () => {
        cpu ??= new CpuSampler();
        return cpu.sample();
      },
      wallClock: Date.now,
      valuesKept: LOAD_AWARE_ASSIGNMENT_DEFAULTS.workerMetricsValuesKept,
      logger: options.logger,
      onError: (error) => options.onError?.('worker-metrics', error),
    });
    this.electionTimer = new RepeatingTimer(options.leaderLockHeartbeatPeriodMs, 'fixed-rate', () =>
      this.election.tick(this.stopping.signal),
    );
    this.assignmentTimer = new RepeatingTimer(options.leaseAssignmentIntervalMs, 'fixed-delay', () =>
      this.runRound(),
    );
    this.reportTimer = new RepeatingTimer(options.workerMetricsReportIntervalMs, 'fixed-rate', () =>
      this.reporter.report(this.stopping.signal),
    );
  }

  /** What the taker may do now. */
  takingMode(): 'no-steal' | 'reclaim-only' {
    return this.election.leaderSeemsAlive() ? 'reclaim-only' : 'no-steal';
  }

  /**
   * Where the lock and metrics rows are (the fleet's layout, settled at start from where its
   * `Migration3.0` row is; `'single-table'` until then). Call before {@link start}; stores given in
   * the options (tests) stay as they are.
   */
  useCoordinatorLayout(layout: CoordinatorLayout): void {
    if (this.started) throw new Error('The coordinator layout is settled before the assignment starts');
    if (!this.options.lockStore) this.lockTable = this.lockTableOf(layout);
    if (!this.options.metricsStore) this.metricsTable = this.metricsTableOf(layout);
  }

  /** Writes a first metrics row, looks at the lock once, and starts the timers. */
  async start(): Promise<void> {
    this.started = true;
    this.reporter.prime();
    await this.reporter.report(this.stopping.signal);
    await this.election.tick(this.stopping.signal);
    this.electionTimer.start();
    this.assignmentTimer.start();
    this.reportTimer.start();
  }

  /** Stops the timers and gives the lock up when held. */
  async stop(): Promise<void> {
    this.stopping.abort(new Error('stopping'));
    await Promise.all([this.electionTimer.stop(), this.assignmentTimer.stop(), this.reportTimer.stop()]);
    await this.election.resign();
  }

  private lockTableOf(layout: CoordinatorLayout): LeaderLockStore {
    const { client, tableName, applicationName, requestTimeoutMs } = this.options;
    return new LeaderLockTable({
      client,
      place: leaderLockPlace(layout, tableName, applicationName),
      requestTimeoutMs,
    });
  }

  private metricsTableOf(layout: CoordinatorLayout): WorkerMetricsStore {
    const { client, tableName, applicationName, requestTimeoutMs } = this.options;
    return new WorkerMetricsTable({
      client,
      place: workerMetricsPlace(layout, tableName, applicationName),
      requestTimeoutMs,
    });
  }

  private async runRound(): Promise<void> {
    if (!this.election.isLeader() || this.stopping.signal.aborted) return;
    await this.leader.runRound(this.stopping.signal);
  }
}
