import {
  DescribeStreamSummaryCommand,
  type DescribeStreamSummaryCommandOutput,
  ListShardsCommand,
  type ListShardsCommandOutput,
} from '@aws-sdk/client-kinesis';
import {
  awsErrorCode,
  CheckpointSentinel,
  classifyAwsError,
  fullJitterBackoffMs,
  type Logger,
  SILENT_LOGGER,
  sendWithoutSdkRetries,
  sleep,
} from '@kinesis-ts/core';
import { type ConsumerEvents, TypedEventEmitter } from './consumer-events.js';
import { type ConsumerMetrics, MetricsRecorder } from './consumer-metrics.js';
import {
  ConsumerErrorCode,
  ConsumerStartError,
  ConsumerStateError,
  describeCause,
  StreamConsumerError,
} from './errors.js';
import { LeaseTable } from './leases/dynamodb/lease-table.js';
import { HashRangeAuditor, leaseHashRangeHoles } from './leases/hash-range-audit.js';
import { isLeaseFinished, type Lease, shardIdOfLeaseKey } from './leases/lease.js';
import { planLeaseCleanup } from './leases/lease-cleanup-plan.js';
import { type LeaseAcquisition, LeaseCoordinator } from './leases/lease-coordinator.js';
import type { LeaseLossReason, LeaseReleaseOptions } from './leases/lease-renewer.js';
import { newLease, planShardSync, type ShardInfo } from './leases/shard-sync-plan.js';
import { type Delivery, ShardConsumer, type ShardShutdownReason } from './lifecycle/shard-consumer.js';
import { ShardEndNotifier } from './lifecycle/shard-end-notifier.js';
import {
  type KinesisConsumerOptions,
  type ResolvedConsumerOptions,
  resolveConsumerOptions,
} from './options.js';
import { FanOutRetrieval } from './retrieval/fanout/fan-out-retrieval.js';
import { ensureStreamConsumer } from './retrieval/fanout/stream-consumer.js';
import { initialPositionTimestamp } from './retrieval/initial-position.js';
import { PollingRetrieval } from './retrieval/polling/polling-retrieval.js';
import type { ChildShard, RetrievalFactory, ShardRecordsRetrieval } from './retrieval/records-retrieval.js';
import { probeShardEnd } from './retrieval/shard-end-probe.js';
import { listedShardStatus, type ShardStatusCheck } from './retrieval/shard-status.js';
import { RepeatingTimer } from './util/repeating-timer.js';
import { settleWithin } from './util/settle-within.js';
import { sharedAbortController } from './util/signals.js';

/** Where a consumer is in its life. */
export type ConsumerState = 'new' | 'starting' | 'running' | 'stopping' | 'stopped';

interface RunningShard {
  readonly consumer: ShardConsumer;
  readonly token: string;
  readonly leaseKey: string;
  readonly metrics: ReturnType<MetricsRecorder['openShard']>;
}

const START_ATTEMPTS = 5;
const START_BACKOFF = { baseDelayMs: 500, maxDelayMs: 5_000 };
/** Consecutive taker scans that must show the same hash-range holes before a shard sync (the KCL's 3). */
const HOLE_CONFIDENCE_THRESHOLD = 3;
/** How old the shard listing may be when deciding whether a merge's other parent still exists. */
const SHARD_LIST_MAX_AGE_MS = 5_000;
/** How often leases without a hash range are filled in (each round lists the shards). */
const HASH_RANGE_BACKFILL_INTERVAL_MS = 60_000;

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
  private readonly recorder = new MetricsRecorder();
  private readonly running = new Map<string, RunningShard>();
  private readonly shardSyncTimer: RepeatingTimer;
  private shards = new Map<string, ShardInfo>();
  private shardsListedAtMs = Number.NEGATIVE_INFINITY;
  private shardListing: Promise<void> | undefined;
  private shardSyncRun: Promise<void> | undefined;
  private readonly shardEnds = new ShardEndNotifier();
  private readonly holeAuditor = new HashRangeAuditor(HOLE_CONFIDENCE_THRESHOLD);
  private lastCleanupAtMs = Number.NEGATIVE_INFINITY;
  private cleanupRun: Promise<void> | undefined;
  private hashRangeBackfill: Promise<void> | undefined;
  private lastHashRangeBackfillAtMs = Number.NEGATIVE_INFINITY;
  private streamArn: string | undefined;
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
    const resolved = resolveConsumerOptions(options);
    const logger = resolved.logger ?? SILENT_LOGGER;
    super((event, error) => logger.warn('An event listener threw', { event, error: describeCause(error) }));
    this.options = resolved;
    this.logger = logger;
    this.workerId = resolved.workerId;
    if (subscribesOverHttp1(options)) {
      logger.warn(
        'Fan-out subscriptions will use kinesisClient, which is on HTTP/1.1: right for kinesis-local and LocalStack, but real Kinesis needs HTTP/2 for SubscribeToShard. Pass retrieval.subscribeClient (a KinesisClient with NodeHttp2Handler) for AWS.',
        { workerId: resolved.workerId },
      );
    }
    this.table = new LeaseTable({
      client: resolved.dynamoDbClient,
      tableName: resolved.leaseTableName,
      requestTimeoutMs: resolved.dynamoDbRequestTimeoutMs,
      logger,
    });
    this.coordinator = new LeaseCoordinator({
      store: this.table,
      workerId: resolved.workerId,
      failoverTimeMs: resolved.failoverTimeMs,
      renewalIntervalMs: resolved.leaseRenewalIntervalMs,
      takerIntervalMs: resolved.leaseTakerIntervalMs,
      maxLeasesForWorker: resolved.maxLeasesForWorker,
      maxLeasesToStealAtOneTime: resolved.maxLeasesToStealAtOneTime,
      enablePriorityLeaseAssignment: resolved.enablePriorityLeaseAssignment,
      now: resolved.now,
      random: resolved.random,
      logger,
      onLeaseTaken: (acquisition) => this.onLeaseTaken(acquisition),
      onLeaseLost: (lease, reason, token) => this.onLeaseLost(lease, reason, token),
      onLeaseWritten: () => {
        this.recorder.leaseWrites++;
      },
      onError: (operation, error) => {
        if (operation === 'renew-lease') this.recorder.renewalFailures++;
        this.emit('lease-table:error', { operation, error });
      },
      onScan: (leases, scannedAtMs) => this.onScan(leases, scannedAtMs),
    });
    this.shardSyncTimer = new RepeatingTimer(resolved.shardSyncIntervalMs, 'fixed-delay', () =>
      this.requestShardSync('interval'),
    );
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
      await this.describeStream();
      await this.prepareFanOut();
      await this.ensureLeaseTable();
      await this.withStartRetries('shard sync', () => this.syncShards());
      if (this.currentState !== 'starting') return;
      this.coordinator.startRenewing();
      await this.coordinator.runTaker();
      // stop() may have been called meanwhile (and may have stopped the timers already).
      if (this.currentState !== 'starting') return;
      this.coordinator.startTaking();
      this.shardSyncTimer.start();
      this.currentState = 'running';
      this.logger.info('Consumer started', { workerId: this.workerId, leaseTable: this.table.tableName });
      this.emit('started', { workerId: this.workerId });
    } catch (error) {
      await this.shutdownTimers();
      this.currentState = 'stopped';
      if (error instanceof ConsumerStartError) throw error;
      throw new ConsumerStartError(
        ConsumerErrorCode.START_FAILED,
        this.stopAbort.signal.aborted
          ? 'stop() was called before start() completed'
          : `Creating the leases of stream ${this.streamLabel()} failed`,
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
        this.shardSyncTimer.stop(),
        this.coordinator.stopTaking(),
        this.shardSyncRun,
        this.shardListing,
        this.cleanupRun,
        this.hashRangeBackfill,
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
    const cutOff = new AbortController();
    const cutOffMs = Math.max(0, timeLeft()) + this.options.dynamoDbRequestTimeoutMs;
    const cutOffTimer = setTimeout(() => cutOff.abort(new Error('stop() ran out of time')), cutOffMs);
    const leases = this.coordinator.renewer.heldLeases();
    await settleWithin(this.coordinator.stopRenewing(), cutOffMs);
    const retryUntilMs = this.options.now() + Math.max(0, timeLeft());
    const releases = leases.map(async (lease) => {
      const stuck = this.running.has(lease.leaseKey) && !finished.has(lease.leaseKey);
      if (stuck) {
        this.logger.warn('A shard did not finish in time; its lease is left to expire', {
          leaseKey: lease.leaseKey,
        });
        this.coordinator.renewer.drop(lease.leaseKey);
      } else if (this.options.releaseLeasesOnStop) {
        await this.releaseLease(lease.leaseKey, { retryUntilMs, signal: cutOff.signal });
      } else {
        this.coordinator.renewer.drop(lease.leaseKey);
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

  // --- start-up -------------------------------------------------------------------------------

  private async describeStream(): Promise<void> {
    try {
      const output = await this.withStartRetries('DescribeStreamSummary', () =>
        sendWithoutSdkRetries<DescribeStreamSummaryCommandOutput>(
          this.options.kinesisClient,
          new DescribeStreamSummaryCommand(this.streamParameters()),
          { timeoutMs: this.options.kinesisRequestTimeoutMs, abortSignal: this.stopAbort.signal },
        ),
      );
      this.streamArn = output.StreamDescriptionSummary?.StreamARN;
    } catch (error) {
      if (error instanceof ConsumerStartError) throw error;
      if (awsErrorCode(error) === 'ResourceNotFoundException') {
        throw new ConsumerStartError(
          ConsumerErrorCode.STREAM_NOT_FOUND,
          `Stream ${this.streamLabel()} does not exist`,
          error,
        );
      }
      throw new ConsumerStartError(
        ConsumerErrorCode.START_FAILED,
        `Describing stream ${this.streamLabel()} failed`,
        error,
      );
    }
  }

  /** Fan-out: finds or registers the stream consumer and waits until it is ACTIVE. */
  private async prepareFanOut(): Promise<void> {
    const retrieval = this.options.retrieval;
    if (retrieval.mode !== 'fan-out') return;
    if (retrieval.consumerArn !== undefined) {
      this.consumerArn = retrieval.consumerArn;
      return;
    }
    const stream = this.options.stream;
    try {
      const consumer = await ensureStreamConsumer({
        kinesisClient: this.options.kinesisClient,
        streamArn: this.streamArn ?? ('streamArn' in stream ? stream.streamArn : undefined),
        streamName: 'streamName' in stream ? stream.streamName : undefined,
        consumerName: retrieval.consumerName,
        timeoutMs: retrieval.consumerRegistrationTimeoutMs,
        requestTimeoutMs: this.options.kinesisRequestTimeoutMs,
        signal: this.stopAbort.signal,
        random: this.options.random,
        logger: this.logger,
      });
      this.consumerArn = consumer.consumerArn;
      this.logger.info('Stream consumer ready', {
        consumerName: consumer.consumerName,
        consumerArn: consumer.consumerArn,
      });
    } catch (error) {
      if (error instanceof StreamConsumerError) {
        throw new ConsumerStartError(ConsumerErrorCode.STREAM_CONSUMER_NOT_ACTIVE, error.message, error);
      }
      throw new ConsumerStartError(
        ConsumerErrorCode.START_FAILED,
        `Registering stream consumer ${retrieval.consumerName} failed`,
        error,
      );
    }
  }

  private async ensureLeaseTable(): Promise<void> {
    const name = this.table.tableName;
    try {
      const signal = this.stopAbort.signal;
      let status = await this.withStartRetries('DescribeTable', () => this.table.describeStatus(signal));
      if (status === undefined) {
        if (!this.options.createLeaseTableIfMissing) {
          throw new ConsumerStartError(
            ConsumerErrorCode.LEASE_TABLE_NOT_FOUND,
            `Lease table ${name} does not exist and createLeaseTableIfMissing is false`,
          );
        }
        const created = await this.withStartRetries('CreateTable', () => this.table.create(signal));
        this.logger.info(created ? 'Lease table created' : 'Lease table created by another worker', {
          table: name,
        });
        status = 'CREATING';
      }
      if (status !== 'ACTIVE' && status !== 'UPDATING') {
        const ready = await this.table.waitUntilActive(
          this.options.leaseTableReadyTimeoutMs,
          1_000,
          this.stopAbort.signal,
        );
        if (!ready) {
          throw new ConsumerStartError(
            ConsumerErrorCode.LEASE_TABLE_NOT_READY,
            `Lease table ${name} did not become ACTIVE within ${this.options.leaseTableReadyTimeoutMs} ms`,
          );
        }
      }
    } catch (error) {
      if (error instanceof ConsumerStartError) throw error;
      throw new ConsumerStartError(
        ConsumerErrorCode.START_FAILED,
        `Preparing lease table ${name} failed`,
        error,
      );
    }
  }

  /** Retries throttling and transient failures during start-up; fatal ones reject at once. */
  private async withStartRetries<T>(what: string, operation: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await operation();
      } catch (error) {
        if (error instanceof ConsumerStartError) throw error;
        if (
          classifyAwsError(error) === 'fatal' ||
          attempt >= START_ATTEMPTS ||
          this.stopAbort.signal.aborted
        ) {
          throw error;
        }
        this.logger.warn(`${what} failed during start; retrying`, { attempt, error: describeCause(error) });
        await sleep(fullJitterBackoffMs(attempt, START_BACKOFF, this.options.random), this.stopAbort.signal);
      }
    }
  }

  // --- shard sync -----------------------------------------------------------------------------

  /**
   * A shard sync now, or the one already running: on the interval, when a taker scan finds the table
   * empty or the same hash-range holes three times running, and when a merge's other parent has no
   * lease. Never rejects (failures are reported and retried at the next occasion).
   */
  private requestShardSync(reason: string): Promise<void> {
    this.shardSyncRun ??= this.syncShards()
      .catch((error) => {
        if (this.stopAbort.signal.aborted) return; // stop() aborted it
        this.logger.warn('Shard sync failed; retrying at the next occasion', {
          reason,
          error: describeCause(error),
        });
        this.emit('lease-table:error', { operation: 'shard-sync', error });
      })
      .finally(() => {
        this.shardSyncRun = undefined;
      });
    return this.shardSyncRun;
  }

  /** Lists the shards and creates the leases the table is missing (idempotent: conditional puts). */
  private async syncShards(): Promise<void> {
    const signal = this.stopAbort.signal;
    await this.refreshShards(0);
    const shards = [...this.shards.values()];
    const leases = await this.table.listLeases(signal);
    const existing = leases.map((lease) => ({ leaseKey: lease.leaseKey, finished: isLeaseFinished(lease) }));
    const toCreate = planShardSync(shards, existing, this.options.initialPosition);
    for (const lease of toCreate) {
      const created = await this.table.createLeaseIfNotExists(lease, signal);
      if (created)
        this.logger.info('Lease created', {
          leaseKey: lease.leaseKey,
          checkpoint: lease.checkpoint.sequenceNumber,
        });
    }
  }

  /**
   * The shard listing, listed again when older than `maxAgeMs` (concurrent callers share one
   * listing). Each ListShards call is bounded by `kinesisRequestTimeoutMs`, and `stop()` aborts it.
   */
  private async refreshShards(maxAgeMs: number): Promise<ReadonlyMap<string, ShardInfo>> {
    if (this.options.now() - this.shardsListedAtMs <= maxAgeMs && maxAgeMs > 0) return this.shards;
    this.shardListing ??= this.listShards()
      .then((shards) => {
        this.shards = new Map(shards.map((shard) => [shard.shardId, shard]));
        this.shardsListedAtMs = this.options.now();
      })
      .finally(() => {
        this.shardListing = undefined;
      });
    await this.shardListing;
    return this.shards;
  }

  private async listShards(): Promise<ShardInfo[]> {
    const shards: ShardInfo[] = [];
    let nextToken: string | undefined;
    do {
      const output: ListShardsCommandOutput = await sendWithoutSdkRetries<ListShardsCommandOutput>(
        this.options.kinesisClient,
        new ListShardsCommand(nextToken ? { NextToken: nextToken } : this.streamParameters()),
        { timeoutMs: this.options.kinesisRequestTimeoutMs, abortSignal: this.stopAbort.signal },
      );
      for (const shard of output.Shards ?? []) {
        if (!shard.ShardId) continue;
        shards.push({
          shardId: shard.ShardId,
          parentShardId: shard.ParentShardId || undefined,
          adjacentParentShardId: shard.AdjacentParentShardId || undefined,
          startingHashKey: shard.HashKeyRange?.StartingHashKey ?? '0',
          endingHashKey: shard.HashKeyRange?.EndingHashKey ?? '0',
          startingSequenceNumber: shard.SequenceNumberRange?.StartingSequenceNumber ?? '0',
          endingSequenceNumber: shard.SequenceNumberRange?.EndingSequenceNumber || undefined,
        });
      }
      nextToken = output.NextToken;
    } while (nextToken);
    return shards;
  }

  /**
   * At a shard's end: creates its children's leases, then runs the taker so this worker can take
   * them at once (they wait for their parents in `waiting-on-parents`). For a merge, the other
   * parent's lease must exist first, as in the KCL: a child created while it is missing would not
   * wait for it. If the other parent is still listed, a shard sync creates its lease and this shard
   * retries (`'blocked'`); if it is not listed any more (trimmed), there is nothing to wait for.
   */
  private async createChildLeases(
    parent: Lease,
    children: readonly ChildShard[],
  ): Promise<'created' | 'blocked'> {
    const merge = children.length === 1 ? children[0] : undefined;
    if (merge && merge.parentShardIds.length === 2) {
      const other = merge.parentShardIds.find((id) => id !== parent.leaseKey);
      if (other !== undefined && (await this.table.getLease(other)) === undefined) {
        const listed = (await this.refreshShards(SHARD_LIST_MAX_AGE_MS)).has(other);
        if (listed) {
          this.logger.warn('The other parent of a merge has no lease; creating it before the child', {
            shardId: parent.leaseKey,
            otherParent: other,
            child: merge.shardId,
          });
          await this.requestShardSync('merge parent without a lease');
          if ((await this.table.getLease(other)) === undefined) return 'blocked';
        }
      }
    }
    for (const child of children) {
      const lease = newLease(
        {
          shardId: child.shardId,
          parentShardIds: child.parentShardIds.length > 0 ? child.parentShardIds : [parent.leaseKey],
          startingHashKey: child.startingHashKey,
          endingHashKey: child.endingHashKey,
        },
        CheckpointSentinel.TRIM_HORIZON,
      );
      const created = await this.table.createLeaseIfNotExists(lease);
      if (created)
        this.logger.info('Child lease created', { leaseKey: lease.leaseKey, parent: parent.leaseKey });
    }
    void this.coordinator.runTakerSoon();
    return 'created';
  }

  // --- what each taker scan shows: holes, finished leases ------------------------------------

  private onScan(leases: readonly Lease[], scannedAtMs: number): void {
    if (this.currentState !== 'running') return;
    const holes = leaseHashRangeHoles(leases);
    if (
      holes === undefined &&
      leases.length > 0 &&
      this.hashRangeBackfill === undefined &&
      scannedAtMs - this.lastHashRangeBackfillAtMs >= HASH_RANGE_BACKFILL_INTERVAL_MS
    ) {
      // Rows from KCL versions before 2.3 have no hash range, which blinds the hole audit: fill them in.
      const missing = leases.filter(
        (lease) => !lease.hashKeyRange && !isLeaseFinished(lease) && !lease.leaseKey.includes(':'),
      );
      if (missing.length > 0) {
        this.lastHashRangeBackfillAtMs = scannedAtMs;
        this.hashRangeBackfill = this.backfillHashRanges(missing).finally(() => {
          this.hashRangeBackfill = undefined;
        });
      }
    }
    if (leases.length === 0) {
      this.logger.warn('The lease table is empty; syncing shards');
      void this.requestShardSync('empty lease table');
    } else if (this.holeAuditor.audit(holes)) {
      this.logger.warn('No lease covers part of the hash space; syncing shards', { holes });
      void this.requestShardSync('hash range holes');
    }
    if (
      this.options.cleanupLeasesUponShardCompletion &&
      this.cleanupRun === undefined &&
      scannedAtMs - this.lastCleanupAtMs >= this.options.leaseCleanupIntervalMs
    ) {
      this.lastCleanupAtMs = scannedAtMs;
      const finished = planLeaseCleanup(leases);
      if (finished.length > 0) {
        this.cleanupRun = this.deleteFinishedLeases(finished).finally(() => {
          this.cleanupRun = undefined;
        });
      }
    }
  }

  /** Writes the listed shards' hash ranges onto leases that have none (the KCL backfills them too). */
  private async backfillHashRanges(leases: readonly Lease[]): Promise<void> {
    try {
      const shards = await this.refreshShards(SHARD_LIST_MAX_AGE_MS);
      let filled = 0;
      for (const lease of leases) {
        if (this.currentState !== 'running') return;
        const shard = shards.get(shardIdOfLeaseKey(lease.leaseKey));
        if (!shard) continue; // trimmed: nothing to fill in, and its lease ends on its own
        const { startingHashKey, endingHashKey } = shard;
        const range = { startingHashKey, endingHashKey };
        if (await this.table.backfillHashKeyRange(lease.leaseKey, range, this.stopAbort.signal)) filled++;
      }
      if (filled > 0) this.logger.info('Hash ranges written onto leases that had none', { leases: filled });
    } catch (error) {
      if (this.stopAbort.signal.aborted) return;
      this.logger.warn('Filling in lease hash ranges failed; retrying at a later scan', {
        error: describeCause(error),
      });
    }
  }

  /** Deletes finished leases whose children have started (conditional on SHARD_END; others may race). */
  private async deleteFinishedLeases(leases: readonly Lease[]): Promise<void> {
    for (const lease of leases) {
      if (this.currentState !== 'running') return;
      try {
        const deleted = await this.table.deleteFinishedLease(lease.leaseKey, this.stopAbort.signal);
        if (!deleted) continue;
        this.recorder.deletedLeases++;
        this.logger.info('Finished lease deleted: its children have started', {
          leaseKey: lease.leaseKey,
          childShardIds: lease.childShardIds,
        });
        this.emit('lease:deleted', { leaseKey: lease.leaseKey });
      } catch (error) {
        if (this.stopAbort.signal.aborted) return;
        this.logger.warn('Deleting a finished lease failed; retrying at the next cleanup', {
          leaseKey: lease.leaseKey,
          error: describeCause(error),
        });
        this.emit('lease-table:error', { operation: 'delete-lease', error });
      }
    }
  }

  // --- leases and shard consumers -------------------------------------------------------------

  private onLeaseTaken({ lease, token, previousOwner, stolen }: LeaseAcquisition): void {
    this.recorder.takenLeases++;
    if (stolen) this.recorder.stolenLeases++;
    this.logger.info('Lease taken', { leaseKey: lease.leaseKey, previousOwner, stolen });
    this.emit('lease:taken', {
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
    this.emit('lease:lost', { leaseKey: lease.leaseKey, reason });
    const shard = this.running.get(lease.leaseKey);
    if (!shard || shard.token !== token) return;
    shard.consumer.leaseLost();
    if (shard.consumer.state === 'failed') {
      // A stopped shard kept its lease; now that the lease is gone, forget it too.
      this.running.delete(lease.leaseKey);
      this.recorder.closeShard(shard.consumer.shardId, shard.metrics);
    }
  }

  private startShardConsumer(lease: Lease, token: string): void {
    const shardId = shardIdOfLeaseKey(lease.leaseKey);
    const options = this.options;
    let delivery: Delivery;
    try {
      delivery = options.handler
        ? { kind: 'handler', handler: options.handler, checkpointIntervalMs: options.checkpointIntervalMs }
        : { kind: 'processor', processor: options.processor!(shardId) };
    } catch (error) {
      this.logger.error('The processor factory threw; releasing the lease', {
        shardId,
        error: describeCause(error),
      });
      this.emit('shard:failed', { shardId, error });
      void this.releaseLease(lease.leaseKey);
      return;
    }
    const metrics = this.recorder.openShard(shardId, lease.checkpoint);
    const shardInfo = this.shards.get(shardId);
    const consumer = new ShardConsumer({
      shardId,
      lease,
      token,
      store: this.coordinator.renewer,
      getLease: (leaseKey) => this.table.getLease(leaseKey),
      createChildLeases: (parent, children) => this.createChildLeases(parent, children),
      waitForParents: (parentShardIds, timeoutMs, signal) =>
        this.shardEnds.wait(parentShardIds, timeoutMs, signal),
      retrieval: this.retrievalFactory(metrics, lease.leaseKey, token),
      timestamp: initialPositionTimestamp(options.initialPosition),
      hashKeyRange:
        lease.hashKeyRange ??
        (shardInfo
          ? { startingHashKey: shardInfo.startingHashKey, endingHashKey: shardInfo.endingHashKey }
          : undefined),
      delivery,
      policy: {
        maxAttempts: options.maxProcessingAttempts,
        backoff: options.processingBackoff,
        deadLetter: options.onPoisonRecord !== undefined,
      },
      parentShardPollIntervalMs: options.parentShardPollIntervalMs,
      deliverEmptyBatches: options.deliverEmptyBatches,
      stalledShardWarningMs: options.stalledShardWarningMs,
      processingTimeoutMs: options.processingTimeoutMs,
      now: options.now,
      random: options.random,
      logger: this.logger,
      hooks: {
        onStateChange: (state) => {
          metrics.state = state;
        },
        onStarted: (checkpoint) => this.emit('shard:started', { shardId, checkpoint }),
        onProcessed: (records, bytes, millisBehindLatest) => {
          metrics.RecordsProcessed += records;
          metrics.DataBytesProcessed += bytes;
          if (millisBehindLatest !== undefined) metrics.MillisBehindLatest = millisBehindLatest;
          this.recorder.recordsProcessed += records;
          this.recorder.dataBytesProcessed += bytes;
          this.emit('batch:processed', { shardId, records, bytes, millisBehindLatest });
        },
        onCheckpoint: (checkpoint) => {
          metrics.checkpoint = checkpoint;
          this.recorder.checkpoints++;
          this.emit('checkpoint', { shardId, checkpoint });
        },
        onProcessingError: (error, attempt, willRetry) => {
          metrics.ProcessingFailures++;
          this.emit('processing:error', { shardId, error, attempt, willRetry });
        },
        onPoisonRecord: async (record, error, attempts) => {
          await options.onPoisonRecord?.({ ...this.streamIdentity(), shardId, record, error, attempts });
          metrics.PoisonRecords++;
          this.recorder.poisonRecords++;
          this.emit('record:poisoned', { shardId, record, error });
        },
        onFailed: (error) => this.emit('shard:failed', { shardId, error }),
        onShardEnd: (childShardIds) => {
          this.shardEnds.notify(lease.leaseKey);
          this.emit('shard:ended', { shardId, childShardIds });
        },
        onDiscard: (discard) =>
          this.logger.warn('User records dropped by deaggregation', { shardId, ...discard }),
        onError: (operation, error) => this.emit('lease-table:error', { operation, error }),
        onProgress: (atMs) => {
          metrics.lastProgressAtMs = atMs;
        },
        onStalled: (report) => this.emit('shard:stalled', { shardId, ...report }),
      },
    });
    const entry: RunningShard = { consumer, token, leaseKey: lease.leaseKey, metrics };
    this.running.set(lease.leaseKey, entry);
    void consumer.done.then((reason) => this.onShardConsumerDone(entry, reason, metrics));
    consumer.start();
  }

  private onShardConsumerDone(
    entry: RunningShard,
    reason: ShardShutdownReason,
    metrics: ReturnType<MetricsRecorder['openShard']>,
  ): void {
    const shardId = entry.consumer.shardId;
    this.emit('shard:stopped', { shardId, reason });
    if (reason === 'failed') return; // keeps the lease (and its metrics) so nothing else processes past the failure
    if (this.running.get(entry.leaseKey) === entry) this.running.delete(entry.leaseKey);
    this.recorder.closeShard(shardId, metrics);
    if (reason === 'shard-end' && this.coordinator.renewer.getLease(entry.leaseKey, entry.token)) {
      void this.releaseLease(entry.leaseKey);
    }
  }

  private async releaseLease(leaseKey: string, options?: LeaseReleaseOptions): Promise<void> {
    const written = await this.coordinator.renewer.release(leaseKey, options);
    if (written) this.recorder.releasedLeases++;
    this.emit('lease:released', { leaseKey, written });
  }

  private retrievalFactory(
    metrics: ReturnType<MetricsRecorder['openShard']>,
    leaseKey: string,
    token: string,
  ): RetrievalFactory {
    const options = this.options;
    const retrieval = options.retrieval;
    // Both retrievals confirm a shard "not found" with the listing before ending it (one shared listing).
    const shardStatus =
      (shardId: string): ShardStatusCheck =>
      async (maxAgeMs) => {
        try {
          return listedShardStatus(await this.refreshShards(maxAgeMs), shardId);
        } catch (error) {
          if (awsErrorCode(error) === 'ResourceNotFoundException') return 'gone'; // the stream is gone
          throw error;
        }
      };
    if (retrieval.mode === 'fan-out') {
      return ({ shardId, startingPosition }): ShardRecordsRetrieval =>
        new FanOutRetrieval({
          client: retrieval.subscribeClient,
          consumerArn: this.consumerArn!,
          shardId,
          startingPosition,
          subscriptionIdleTimeoutMs: retrieval.subscriptionIdleTimeoutMs,
          shardEndCheckAfterMs: retrieval.shardEndCheckAfterMs,
          backoff: options.retrievalBackoff,
          shardStatus: shardStatus(shardId),
          probeShardEnd: (position, signal) =>
            probeShardEnd({
              client: options.kinesisClient,
              stream: options.stream,
              shardId,
              position,
              requestTimeoutMs: options.kinesisRequestTimeoutMs,
              signal,
            }),
          verifyLease: () => this.coordinator.renewer.verify(leaseKey, token),
          now: options.now,
          random: options.random,
          logger: this.logger,
          onEvent: (event) => {
            switch (event.type) {
              case 'subscribed':
                metrics.SubscribeToShardCalls++;
                this.emit('subscription:started', { shardId, startingPosition: event.startingPosition });
                break;
              case 'subscription-ended':
                this.emit('subscription:ended', {
                  shardId,
                  reason: event.reason,
                  events: event.events,
                  error: event.error,
                });
                break;
              case 'event':
                if (event.millisBehindLatest !== undefined)
                  metrics.MillisBehindLatest = event.millisBehindLatest;
                break;
              case 'shard-end-check':
                if (event.closed) metrics.GetRecordsCalls++;
                break;
              case 'error':
                if (event.kind === 'throttling') metrics.ThrottledCalls++;
                else metrics.RetrievalErrors++;
                this.emit('retrieval:error', { shardId, operation: event.operation, error: event.error });
                break;
            }
          },
        });
    }
    return ({ shardId, startingPosition }) =>
      new PollingRetrieval({
        client: options.kinesisClient,
        stream: options.stream,
        shardId,
        startingPosition,
        maxRecordsPerFetch: options.maxRecordsPerFetch,
        idleTimeBetweenReadsMs: options.idleTimeBetweenReadsMs,
        prefetch: {
          maxBatches: options.maxPrefetchBatches,
          maxRecords: options.maxPrefetchRecords,
          maxBytes: options.maxPrefetchBytes,
        },
        requestTimeoutMs: options.kinesisRequestTimeoutMs,
        backoff: options.retrievalBackoff,
        shardStatus: shardStatus(shardId),
        now: options.now,
        random: options.random,
        logger: this.logger,
        onEvent: (event) => {
          if (event.type === 'get-records') {
            metrics.GetRecordsCalls++;
            if (event.millisBehindLatest !== undefined) metrics.MillisBehindLatest = event.millisBehindLatest;
          } else if (event.type === 'expired-iterator') {
            metrics.ExpiredIterator++;
          } else {
            if (event.kind === 'throttling') metrics.ThrottledCalls++;
            else metrics.RetrievalErrors++;
            this.emit('retrieval:error', { shardId, operation: event.operation, error: event.error });
          }
        },
      });
  }

  private async shutdownTimers(): Promise<void> {
    await this.shardSyncTimer.stop();
    await this.coordinator.stopTaking();
    for (const lease of this.coordinator.renewer.heldLeases()) this.coordinator.renewer.drop(lease.leaseKey);
    await this.coordinator.stopRenewing();
  }

  private streamParameters(): { StreamName: string } | { StreamARN: string } {
    const stream = this.options.stream;
    return 'streamArn' in stream ? { StreamARN: stream.streamArn } : { StreamName: stream.streamName };
  }

  private streamIdentity(): { streamName?: string; streamArn?: string } {
    const stream = this.options.stream;
    return 'streamArn' in stream ? { streamArn: stream.streamArn } : { streamName: stream.streamName };
  }

  private streamLabel(): string {
    const stream = this.options.stream;
    return 'streamArn' in stream ? stream.streamArn : stream.streamName;
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
