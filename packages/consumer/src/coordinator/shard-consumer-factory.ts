import { describeError, type Logger, SILENT_LOGGER } from '@kinesis-ts/core';
import type { ConsumerEventName, ConsumerEvents } from '../consumer-events.js';
import type { MetricsRecorder } from '../consumer-metrics.js';
import { type Lease, shardIdOfLeaseKey } from '../leases/lease.js';
import type { CheckpointStore } from '../leases/lease-store.js';
import type { ShardInfo } from '../leases/shard-sync-plan.js';
import { ShardConsumer } from '../lifecycle/shard-consumer.js';
import type { Delivery } from '../lifecycle/shard-consumer-options.js';
import type { ShardEndNotifier } from '../lifecycle/shard-end-notifier.js';
import type { ResolvedConsumerOptions } from '../options.js';
import { FanOutRetrieval } from '../retrieval/fanout/fan-out-retrieval.js';
import { initialPositionTimestamp } from '../retrieval/initial-position.js';
import { PollingRetrieval } from '../retrieval/polling/polling-retrieval.js';
import type { ChildShard, RetrievalFactory, ShardRecordsRetrieval } from '../retrieval/records-retrieval.js';
import { probeShardEnd } from '../retrieval/shard-end-probe.js';
import type { ShardStatusCheck } from '../retrieval/shard-status.js';
import { streamIdentity } from './stream.js';

/** Emits one of the consumer's events. */
export type EmitConsumerEvent = <E extends ConsumerEventName>(event: E, payload: ConsumerEvents[E]) => void;

/** One shard's figures in `metrics()`, as the recorder hands them out. */
export type ShardMetricsEntry = ReturnType<MetricsRecorder['openShard']>;

/** The consumer's options a shard consumer and its retrieval are built from. */
export type ShardConsumerFactoryConfig = Pick<
  ResolvedConsumerOptions,
  | 'stream'
  | 'kinesisClient'
  | 'handler'
  | 'processor'
  | 'checkpointIntervalMs'
  | 'initialPosition'
  | 'maxProcessingAttempts'
  | 'processingBackoff'
  | 'onPoisonRecord'
  | 'parentShardPollIntervalMs'
  | 'deliverEmptyBatches'
  | 'stalledShardWarningMs'
  | 'processingTimeoutMs'
  | 'retrieval'
  | 'maxRecordsPerFetch'
  | 'idleTimeBetweenReadsMs'
  | 'maxPrefetchBatches'
  | 'maxPrefetchRecords'
  | 'maxPrefetchBytes'
  | 'kinesisRequestTimeoutMs'
  | 'retrievalBackoff'
  | 'now'
  | 'random'
> &
  Partial<Pick<ResolvedConsumerOptions, 'idleTimeBetweenReadsWhenCaughtUpMs' | 'caughtUpThresholdMs'>>;

/** Options of {@link ShardConsumerFactory}. */
export interface ShardConsumerFactoryOptions {
  readonly config: ShardConsumerFactoryConfig;
  /** Where checkpoints go (the lease renewer), and whether a lease is still held (before a new subscription). */
  readonly leases: CheckpointStore & { verify(leaseKey: string, token: string): Promise<boolean> };
  /** Reads a lease (a shard consumer checks its parents). */
  readonly getLease: (leaseKey: string) => Promise<Lease | undefined>;
  /** Creates a finished shard's children's leases (the shard syncer). */
  readonly createChildLeases: (
    parent: Lease,
    children: readonly ChildShard[],
  ) => Promise<'created' | 'blocked'>;
  /** Wakes children waiting on parents that end on this worker. */
  readonly shardEnds: ShardEndNotifier;
  /** A shard as last listed (for the hash range of a lease that has none). */
  readonly shard: (shardId: string) => ShardInfo | undefined;
  /** Asks the shard listing about a shard (both retrievals confirm a shard's end with it). */
  readonly shardStatus: (shardId: string) => ShardStatusCheck;
  /** The registered stream consumer (fan-out), known once the consumer has started. */
  readonly consumerArn: () => string | undefined;
  readonly recorder: MetricsRecorder;
  readonly emit: EmitConsumerEvent;
  readonly logger?: Logger;
}

/** A shard consumer built for a lease, with its figures. */
export interface BuiltShardConsumer {
  readonly consumer: ShardConsumer;
  readonly metrics: ShardMetricsEntry;
}

/**
 * Builds the shard consumer of each lease taken (the KCL's `ShardConsumer` arguments and
 * `RecordsPublisher` choice): the delivery (handler, or a processor from the factory), the retrieval
 * (polling or fan-out, with the shard-end probe and the listing check), and the hooks that turn what
 * the shard consumer and its retrieval report into metrics and events.
 */
export class ShardConsumerFactory {
  private readonly options: ShardConsumerFactoryOptions;
  private readonly logger: Logger;

  constructor(options: ShardConsumerFactoryOptions) {
    this.options = options;
    this.logger = options.logger ?? SILENT_LOGGER;
  }

  /**
   * The shard consumer of `lease` taken with `token`, not started; `undefined` when the processor
   * factory threw (reported as `shard:failed`; the caller gives the lease back).
   */
  create(lease: Lease, token: string): BuiltShardConsumer | undefined {
    const { config, recorder, emit } = this.options;
    const shardId = shardIdOfLeaseKey(lease.leaseKey);
    let delivery: Delivery;
    try {
      delivery = config.handler
        ? { kind: 'handler', handler: config.handler, checkpointIntervalMs: config.checkpointIntervalMs }
        : { kind: 'processor', processor: config.processor!(shardId) };
    } catch (error) {
      this.logger.error('The processor factory threw; releasing the lease', {
        shardId,
        error: describeError(error),
      });
      emit('shard:failed', { shardId, error });
      return undefined;
    }
    const metrics = recorder.openShard(shardId, lease.checkpoint);
    const shardInfo = this.options.shard(shardId);
    const consumer = new ShardConsumer({
      shardId,
      lease,
      token,
      store: this.options.leases,
      getLease: this.options.getLease,
      createChildLeases: this.options.createChildLeases,
      waitForParents: (parentShardIds, timeoutMs, signal) =>
        this.options.shardEnds.wait(parentShardIds, timeoutMs, signal),
      retrieval: this.retrievalFactory(metrics, lease.leaseKey, token),
      timestamp: initialPositionTimestamp(config.initialPosition),
      hashKeyRange:
        lease.hashKeyRange ??
        (shardInfo
          ? { startingHashKey: shardInfo.startingHashKey, endingHashKey: shardInfo.endingHashKey }
          : undefined),
      delivery,
      policy: {
        maxAttempts: config.maxProcessingAttempts,
        backoff: config.processingBackoff,
        deadLetter: config.onPoisonRecord !== undefined,
      },
      parentShardPollIntervalMs: config.parentShardPollIntervalMs,
      deliverEmptyBatches: config.deliverEmptyBatches,
      stalledShardWarningMs: config.stalledShardWarningMs,
      processingTimeoutMs: config.processingTimeoutMs,
      now: config.now,
      random: config.random,
      logger: this.logger,
      hooks: {
        onStateChange: (state) => {
          metrics.state = state;
        },
        onStarted: (checkpoint) => emit('shard:started', { shardId, checkpoint }),
        onProcessed: (records, bytes, millisBehindLatest) => {
          metrics.RecordsProcessed += records;
          metrics.DataBytesProcessed += bytes;
          if (millisBehindLatest !== undefined) metrics.MillisBehindLatest = millisBehindLatest;
          recorder.recordsProcessed += records;
          recorder.dataBytesProcessed += bytes;
          emit('batch:processed', { shardId, records, bytes, millisBehindLatest });
        },
        onCheckpoint: (checkpoint) => {
          metrics.checkpoint = checkpoint;
          recorder.checkpoints++;
          emit('checkpoint', { shardId, checkpoint });
        },
        onProcessingError: (error, attempt, willRetry) => {
          metrics.ProcessingFailures++;
          emit('processing:error', { shardId, error, attempt, willRetry });
        },
        onPoisonRecord: async (record, error, attempts) => {
          await config.onPoisonRecord?.({
            ...streamIdentity(config.stream),
            shardId,
            record,
            error,
            attempts,
          });
          metrics.PoisonRecords++;
          recorder.poisonRecords++;
          emit('record:poisoned', { shardId, record, error });
        },
        onFailed: (error) => emit('shard:failed', { shardId, error }),
        onShardEnd: (childShardIds) => {
          this.options.shardEnds.notify(lease.leaseKey);
          emit('shard:ended', { shardId, childShardIds });
        },
        onDiscard: (discard) =>
          this.logger.warn('User records dropped by deaggregation', { shardId, ...discard }),
        onError: (operation, error) => emit('lease-table:error', { operation, error }),
        onProgress: (atMs) => {
          metrics.lastProgressAtMs = atMs;
        },
        onStalled: (report) => emit('shard:stalled', { shardId, ...report }),
      },
    });
    return { consumer, metrics };
  }

  /** The retrieval of one shard consumer: fan-out or polling, reporting into the shard's figures. */
  private retrievalFactory(metrics: ShardMetricsEntry, leaseKey: string, token: string): RetrievalFactory {
    const { config, emit } = this.options;
    const retrieval = config.retrieval;
    if (retrieval.mode === 'fan-out') {
      return ({ shardId, startingPosition }): ShardRecordsRetrieval =>
        new FanOutRetrieval({
          client: retrieval.subscribeClient,
          consumerArn: this.options.consumerArn()!,
          shardId,
          startingPosition,
          subscriptionIdleTimeoutMs: retrieval.subscriptionIdleTimeoutMs,
          shardEndCheckAfterMs: retrieval.shardEndCheckAfterMs,
          backoff: config.retrievalBackoff,
          shardStatus: this.options.shardStatus(shardId),
          probeShardEnd: (position, signal) =>
            probeShardEnd({
              client: config.kinesisClient,
              stream: config.stream,
              shardId,
              position,
              requestTimeoutMs: config.kinesisRequestTimeoutMs,
              signal,
            }),
          verifyLease: () => this.options.leases.verify(leaseKey, token),
          now: config.now,
          random: config.random,
          logger: this.logger,
          onEvent: (event) => {
            switch (event.type) {
              case 'subscribed':
                metrics.SubscribeToShardCalls++;
                emit('subscription:started', { shardId, startingPosition: event.startingPosition });
                break;
              case 'subscription-ended':
                emit('subscription:ended', {
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
                emit('retrieval:error', { shardId, operation: event.operation, error: event.error });
                break;
            }
          },
        });
    }
    return ({ shardId, startingPosition }) =>
      new PollingRetrieval({
        client: config.kinesisClient,
        stream: config.stream,
        shardId,
        startingPosition,
        maxRecordsPerFetch: config.maxRecordsPerFetch,
        idleTimeBetweenReadsMs: config.idleTimeBetweenReadsMs,
        idleTimeBetweenReadsWhenCaughtUpMs: config.idleTimeBetweenReadsWhenCaughtUpMs,
        caughtUpThresholdMs: config.caughtUpThresholdMs,
        prefetch: {
          maxBatches: config.maxPrefetchBatches,
          maxRecords: config.maxPrefetchRecords,
          maxBytes: config.maxPrefetchBytes,
        },
        requestTimeoutMs: config.kinesisRequestTimeoutMs,
        backoff: config.retrievalBackoff,
        shardStatus: this.options.shardStatus(shardId),
        now: config.now,
        random: config.random,
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
            emit('retrieval:error', { shardId, operation: event.operation, error: event.error });
          }
        },
      });
  }
}
