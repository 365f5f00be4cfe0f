import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import {
  type BackoffPolicy,
  describeValue,
  GET_RECORDS_MAX_LIMIT,
  type Logger,
  type RandomSource,
  ValidationError,
  validateBackoffPolicy,
  validateBooleanOption,
  validateIntegerOption,
} from '@kinesis-ts/core';
import type {
  PoisonRecord,
  RecordHandler,
  ShardRecordProcessorFactory,
} from './processor/record-processor.js';
import type { InitialPosition } from './retrieval/initial-position.js';

/** Read shards with GetRecords (shared read throughput: 5 calls and 2 MiB per second per shard). */
export interface PollingRetrievalConfig {
  /** Polling with GetRecords (the default when `retrieval` is not given). */
  readonly mode: 'polling';
}

/**
 * Read shards through enhanced fan-out (`SubscribeToShard`): each registered consumer gets its own
 * 2 MiB/s per shard and records are pushed (about 70 ms after they are written, on average).
 */
export interface FanOutRetrievalConfig {
  /** Enhanced fan-out with SubscribeToShard. */
  readonly mode: 'fan-out';
  /**
   * The stream consumer to register (or find) at start; all workers of the application share it.
   * Give this or `consumerArn`. @defaultValue applicationName
   */
  readonly consumerName?: string;
  /** A consumer registered beforehand (no registration calls at start). Give this or `consumerName`. */
  readonly consumerArn?: string;
  /**
   * The client for `SubscribeToShard` (one long-lived request per held shard). Real Kinesis requires
   * HTTP/2 for it: a `KinesisClient` with a `NodeHttp2Handler`. The local emulator and LocalStack need
   * HTTP/1.1 (`NodeHttpHandler`). Other calls use `kinesisClient`. @defaultValue kinesisClient
   */
  readonly subscribeClient?: KinesisClient;
  /** How long `start()` waits for the stream consumer to become ACTIVE. @defaultValue 120000 */
  readonly consumerRegistrationTimeoutMs?: number;
  /**
   * A subscription that delivers no event for this long (events come every 5 s even when idle) is
   * aborted and renewed. From 100. @defaultValue 30000
   */
  readonly subscriptionIdleTimeoutMs?: number;
  /**
   * After this long without progress on a subscription, check whether the shard is closed and, if
   * so, confirm its end with one GetRecords call: the local emulator and LocalStack never send the
   * final event of a closed shard. 0 disables the check (real Kinesis always sends it). @defaultValue 10000
   */
  readonly shardEndCheckAfterMs?: number;
}

/** How shards are read. */
export type RetrievalConfig = PollingRetrievalConfig | FanOutRetrievalConfig;

/**
 * Options of `KinesisConsumer`. Times are in milliseconds, sizes in bytes. Give exactly one of
 * `handler` and `processor`, and one of `streamName` and `streamArn`.
 */
export interface KinesisConsumerOptions {
  /** The stream to consume. Give this or `streamArn`. */
  readonly streamName?: string;
  /** The stream's ARN (cross-account access). Give this or `streamName`. */
  readonly streamArn?: string;
  /**
   * The application's name: workers with the same name share the stream's shards through one lease
   * table, named after the application unless `leaseTableName` says otherwise.
   */
  readonly applicationName: string;
  /** The DynamoDB table holding leases and checkpoints (the KCL's `tableName`). @defaultValue applicationName */
  readonly leaseTableName?: string;
  /**
   * The Kinesis client to read with (SDK v3). The consumer runs its own retries and disables the
   * SDK's for its calls. For kinesis-local or LocalStack, give it an HTTP/1.1 `NodeHttpHandler`.
   */
  readonly kinesisClient: KinesisClient;
  /** The DynamoDB client for the lease table (SDK v3). */
  readonly dynamoDbClient: DynamoDBClient;
  /**
   * This worker's id in the lease table (`leaseOwner`). Must be unique among the application's
   * running workers. @defaultValue `<hostname>:<random UUID>`
   */
  readonly workerId?: string;
  /**
   * Where to start reading shards that have no checkpoint yet: `'TRIM_HORIZON'`, `'LATEST'` or
   * `{ timestamp }`. Shards with a checkpoint always resume from it. Required: the KCL's two
   * defaults (LATEST in code, TRIM_HORIZON in its docs) have confused enough people.
   */
  readonly initialPosition: InitialPosition;

  /**
   * Called with each non-empty batch of deaggregated records, in shard order; the batch is
   * checkpointed when it resolves. Give this or `processor`.
   */
  readonly handler?: RecordHandler;
  /**
   * Makes a KCL-shaped processor per shard (`initialize`, `processRecords`, `leaseLost`,
   * `shardEnded`, `shutdownRequested`); the application checkpoints. Give this or `handler`.
   */
  readonly processor?: ShardRecordProcessorFactory;

  /**
   * How long a lease stays valid without renewal: a worker that stops renewing loses its leases
   * after this, and others take them within about twice this. From 1 000. (The KCL's `failoverTimeMillis`.)
   * @defaultValue 10000
   */
  readonly failoverTimeMs?: number;
  /**
   * How often held leases are renewed (one conditional write per lease). At most half of
   * `failoverTimeMs`. @defaultValue failoverTimeMs / 3 − 25 (3 308 at the default failover time, as the KCL)
   */
  readonly leaseRenewalIntervalMs?: number;
  /**
   * How often the lease table is scanned to take expired or unowned leases and balance the load.
   * Each run is one Scan of the table. The KCL uses 2 × (failoverTimeMs + 25); the shorter default
   * bounds the takeover of a dead worker's shards to about 2 × failoverTimeMs.
   * @defaultValue failoverTimeMs / 2
   */
  readonly leaseTakerIntervalMs?: number;
  /** The most leases this worker holds. @defaultValue Infinity */
  readonly maxLeasesForWorker?: number;
  /** The most leases stolen from a busier worker in one taker run. @defaultValue 1 */
  readonly maxLeasesToStealAtOneTime?: number;
  /**
   * Take leases nobody renewed for 3 × `failoverTimeMs` (and brand-new ones) first, ignoring the
   * fair share (the KCL's `enablePriorityLeaseAssignment`). @defaultValue true
   */
  readonly enablePriorityLeaseAssignment?: boolean;
  /**
   * On `stop()`, release every lease with a conditional write (`REMOVE leaseOwner`) after the final
   * checkpoint, so other workers take the shards at once instead of after the failover time. The
   * KCL does not; set false to behave like it. @defaultValue true
   */
  readonly releaseLeasesOnStop?: boolean;
  /** Create the lease table (on-demand billing) when it does not exist. @defaultValue true */
  readonly createLeaseTableIfMissing?: boolean;
  /** How long `start()` waits for a new lease table to become ACTIVE. @defaultValue 600000 */
  readonly leaseTableReadyTimeoutMs?: number;
  /** How often the shard list is compared with the lease table to create missing leases. @defaultValue 60000 */
  readonly shardSyncIntervalMs?: number;
  /**
   * How often a child shard reads its parents' leases while it waits for them to reach SHARD_END.
   * A parent finished by this worker wakes its children at once. @defaultValue 1000
   */
  readonly parentShardPollIntervalMs?: number;
  /**
   * Delete a finished (SHARD_END) lease once its parents' leases are gone and all its children have
   * started (the KCL's `cleanupLeasesUponShardCompletion`). @defaultValue true
   */
  readonly cleanupLeasesUponShardCompletion?: boolean;
  /** The least time between two finished-lease cleanups by this worker (each reuses a taker scan). @defaultValue 60000 */
  readonly leaseCleanupIntervalMs?: number;
  /**
   * How long one DynamoDB call may take before it is aborted (every lease-table call has this
   * deadline). Also the margin `stop()` may take past `shutdownTimeoutMs` for lease releases.
   * @defaultValue 10000
   */
  readonly dynamoDbRequestTimeoutMs?: number;

  /**
   * How shards are read: `{ mode: 'polling' }` (GetRecords) or `{ mode: 'fan-out', consumerName?,
   * consumerArn?, subscribeClient?… }` (SubscribeToShard). The options below up to
   * `retrievalBackoff` are polling's, except `kinesisRequestTimeoutMs` and `retrievalBackoff`, which
   * apply to both. @defaultValue { mode: 'polling' }
   */
  readonly retrieval?: RetrievalConfig;
  /** `Limit` of each GetRecords call, 1 to 10 000. @defaultValue 10000 */
  readonly maxRecordsPerFetch?: number;
  /**
   * The least time between two GetRecords calls on a shard, from 200 (a shard allows 5 calls/s for
   * all of its readers together). @defaultValue 1000
   */
  readonly idleTimeBetweenReadsMs?: number;
  /** Batches fetched ahead of the processor per shard. @defaultValue 3 */
  readonly maxPrefetchBatches?: number;
  /** Kinesis records (aggregates count once) fetched ahead of the processor per shard. @defaultValue 30000 */
  readonly maxPrefetchRecords?: number;
  /** Bytes of record data fetched ahead of the processor per shard. @defaultValue 8388608 (8 MiB) */
  readonly maxPrefetchBytes?: number;
  /**
   * How long one Kinesis call may take before it is aborted: every call has this deadline
   * (DescribeStreamSummary and ListShards at start and in shard syncs, GetShardIterator, GetRecords,
   * the fan-out registration calls). @defaultValue 30000
   */
  readonly kinesisRequestTimeoutMs?: number;
  /** Backoff of GetRecords/GetShardIterator after throttling or errors. @defaultValue { baseDelayMs: 1000, maxDelayMs: 10000 } */
  readonly retrievalBackoff?: BackoffPolicy;

  /**
   * Tries at the same record before giving up: of a batch, of its rest after a partial failure
   * (`PartialBatchFailureError`: progress starts the count again), of a record when isolating a poison
   * record. @defaultValue 5
   */
  readonly maxProcessingAttempts?: number;
  /** Backoff between tries of a failing batch. @defaultValue { baseDelayMs: 200, maxDelayMs: 10000 } */
  readonly processingBackoff?: BackoffPolicy;
  /**
   * Receives each record that still fails after `maxProcessingAttempts` (tried alone), with its
   * metadata and last error; processing then moves past it. Without it, a batch that keeps failing
   * stops its shard (nothing skipped; the lease stays held). If it throws, the shard stops.
   * `deadLetterTo(sink)` makes one that writes dead letters (e.g. to a `KinesisDeadLetterSink`).
   */
  readonly onPoisonRecord?: (poison: PoisonRecord) => Promise<void> | void;
  /**
   * Handler path: the least time between checkpoints written after batches. 0 checkpoints after
   * every batch; more saves DynamoDB writes at the price of more records delivered again after a
   * crash (never after `stop()`, which checkpoints). @defaultValue 0
   */
  readonly checkpointIntervalMs?: number;
  /** Call the handler/processor with empty batches too (the KCL's `callProcessRecordsEvenForEmptyRecordList`). @defaultValue false */
  readonly deliverEmptyBatches?: boolean;
  /**
   * A batch in delivery that makes no progress (no checkpoint, no records done) for this long emits
   * `shard:stalled` and logs a warning, then again at each further multiple while it stays stuck.
   * The lease stays renewed meanwhile, so without this a hung handler is silent. 0 or at least 100;
   * 0 turns the reports off. (The KCL's `logWarningForTaskAfterMillis`, unset there by default.)
   * @defaultValue 60000 (a minute: above a healthy batch that waits out one 30 s SDK timeout and a
   * retry, and within one 1-minute alarm period of a hang)
   */
  readonly stalledShardWarningMs?: number;
  /**
   * Abort a try of the handler (or `processRecords`) that runs longer than this: its context's
   * `signal` is aborted and the try counts as failed with a `ProcessingTimeoutError`
   * (`PROCESSING_TIMEOUT`), so `maxProcessingAttempts` and `onPoisonRecord` apply as to any failure.
   * The next try only starts once the timed-out one has returned: a handler that ignores its signal
   * keeps its shard waiting (and reported by `shard:stalled`). 0 or at least 100; 0: no timeout.
   * @defaultValue 0 (no timeout: how long a batch may take is the application's call)
   */
  readonly processingTimeoutMs?: number;
  /**
   * `stop()`'s budget, counted from the call: winding down, then batches in delivery and
   * `shutdownRequested` (shards that do not finish keep their leases unreleased), then retries of
   * failed lease releases. `stop()` resolves within `shutdownTimeoutMs + dynamoDbRequestTimeoutMs`.
   * @defaultValue 30000
   */
  readonly shutdownTimeoutMs?: number;

  /** Where diagnostics go. @defaultValue a logger that discards everything */
  readonly logger?: Logger;
  /** The clock, in ms since the epoch (tests). @defaultValue Date.now */
  readonly now?: () => number;
  /** Uniform random numbers in [0, 1) (tests). @defaultValue Math.random */
  readonly random?: RandomSource;
}

/** The defaults of every option that has a fixed one. */
export const DEFAULT_CONSUMER_OPTIONS = {
  failoverTimeMs: 10_000,
  maxLeasesForWorker: Number.POSITIVE_INFINITY,
  maxLeasesToStealAtOneTime: 1,
  enablePriorityLeaseAssignment: true,
  releaseLeasesOnStop: true,
  createLeaseTableIfMissing: true,
  leaseTableReadyTimeoutMs: 600_000,
  shardSyncIntervalMs: 60_000,
  parentShardPollIntervalMs: 1_000,
  cleanupLeasesUponShardCompletion: true,
  leaseCleanupIntervalMs: 60_000,
  dynamoDbRequestTimeoutMs: 10_000,
  retrieval: { mode: 'polling' },
  maxRecordsPerFetch: GET_RECORDS_MAX_LIMIT,
  idleTimeBetweenReadsMs: 1_000,
  maxPrefetchBatches: 3,
  maxPrefetchRecords: 30_000,
  maxPrefetchBytes: 8 * 1024 * 1024,
  kinesisRequestTimeoutMs: 30_000,
  retrievalBackoff: { baseDelayMs: 1_000, maxDelayMs: 10_000 },
  maxProcessingAttempts: 5,
  processingBackoff: { baseDelayMs: 200, maxDelayMs: 10_000 },
  checkpointIntervalMs: 0,
  deliverEmptyBatches: false,
  stalledShardWarningMs: 60_000,
  processingTimeoutMs: 0,
  shutdownTimeoutMs: 30_000,
} as const;

/** The defaults of the `retrieval: { mode: 'fan-out' }` options. */
export const DEFAULT_FAN_OUT_OPTIONS = {
  consumerRegistrationTimeoutMs: 120_000,
  subscriptionIdleTimeoutMs: 30_000,
  shardEndCheckAfterMs: 10_000,
} as const;

/** The smallest `failoverTimeMs`: below it renewals cannot keep up with DynamoDB latency. */
export const MIN_FAILOVER_TIME_MS = 1_000;
/** The smallest `idleTimeBetweenReadsMs`: 5 calls per second, a shard's limit for all readers. */
export const MIN_IDLE_TIME_BETWEEN_READS_MS = 200;

/** The retrieval after defaults and validation. */
export type ResolvedRetrieval =
  | { readonly mode: 'polling' }
  | {
      readonly mode: 'fan-out';
      readonly consumerName: string;
      readonly consumerArn: string | undefined;
      readonly subscribeClient: KinesisClient;
      readonly consumerRegistrationTimeoutMs: number;
      readonly subscriptionIdleTimeoutMs: number;
      readonly shardEndCheckAfterMs: number;
    };

/** The options after defaults and validation. */
export interface ResolvedConsumerOptions {
  readonly stream: { readonly streamName: string } | { readonly streamArn: string };
  readonly applicationName: string;
  readonly leaseTableName: string;
  readonly kinesisClient: KinesisClient;
  readonly dynamoDbClient: DynamoDBClient;
  readonly workerId: string;
  readonly initialPosition: InitialPosition;
  readonly handler: RecordHandler | undefined;
  readonly processor: ShardRecordProcessorFactory | undefined;
  readonly failoverTimeMs: number;
  readonly leaseRenewalIntervalMs: number;
  readonly leaseTakerIntervalMs: number;
  readonly maxLeasesForWorker: number;
  readonly maxLeasesToStealAtOneTime: number;
  readonly enablePriorityLeaseAssignment: boolean;
  readonly releaseLeasesOnStop: boolean;
  readonly createLeaseTableIfMissing: boolean;
  readonly leaseTableReadyTimeoutMs: number;
  readonly shardSyncIntervalMs: number;
  readonly parentShardPollIntervalMs: number;
  readonly cleanupLeasesUponShardCompletion: boolean;
  readonly leaseCleanupIntervalMs: number;
  readonly dynamoDbRequestTimeoutMs: number;
  readonly retrieval: ResolvedRetrieval;
  readonly maxRecordsPerFetch: number;
  readonly idleTimeBetweenReadsMs: number;
  readonly maxPrefetchBatches: number;
  readonly maxPrefetchRecords: number;
  readonly maxPrefetchBytes: number;
  readonly kinesisRequestTimeoutMs: number;
  readonly retrievalBackoff: BackoffPolicy;
  readonly maxProcessingAttempts: number;
  readonly processingBackoff: BackoffPolicy;
  readonly onPoisonRecord: ((poison: PoisonRecord) => Promise<void> | void) | undefined;
  readonly checkpointIntervalMs: number;
  readonly deliverEmptyBatches: boolean;
  readonly stalledShardWarningMs: number;
  readonly processingTimeoutMs: number;
  readonly shutdownTimeoutMs: number;
  readonly logger: Logger | undefined;
  readonly now: () => number;
  readonly random: RandomSource;
}

const KNOWN_OPTIONS = new Set<string>([
  'streamName',
  'streamArn',
  'applicationName',
  'leaseTableName',
  'kinesisClient',
  'dynamoDbClient',
  'workerId',
  'initialPosition',
  'handler',
  'processor',
  'failoverTimeMs',
  'leaseRenewalIntervalMs',
  'leaseTakerIntervalMs',
  'maxLeasesForWorker',
  'maxLeasesToStealAtOneTime',
  'enablePriorityLeaseAssignment',
  'releaseLeasesOnStop',
  'createLeaseTableIfMissing',
  'leaseTableReadyTimeoutMs',
  'shardSyncIntervalMs',
  'parentShardPollIntervalMs',
  'cleanupLeasesUponShardCompletion',
  'leaseCleanupIntervalMs',
  'dynamoDbRequestTimeoutMs',
  'retrieval',
  'maxRecordsPerFetch',
  'idleTimeBetweenReadsMs',
  'maxPrefetchBatches',
  'maxPrefetchRecords',
  'maxPrefetchBytes',
  'kinesisRequestTimeoutMs',
  'retrievalBackoff',
  'maxProcessingAttempts',
  'processingBackoff',
  'onPoisonRecord',
  'checkpointIntervalMs',
  'deliverEmptyBatches',
  'stalledShardWarningMs',
  'processingTimeoutMs',
  'shutdownTimeoutMs',
  'logger',
  'now',
  'random',
]);

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Applies the defaults and checks every option, throwing a `ValidationError` (code
 * `INVALID_OPTION`) that names the first offending one.
 */
export function resolveConsumerOptions(options: KinesisConsumerOptions): ResolvedConsumerOptions {
  if (options === null || typeof options !== 'object') {
    throw invalid('options', 'an options object', `got ${describeValue(options)}`);
  }
  for (const name of Object.keys(options)) {
    if (!KNOWN_OPTIONS.has(name)) throw invalid(name, 'a known option', 'unknown option');
  }
  const d = DEFAULT_CONSUMER_OPTIONS;
  const stream = resolveStream(options);
  const applicationName = requireName('applicationName', options.applicationName);
  const leaseTableName = requireName('leaseTableName', options.leaseTableName ?? applicationName);
  if (!/^[A-Za-z0-9_.-]{3,255}$/.test(leaseTableName)) {
    throw invalid(
      options.leaseTableName === undefined ? 'applicationName' : 'leaseTableName',
      'a DynamoDB table name: 3 to 255 of A-Z a-z 0-9 _ . -',
      `got "${leaseTableName}"`,
    );
  }
  requireClient('kinesisClient', options.kinesisClient);
  requireClient('dynamoDbClient', options.dynamoDbClient);
  const workerId = options.workerId ?? `${hostname()}:${randomUUID()}`;
  if (typeof workerId !== 'string' || workerId.length === 0) {
    throw invalid('workerId', 'a non-empty string', `got ${JSON.stringify(workerId)}`);
  }
  const initialPosition = resolveInitialPosition(options.initialPosition);
  if (options.handler !== undefined && options.processor !== undefined) {
    throw invalid(
      'processor',
      'either handler or processor, not both',
      'both handler and processor were given',
    );
  }
  if (options.handler === undefined && options.processor === undefined) {
    throw invalid(
      'handler',
      'a handler function or a processor factory',
      'neither handler nor processor was given',
    );
  }
  if (options.handler !== undefined && typeof options.handler !== 'function') {
    throw invalid(
      'handler',
      'a function (records, context) => Promise<void>',
      `got ${typeof options.handler}`,
    );
  }
  if (options.processor !== undefined && typeof options.processor !== 'function') {
    throw invalid(
      'processor',
      'a function (shardId) => ShardRecordProcessor',
      `got ${typeof options.processor}`,
    );
  }

  const failoverTimeMs = validateIntegerOption(
    'failoverTimeMs',
    options.failoverTimeMs ?? d.failoverTimeMs,
    MIN_FAILOVER_TIME_MS,
    DAY_MS,
  );
  const leaseRenewalIntervalMs = validateIntegerOption(
    'leaseRenewalIntervalMs',
    options.leaseRenewalIntervalMs ?? Math.floor(failoverTimeMs / 3) - 25,
    50,
    Math.floor(failoverTimeMs / 2),
  );
  const leaseTakerIntervalMs = validateIntegerOption(
    'leaseTakerIntervalMs',
    options.leaseTakerIntervalMs ?? Math.floor(failoverTimeMs / 2),
    100,
    DAY_MS,
  );
  const maxLeasesForWorker = validateIntegerOption(
    'maxLeasesForWorker',
    options.maxLeasesForWorker ?? d.maxLeasesForWorker,
    1,
    Number.POSITIVE_INFINITY,
    { allowInfinity: true },
  );
  const maxLeasesToStealAtOneTime = validateIntegerOption(
    'maxLeasesToStealAtOneTime',
    options.maxLeasesToStealAtOneTime ?? d.maxLeasesToStealAtOneTime,
    0,
    10_000,
  );
  const processingBackoff = validateBackoffPolicy(
    resolveBackoff('processingBackoff', options.processingBackoff, d.processingBackoff),
    'processingBackoff.',
  );
  const retrievalBackoff = validateBackoffPolicy(
    resolveBackoff('retrievalBackoff', options.retrievalBackoff, d.retrievalBackoff),
    'retrievalBackoff.',
  );
  for (const name of ['logger', 'onPoisonRecord', 'now', 'random'] as const) {
    const value = options[name];
    if (value !== undefined && typeof value !== (name === 'logger' ? 'object' : 'function')) {
      throw invalid(name, name === 'logger' ? 'a Logger object' : 'a function', `got ${typeof value}`);
    }
  }

  return {
    stream,
    applicationName,
    leaseTableName,
    kinesisClient: options.kinesisClient,
    dynamoDbClient: options.dynamoDbClient,
    workerId,
    initialPosition,
    handler: options.handler,
    processor: options.processor,
    failoverTimeMs,
    leaseRenewalIntervalMs,
    leaseTakerIntervalMs,
    maxLeasesForWorker,
    maxLeasesToStealAtOneTime,
    enablePriorityLeaseAssignment: bool(
      'enablePriorityLeaseAssignment',
      options.enablePriorityLeaseAssignment,
      d.enablePriorityLeaseAssignment,
    ),
    releaseLeasesOnStop: bool('releaseLeasesOnStop', options.releaseLeasesOnStop, d.releaseLeasesOnStop),
    createLeaseTableIfMissing: bool(
      'createLeaseTableIfMissing',
      options.createLeaseTableIfMissing,
      d.createLeaseTableIfMissing,
    ),
    leaseTableReadyTimeoutMs: validateIntegerOption(
      'leaseTableReadyTimeoutMs',
      options.leaseTableReadyTimeoutMs ?? d.leaseTableReadyTimeoutMs,
      0,
      DAY_MS,
    ),
    shardSyncIntervalMs: validateIntegerOption(
      'shardSyncIntervalMs',
      options.shardSyncIntervalMs ?? d.shardSyncIntervalMs,
      1_000,
      DAY_MS,
    ),
    parentShardPollIntervalMs: validateIntegerOption(
      'parentShardPollIntervalMs',
      options.parentShardPollIntervalMs ?? d.parentShardPollIntervalMs,
      10,
      DAY_MS,
    ),
    cleanupLeasesUponShardCompletion: bool(
      'cleanupLeasesUponShardCompletion',
      options.cleanupLeasesUponShardCompletion,
      d.cleanupLeasesUponShardCompletion,
    ),
    leaseCleanupIntervalMs: validateIntegerOption(
      'leaseCleanupIntervalMs',
      options.leaseCleanupIntervalMs ?? d.leaseCleanupIntervalMs,
      0,
      DAY_MS,
    ),
    retrieval: resolveRetrieval(options.retrieval, applicationName, options.kinesisClient),
    dynamoDbRequestTimeoutMs: validateIntegerOption(
      'dynamoDbRequestTimeoutMs',
      options.dynamoDbRequestTimeoutMs ?? d.dynamoDbRequestTimeoutMs,
      100,
      DAY_MS,
    ),
    maxRecordsPerFetch: validateIntegerOption(
      'maxRecordsPerFetch',
      options.maxRecordsPerFetch ?? d.maxRecordsPerFetch,
      1,
      GET_RECORDS_MAX_LIMIT,
    ),
    idleTimeBetweenReadsMs: validateIntegerOption(
      'idleTimeBetweenReadsMs',
      options.idleTimeBetweenReadsMs ?? d.idleTimeBetweenReadsMs,
      MIN_IDLE_TIME_BETWEEN_READS_MS,
      DAY_MS,
    ),
    maxPrefetchBatches: validateIntegerOption(
      'maxPrefetchBatches',
      options.maxPrefetchBatches ?? d.maxPrefetchBatches,
      1,
      1_000,
    ),
    maxPrefetchRecords: validateIntegerOption(
      'maxPrefetchRecords',
      options.maxPrefetchRecords ?? d.maxPrefetchRecords,
      1,
      10_000_000,
    ),
    maxPrefetchBytes: validateIntegerOption(
      'maxPrefetchBytes',
      options.maxPrefetchBytes ?? d.maxPrefetchBytes,
      1,
      2 ** 40,
    ),
    kinesisRequestTimeoutMs: validateIntegerOption(
      'kinesisRequestTimeoutMs',
      options.kinesisRequestTimeoutMs ?? d.kinesisRequestTimeoutMs,
      100,
      DAY_MS,
    ),
    retrievalBackoff,
    maxProcessingAttempts: validateIntegerOption(
      'maxProcessingAttempts',
      options.maxProcessingAttempts ?? d.maxProcessingAttempts,
      1,
      1_000_000,
    ),
    processingBackoff,
    onPoisonRecord: options.onPoisonRecord,
    checkpointIntervalMs: validateIntegerOption(
      'checkpointIntervalMs',
      options.checkpointIntervalMs ?? d.checkpointIntervalMs,
      0,
      DAY_MS,
    ),
    deliverEmptyBatches: bool('deliverEmptyBatches', options.deliverEmptyBatches, d.deliverEmptyBatches),
    stalledShardWarningMs: zeroOrAtLeast100(
      'stalledShardWarningMs',
      options.stalledShardWarningMs ?? d.stalledShardWarningMs,
    ),
    processingTimeoutMs: zeroOrAtLeast100(
      'processingTimeoutMs',
      options.processingTimeoutMs ?? d.processingTimeoutMs,
    ),
    shutdownTimeoutMs: validateIntegerOption(
      'shutdownTimeoutMs',
      options.shutdownTimeoutMs ?? d.shutdownTimeoutMs,
      0,
      DAY_MS,
    ),
    logger: options.logger,
    now: options.now ?? Date.now,
    random: options.random ?? Math.random,
  };
}

const FAN_OUT_KEYS = new Set([
  'mode',
  'consumerName',
  'consumerArn',
  'subscribeClient',
  'consumerRegistrationTimeoutMs',
  'subscriptionIdleTimeoutMs',
  'shardEndCheckAfterMs',
]);

function resolveRetrieval(
  value: RetrievalConfig | undefined,
  applicationName: string,
  kinesisClient: KinesisClient,
): ResolvedRetrieval {
  if (value === undefined) return DEFAULT_CONSUMER_OPTIONS.retrieval;
  if (value === null || typeof value !== 'object') {
    throw invalid(
      'retrieval',
      "{ mode: 'polling' } or { mode: 'fan-out', … }",
      `got ${describeValue(value)}`,
    );
  }
  if (value.mode === 'polling') {
    for (const name of Object.keys(value)) {
      if (name !== 'mode') throw invalid(`retrieval.${name}`, 'a known option', 'unknown option for polling');
    }
    return DEFAULT_CONSUMER_OPTIONS.retrieval;
  }
  if (value.mode !== 'fan-out') {
    throw invalid(
      'retrieval.mode',
      "'polling' or 'fan-out'",
      `got ${JSON.stringify((value as { mode?: unknown }).mode)}`,
    );
  }
  for (const name of Object.keys(value)) {
    if (!FAN_OUT_KEYS.has(name))
      throw invalid(`retrieval.${name}`, 'a known option', 'unknown option for fan-out');
  }
  if (value.consumerName !== undefined && value.consumerArn !== undefined) {
    throw invalid('retrieval.consumerArn', 'either consumerName or consumerArn, not both', 'both were given');
  }
  const consumerName = value.consumerName ?? applicationName;
  if (typeof consumerName !== 'string' || !/^[a-zA-Z0-9_.-]{1,128}$/.test(consumerName)) {
    throw invalid(
      value.consumerName === undefined ? 'applicationName' : 'retrieval.consumerName',
      'a stream consumer name: 1 to 128 of a-z A-Z 0-9 _ . -',
      `got ${JSON.stringify(consumerName)}`,
    );
  }
  if (
    value.consumerArn !== undefined &&
    (typeof value.consumerArn !== 'string' || !/^arn:[^:]+:kinesis:.*\/consumer\/.+/.test(value.consumerArn))
  ) {
    throw invalid(
      'retrieval.consumerArn',
      'a stream consumer ARN (arn:aws:kinesis:…:stream/<stream>/consumer/<name>:<epoch>)',
      `got ${JSON.stringify(value.consumerArn)}`,
    );
  }
  if (value.subscribeClient !== undefined) requireClient('retrieval.subscribeClient', value.subscribeClient);
  const f = DEFAULT_FAN_OUT_OPTIONS;
  const shardEndCheckAfterMs = validateIntegerOption(
    'retrieval.shardEndCheckAfterMs',
    value.shardEndCheckAfterMs ?? f.shardEndCheckAfterMs,
    0,
    DAY_MS,
  );
  if (shardEndCheckAfterMs > 0 && shardEndCheckAfterMs < 100) {
    throw invalid(
      'retrieval.shardEndCheckAfterMs',
      '0 (never) or at least 100',
      `got ${shardEndCheckAfterMs}`,
    );
  }
  return {
    mode: 'fan-out',
    consumerName,
    consumerArn: value.consumerArn,
    subscribeClient: value.subscribeClient ?? kinesisClient,
    consumerRegistrationTimeoutMs: validateIntegerOption(
      'retrieval.consumerRegistrationTimeoutMs',
      value.consumerRegistrationTimeoutMs ?? f.consumerRegistrationTimeoutMs,
      0,
      DAY_MS,
    ),
    subscriptionIdleTimeoutMs: validateIntegerOption(
      'retrieval.subscriptionIdleTimeoutMs',
      value.subscriptionIdleTimeoutMs ?? f.subscriptionIdleTimeoutMs,
      100,
      DAY_MS,
    ),
    shardEndCheckAfterMs,
  };
}

/** A duration where 0 means never: 0, or an integer from 100 to a day. */
function zeroOrAtLeast100(field: string, value: unknown): number {
  const ms = validateIntegerOption(field, value, 0, DAY_MS);
  if (ms > 0 && ms < 100) throw invalid(field, '0 (never) or at least 100', `got ${ms}`);
  return ms;
}

function invalid(field: string, limit: string, detail: string): ValidationError {
  return new ValidationError(field, limit, detail, 'INVALID_OPTION');
}

function resolveStream(options: KinesisConsumerOptions): ResolvedConsumerOptions['stream'] {
  if (options.streamName !== undefined && options.streamArn !== undefined) {
    throw invalid('streamArn', 'either streamName or streamArn, not both', 'both were given');
  }
  if (options.streamArn !== undefined) {
    if (typeof options.streamArn !== 'string' || !options.streamArn.startsWith('arn:')) {
      throw invalid(
        'streamArn',
        'a Kinesis stream ARN (arn:aws:kinesis:…)',
        `got ${JSON.stringify(options.streamArn)}`,
      );
    }
    return { streamArn: options.streamArn };
  }
  if (typeof options.streamName !== 'string' || !/^[a-zA-Z0-9_.-]{1,128}$/.test(options.streamName)) {
    throw invalid(
      'streamName',
      'a stream name of 1 to 128 of a-z A-Z 0-9 _ . -',
      `got ${JSON.stringify(options.streamName)}`,
    );
  }
  return { streamName: options.streamName };
}

function requireName(field: string, value: unknown): string {
  if (typeof value !== 'string' || value.length === 0) {
    throw invalid(field, 'a non-empty string', `got ${JSON.stringify(value)}`);
  }
  return value;
}

function requireClient(field: string, value: unknown): void {
  if (
    value === null ||
    typeof value !== 'object' ||
    typeof (value as { send?: unknown }).send !== 'function'
  ) {
    throw invalid(field, 'an AWS SDK v3 client', `got ${value === null ? 'null' : typeof value}`);
  }
}

function resolveInitialPosition(value: unknown): InitialPosition {
  const limit = "'LATEST', 'TRIM_HORIZON' or { timestamp: Date | epoch ms }";
  if (value === 'LATEST' || value === 'TRIM_HORIZON') return value;
  if (value !== null && typeof value === 'object' && 'timestamp' in value) {
    const timestamp = (value as { timestamp: unknown }).timestamp;
    const time =
      timestamp instanceof Date
        ? timestamp.getTime()
        : typeof timestamp === 'number'
          ? timestamp
          : Number.NaN;
    if (Number.isFinite(time)) return { timestamp: new Date(time) };
    throw invalid('initialPosition', limit, `timestamp ${String(timestamp)} is not a valid date`);
  }
  throw invalid('initialPosition', limit, `got ${value === undefined ? 'nothing' : JSON.stringify(value)}`);
}

function bool(field: string, value: unknown, fallback: boolean): boolean {
  return validateBooleanOption(field, value ?? fallback);
}

function resolveBackoff(field: string, value: unknown, fallback: BackoffPolicy): BackoffPolicy {
  if (value === undefined) return fallback;
  if (value === null || typeof value !== 'object')
    throw invalid(field, '{ baseDelayMs, maxDelayMs }', `got ${describeValue(value)}`);
  return { ...fallback, ...(value as Partial<BackoffPolicy>) };
}
