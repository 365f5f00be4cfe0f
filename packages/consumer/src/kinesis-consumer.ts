import { KinesisTsError, type Logger, SILENT_LOGGER, streamLabel, TypedEventEmitter } from '@kinesis-ts/core';
import type { ConsumerEvents } from './consumer-events.js';
import { type ConsumerMetrics, MetricsRecorder } from './consumer-metrics.js';
import { createConsumerParts } from './coordinator/consumer-parts.js';
import { leaseEventStream } from './coordinator/event-stream.js';
import { checkFleetProtocol } from './coordinator/fleet-protocol-check.js';
import type { LeaseOwnerIndexSetup } from './coordinator/lease-owner-index-setup.js';
import type { LeaseTableMaintenance } from './coordinator/lease-table-maintenance.js';
import type { LoadAwareAssignment } from './coordinator/load-aware-assignment.js';
import { createStreamTracker } from './coordinator/multi-stream-parts.js';
import { handOverLease } from './coordinator/outgoing-handoff.js';
import type { ShardConsumerFactory, ShardMetricsEntry } from './coordinator/shard-consumer-factory.js';
import type { ShardSyncer } from './coordinator/shard-syncer.js';
import type { ConsumerStartUp } from './coordinator/start-up.js';
import { streamIdentity } from './coordinator/stream.js';
import { StreamRecreationWatch } from './coordinator/stream-recreation-watch.js';
import type { StreamRuntime } from './coordinator/stream-runtime.js';
import type { StreamTracker } from './coordinator/stream-tracker.js';
import { ConsumerErrorCode, ConsumerStartError, ConsumerStateError } from './errors.js';
import type { LeaseTable } from './leases/dynamodb/lease-table.js';
import type { Lease } from './leases/lease.js';
import type { LeaseAcquisition, LeaseCoordinator } from './leases/lease-coordinator.js';
import type { LeaseLossReason, LeaseReleaseOptions } from './leases/lease-renewer.js';
import type { ShardConsumer } from './lifecycle/shard-consumer.js';
import type { ShardShutdownReason } from './lifecycle/shard-consumer-states.js';
import { ShardEndNotifier } from './lifecycle/shard-end-notifier.js';
import {
  type KinesisConsumerOptions,
  type ResolvedConsumerOptions,
  resolveConsumerOptions,
} from './options.js';
import { withClaimCheckedDelivery } from './processor/claim-checked-delivery.js';
import { settleWithin } from './util/settle-within.js';
import { sharedAbortController } from './util/signals.js';

/** Where a consumer is in its life. */
export type ConsumerState = 'new' | 'starting' | 'running' | 'stopping' | 'stopped';

interface RunningShard {
  readonly consumer: ShardConsumer;
  readonly token: string;
  readonly leaseKey: string;
  readonly metrics: ShardMetricsEntry;
}

/**
 * A Kinesis consumer that shares a stream's shards with the application's other workers through a
 * DynamoDB lease table in the KCL 2.x format, so that each shard is processed by one worker at a
 * time and resumes from its checkpoint after a restart or a takeover.
 *
 * ```ts
 * const consumer = new KinesisConsumer({
 *   streamName: 'orders', applicationName: 'orders-app', initialPosition: 'TRIM_HORIZON',
 *   kinesisClient, dynamoDbClient,
 *   handler: async (records, { shardId }) => { for (const r of records) await handle(r); },
 * });
 * await consumer.start();
 * process.on('SIGTERM', () => consumer.stop());
 * ```
 */
export class KinesisConsumer extends TypedEventEmitter<ConsumerEvents> {
  /** This worker's id in the lease table. */
  readonly workerId: string;
  private readonly options: ResolvedConsumerOptions;
  private readonly logger: Logger;
  private readonly table: LeaseTable;
  private readonly coordinator: LeaseCoordinator;
  private readonly startUp: ConsumerStartUp;
  private readonly syncer: ShardSyncer;
  private readonly maintenance: LeaseTableMaintenance;
  private readonly shardConsumers: ShardConsumerFactory;
  private readonly assignment: LoadAwareAssignment | undefined;
  /** Multi-stream (`streams`): the streams and their parts; `undefined` for one stream. */
  private readonly tracker: StreamTracker | undefined;
  /** Single-stream: reports a stream deleted and created again while running. */
  private recreationWatch: StreamRecreationWatch | undefined;
  private readonly indexSetup: LeaseOwnerIndexSetup | undefined;
  private readonly setAssignmentMode: (mode: 'worker-utilization' | 'lease-count') => void;
  /** Whether the user gave `leaseAssignment` (a Java KCL 3.x fleet overrides only the default). */
  private readonly leaseAssignmentGiven: boolean;
  private readonly recorder = new MetricsRecorder();
  private readonly running = new Map<string, RunningShard>();
  private consumerArn: string | undefined;
  private currentState: ConsumerState = 'new';
  private startPromise: Promise<void> | undefined;
  private stopPromise: Promise<void> | undefined;
  /**
   * Aborted when `stop()` begins: start-up, shard syncs and listings, finished-lease cleanup and the
   * hash-range backfill stop at once (their calls are aborted) instead of holding `stop()` up.
   */
  private readonly stopAbort = sharedAbortController();

  constructor(options: KinesisConsumerOptions) {
    const resolved = withClaimCheckedDelivery(resolveConsumerOptions(options));
    const logger = resolved.logger ?? SILENT_LOGGER;
    super(logger);
    this.options = resolved;
    this.logger = logger;
    this.workerId = resolved.workerId;
    if (subscribesOverHttp1(options)) {
      logger.warn(
        'Fan-out subscriptions will use kinesisClient, which is on HTTP/1.1: right for kinesis-local and LocalStack, but real Kinesis needs HTTP/2 for SubscribeToShard. Pass retrieval.subscribeClient (a KinesisClient with NodeHttp2Handler) for AWS.',
        { workerId: resolved.workerId },
      );
    }
    const singleStream = resolved.streams === undefined ? streamIdentity(resolved.stream) : {};
    const parts = createConsumerParts(resolved, {
      signal: this.stopAbort.signal,
      logger,
      recorder: this.recorder,
      emit: (event, payload) => this.emit(event, { ...payload, ...singleStream } as typeof payload),
      shardEnds: new ShardEndNotifier(),
      isRunning: () => this.currentState === 'running',
      consumerArn: () => this.consumerArn,
      onLeaseTaken: (acquisition) => this.onLeaseTaken(acquisition),
      onLeaseLost: (lease, reason, token) => this.onLeaseLost(lease, reason, token),
      onHandoffRequested: (lease, token) => void this.onHandoffRequested(lease, token),
      ...(resolved.streams !== undefined
        ? {
            isWorkable: (lease: Lease) => this.tracker?.isWorkable(lease) ?? false,
            onScan: (leases: readonly Lease[], scannedAtMs: number) =>
              this.tracker?.onScan(leases, scannedAtMs),
          }
        : {}),
      leaseAssignmentExplicit: options.leaseAssignment !== undefined,
    });
    this.table = parts.table;
    this.coordinator = parts.coordinator;
    this.startUp = parts.startUp;
    this.syncer = parts.syncer;
    this.maintenance = parts.maintenance;
    this.shardConsumers = parts.shardConsumers;
    this.assignment = parts.assignment;
    this.tracker =
      resolved.streams === undefined
        ? undefined
        : createStreamTracker(resolved, resolved.streams, {
            table: parts.table,
            coordinator: parts.coordinator,
            signal: this.stopAbort.signal,
            logger,
            recorder: this.recorder,
            emit: (event, payload) => this.emit(event, payload),
            isRunning: () => this.currentState === 'running',
            onStreamRemoved: (runtime) => this.stopStream(runtime),
            onBytesDelivered: parts.recordDelivered,
            periodicShardSyncAllowed: parts.periodicShardSyncAllowed,
          });
    this.indexSetup = parts.indexSetup;
    this.setAssignmentMode = parts.setAssignmentMode;
    this.leaseAssignmentGiven = options.leaseAssignment !== undefined;
  }

  /** Where the consumer is in its life. */
  get state(): ConsumerState {
    return this.currentState;
  }

  /**
   * Checks the stream, creates the lease table if needed (and waits until it is ACTIVE), creates
   * leases for shards that have none, takes a first share of leases and starts processing. Rejects
   * with a `ConsumerStartError` (its `cause` is the AWS error) when the stream or table is missing or
   * access is denied; the consumer is then stopped.
   */
  start(): Promise<void> {
    if (this.currentState !== 'new') {
      return Promise.reject(
        new ConsumerStateError(
          `start() was already called (the consumer is ${this.currentState}); create a new consumer`,
        ),
      );
    }
    this.currentState = 'starting';
    this.startPromise = this.doStart();
    return this.startPromise;
  }

  private async doStart(): Promise<void> {
    try {
      let mode: 'worker-utilization' | 'lease-count';
      if (this.tracker) {
        await this.startUp.ensureLeaseTable();
        mode = await this.checkFleetProtocol();
        await this.tracker.start();
      } else {
        const summary = await this.startUp.describeStreamSummary();
        const streamArn = summary.streamArn;
        if (summary.creationTime) this.recreationWatch = this.watchRecreation(summary.creationTime);
        this.consumerArn = await this.startUp.prepareFanOut(streamArn);
        await this.startUp.ensureLeaseTable();
        mode = await this.checkFleetProtocol();
        await this.startUp.withRetries('shard sync', () => this.syncer.sync());
      }
      if (this.currentState !== 'starting') return;
      this.coordinator.startRenewing();
      if (mode === 'worker-utilization' && this.assignment) {
        await this.indexSetup?.start(mode);
        await this.assignment.start();
      }
      await this.coordinator.runTaker();
      // stop() may have been called meanwhile (and may have stopped the timers already).
      if (this.currentState !== 'starting') return;
      this.coordinator.startTaking();
      if (this.tracker) this.tracker.startTimers();
      else this.syncer.startTimer();
      this.recreationWatch?.start();
      this.currentState = 'running';
      this.logger.info('Consumer started', { workerId: this.workerId, leaseTable: this.table.tableName });
      this.emit('started', { workerId: this.workerId });
    } catch (error) {
      await this.shutdownTimers();
      this.currentState = 'stopped';
      if (ConsumerStartError.isInstance(error)) throw error;
      throw new ConsumerStartError(
        ConsumerErrorCode.START_FAILED,
        this.stopAbort.signal.aborted
          ? 'stop() was called before start() completed'
          : `Creating the leases of stream ${streamLabel(this.options.stream)} failed`,
        error,
      );
    }
  }

  /**
   * Stops gracefully: no more leases are taken and no more records fetched, batches in delivery
   * finish (and, with a handler, are checkpointed), processors get `shutdownRequested`, then each
   * lease is released with a conditional write so that other workers take it at once
   * (`releaseLeasesOnStop`). Resolves when done, in state `stopped`; calling it again returns the
   * same promise.
   *
   * Bounded whatever the network does: a start-up, shard sync, listing or cleanup in flight is
   * aborted; shards get what is left of `shutdownTimeoutMs`; releases are retried until then and
   * each gets at least one try, cut off `dynamoDbRequestTimeoutMs` after it. So `stop()` resolves
   * within `shutdownTimeoutMs + dynamoDbRequestTimeoutMs`. Never rejects.
   */
  stop(): Promise<void> {
    this.stopPromise ??= this.doStop();
    return this.stopPromise;
  }

  private async doStop(): Promise<void> {
    if (this.currentState === 'new' || this.currentState === 'stopped') {
      this.currentState = 'stopped';
      return;
    }
    this.currentState = 'stopping';
    const deadline = Date.now() + this.options.shutdownTimeoutMs;
    const timeLeft = () => deadline - Date.now();

    // 1. Abort what is not a shard's own work, and stop the timers.
    this.stopAbort.abort(new Error('stop() was called'));
    await settleWithin(
      Promise.allSettled([
        this.startPromise,
        this.syncer.stopTimer(),
        this.coordinator.stopTaking(),
        this.assignment?.stop(),
        this.indexSetup?.stop(),
        ...this.syncer.inFlight(),
        ...this.maintenance.inFlight(),
        this.tracker?.stopTimers(),
        this.recreationWatch?.stop(),
        ...(this.tracker?.inFlight() ?? []),
      ]),
      timeLeft(),
    );

    // 2. Let the shards finish their batches and checkpoint, within what is left of the budget.
    const shards = [...this.running.values()];
    const finished = new Set<string>();
    await settleWithin(
      Promise.all(
        shards.map(async (shard) => {
          await shard.consumer.requestShutdown();
          finished.add(shard.leaseKey);
        }),
      ),
      timeLeft(),
    );

    // 3. Stop renewing, then release: retried until the deadline, each lease tried at least once,
    //    and everything cut off one DynamoDB request timeout after the deadline.
    const cutOff = sharedAbortController(); // one release per lease listens to it
    const cutOffMs = Math.max(0, timeLeft()) + this.options.dynamoDbRequestTimeoutMs;
    const cutOffTimer = setTimeout(() => cutOff.abort(new Error('stop() ran out of time')), cutOffMs);
    const renewer = this.coordinator.renewer;
    const leases = renewer.heldLeases();
    await settleWithin(this.coordinator.stopRenewing(), cutOffMs);
    const retryUntilMs = this.options.now() + Math.max(0, timeLeft());
    const releases = leases.map(async (lease) => {
      const stuck = this.running.has(lease.leaseKey) && !finished.has(lease.leaseKey);
      if (stuck) {
        this.logger.warn('A shard did not finish in time; its lease is left to expire', {
          leaseKey: lease.leaseKey,
        });
        renewer.drop(lease.leaseKey);
      } else if (this.options.releaseLeasesOnStop) {
        await this.releaseLease(lease.leaseKey, { retryUntilMs, signal: cutOff.signal });
      } else {
        renewer.drop(lease.leaseKey);
      }
    });
    await settleWithin(Promise.all(releases), cutOffMs);
    clearTimeout(cutOffTimer);
    this.currentState = 'stopped';
    this.logger.info('Consumer stopped', { workerId: this.workerId });
    this.emit('stopped', { workerId: this.workerId });
  }

  /** A snapshot of the consumer's figures (KCL metric names where they exist). */
  metrics(): ConsumerMetrics {
    const view = this.coordinator.tableView();
    return this.recorder.snapshot(
      {
        workerId: this.workerId,
        state: this.currentState,
        CurrentLeases: this.coordinator.renewer.heldLeases().length,
        TotalLeases: view.totalLeases,
        FinishedLeases: view.finishedLeases,
        NumWorkers: view.plan?.workerCount ?? 0,
        TargetLeases: view.plan?.target ?? 0,
        NeededLeases: view.plan?.needed ?? 0,
        LeaseSpillover: view.plan?.spillover ?? 0,
      },
      this.options.now(),
    );
  }

  /** The keys of the leases this worker holds now. */
  heldLeaseKeys(): string[] {
    return this.coordinator.renewer
      .heldLeases()
      .map((lease) => lease.leaseKey)
      .sort();
  }

  // --- leases and shard consumers -------------------------------------------------------------

  private onLeaseTaken({ lease, token, previousOwner, stolen }: LeaseAcquisition): void {
    this.recorder.takenLeases++;
    if (stolen) this.recorder.stolenLeases++;
    this.logger.info('Lease taken', { leaseKey: lease.leaseKey, previousOwner, stolen });
    this.emit('lease:taken', {
      ...this.eventStream(lease.leaseKey),
      leaseKey: lease.leaseKey,
      previousOwner,
      stolen,
      checkpoint: lease.checkpoint,
    });
    if (this.currentState !== 'running' && this.currentState !== 'starting') {
      void this.releaseLease(lease.leaseKey);
      return;
    }
    const previous = this.running.get(lease.leaseKey);
    const begin = () => {
      if (this.coordinator.renewer.getLease(lease.leaseKey, token) === undefined) return;
      if (this.currentState !== 'running' && this.currentState !== 'starting') return;
      this.startShardConsumer(lease, token);
    };
    if (previous) {
      previous.consumer.leaseLost();
      void previous.consumer.done.then(begin);
    } else {
      begin();
    }
  }

  private onLeaseLost(lease: Lease, reason: LeaseLossReason, token: string): void {
    this.recorder.lostLeases++;
    this.emit('lease:lost', { ...this.eventStream(lease.leaseKey), leaseKey: lease.leaseKey, reason });
    const shard = this.running.get(lease.leaseKey);
    if (!shard || shard.token !== token) return;
    shard.consumer.leaseLost();
    if (shard.consumer.state === 'failed') {
      // A stopped shard kept its lease; now that the lease is gone, forget it too.
      this.running.delete(lease.leaseKey);
      this.recorder.closeShard(shard.consumer.shardId, shard.metrics);
    }
  }

  /** A mover asked this worker to hand a lease over (KCL 3.x graceful handoff): finish, checkpoint, transfer. */
  private async onHandoffRequested(lease: Lease, token: string): Promise<void> {
    const shard = this.running.get(lease.leaseKey);
    const { written } = await handOverLease({
      leaseKey: lease.leaseKey,
      nextOwner: lease.leaseOwner,
      shard: shard?.token === token ? shard.consumer : undefined,
      timeoutMs: this.options.gracefulLeaseHandoffTimeoutMs,
      transfer: () => this.coordinator.renewer.release(lease.leaseKey),
      logger: this.logger,
    });
    if (written) this.recorder.releasedLeases++;
    this.emit('lease:released', { ...this.eventStream(lease.leaseKey), leaseKey: lease.leaseKey, written });
  }

  private startShardConsumer(lease: Lease, token: string): void {
    const built = this.tracker
      ? this.tracker.runtimeOf(lease.leaseKey)?.createShardConsumer(lease, token)
      : this.shardConsumers.create(lease, token);
    if (!built) {
      void this.releaseLease(lease.leaseKey); // the processor factory threw (reported)
      return;
    }
    const entry: RunningShard = { ...built, token, leaseKey: lease.leaseKey };
    this.running.set(lease.leaseKey, entry);
    void built.consumer.done.then((reason) => this.onShardConsumerDone(entry, reason));
    built.consumer.start();
  }

  private onShardConsumerDone(entry: RunningShard, reason: ShardShutdownReason): void {
    const shardId = entry.consumer.shardId;
    this.emit('shard:stopped', { ...this.eventStream(entry.leaseKey), shardId, reason });
    if (reason === 'failed') return; // keeps the lease (and its metrics) so nothing else processes past the failure
    if (this.running.get(entry.leaseKey) === entry) this.running.delete(entry.leaseKey);
    this.recorder.closeShard(shardId, entry.metrics);
    if (reason === 'shard-end' && this.coordinator.renewer.getLease(entry.leaseKey, entry.token)) {
      void this.releaseLease(entry.leaseKey);
    }
  }

  private async releaseLease(leaseKey: string, options?: LeaseReleaseOptions): Promise<void> {
    const written = await this.coordinator.renewer.release(leaseKey, options);
    if (written) this.recorder.releasedLeases++;
    this.emit('lease:released', { ...this.eventStream(leaseKey), leaseKey, written });
  }

  /** The stream fields of an event about lease `leaseKey` (see `EventStreamFields`). */
  private eventStream(leaseKey: string) {
    return leaseEventStream(
      leaseKey,
      this.tracker ? undefined : this.options.stream,
      (key) => this.tracker?.runtimeOf(key)?.stream,
    );
  }

  /**
   * Reads the KCL 3.x `Migration3.0` row and settles the assignment mode: a Java KCL 3.x fleet's
   * protocol when it runs one (unless `leaseAssignment: 'lease-count'` was set: then a typed refusal).
   */
  private async checkFleetProtocol(): Promise<'worker-utilization' | 'lease-count'> {
    const { mode, layout } = await this.startUp.withRetries('client version', () =>
      checkFleetProtocol({
        client: this.options.dynamoDbClient,
        leaseTableName: this.table.tableName,
        applicationName: this.options.applicationName,
        requestTimeoutMs: this.options.dynamoDbRequestTimeoutMs,
        leaseAssignment: this.options.leaseAssignment,
        leaseAssignmentExplicit: this.leaseAssignmentGiven,
        signal: this.stopAbort.signal,
        logger: this.logger,
      }),
    );
    this.setAssignmentMode(mode);
    // Where the Leader lock and the worker metrics rows are: a KCL 3.0–3.4 fleet keeps them apart.
    this.assignment?.useCoordinatorLayout(layout);
    return mode;
  }

  /** Multi-stream: a stream left the list; its shards finish their batches and their leases are released. */
  private async stopStream(runtime: StreamRuntime): Promise<void> {
    const shards = [...this.running.values()].filter((shard) => runtime.scope.ownsKey(shard.leaseKey));
    await settleWithin(
      Promise.all(shards.map((shard) => shard.consumer.requestShutdown())),
      this.options.shutdownTimeoutMs,
    );
    for (const lease of this.coordinator.renewer.heldLeases()) {
      if (runtime.scope.ownsKey(lease.leaseKey)) await this.releaseLease(lease.leaseKey);
    }
  }

  private watchRecreation(createdAt: Date): StreamRecreationWatch {
    return new StreamRecreationWatch({
      stream: streamLabel(this.options.stream),
      createdAt,
      describe: async () => {
        try {
          return (await this.startUp.describeStreamSummary()).creationTime;
        } catch (error) {
          if (KinesisTsError.hasCode(error, ConsumerErrorCode.STREAM_NOT_FOUND)) return undefined;
          throw error;
        }
      },
      intervalMs: this.options.shardSyncIntervalMs,
      logger: this.logger,
      onRecreated: (error) => {
        this.emit('stream:recreated', { error });
        void this.stop();
      },
    });
  }

  private async shutdownTimers(): Promise<void> {
    await this.indexSetup?.stop();
    await this.assignment?.stop();
    await this.recreationWatch?.stop();
    await this.syncer.stopTimer();
    await this.tracker?.stopTimers();
    await this.coordinator.stopTaking();
    for (const lease of this.coordinator.renewer.heldLeases()) this.coordinator.renewer.drop(lease.leaseKey);
    await this.coordinator.stopRenewing();
  }
}

/**
 * Whether fan-out would subscribe through a client on HTTP/1.1 (the SDK's default for Kinesis is
 * HTTP/2; an HTTP/1.1 handler is what the emulators need and what real Kinesis refuses).
 */
function subscribesOverHttp1(options: KinesisConsumerOptions): boolean {
  const retrieval = options.retrieval;
  if (retrieval?.mode !== 'fan-out' || retrieval.subscribeClient !== undefined) return false;
  const handler = (options.kinesisClient.config as { requestHandler?: unknown }).requestHandler;
  return handler?.constructor?.name === 'NodeHttpHandler';
}
