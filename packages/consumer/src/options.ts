import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import {
  type BackoffPolicy,
  backoffOption,
  booleanOption,
  CoreErrorCode,
  clientOption,
  customOption,
  describeValue,
  functionOption,
  GET_RECORDS_MAX_LIMIT,
  integerOption,
  type Logger,
  type OptionSpec,
  type OptionSpecsOf,
  objectOption,
  oneOfOption,
  optionDefaults,
  type RandomSource,
  type ResolvedOptions,
  resolveOptions,
  STREAM_ARN_LIMIT,
  STREAM_ARN_PATTERN,
  STREAM_NAME_LIMIT,
  STREAM_NAME_PATTERN,
  type StreamReference,
  streamReference,
  stringOption,
  ValidationError,
  validateIntegerOption,
} from '@kinesis-ts/core';
import type { FormerStreamsLeasesDeletion } from './coordinator/former-streams-plan.js';
import { checkStreamConfigs, type StreamsSource } from './coordinator/stream-config.js';
import type { S3ClaimCheck } from './processing/claim-check.js';
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
  /** `Limit` of each GetRecords call, 1 to 10 000. @defaultValue 10000 */
  readonly maxRecordsPerFetch?: number;
  /**
   * The least time between two GetRecords calls on a shard, from 200 (a shard allows 5 calls/s for
   * all of its readers together). @defaultValue 1000
   */
  readonly idleTimeBetweenReadsMs?: number;
  /** Batches fetched ahead of the processor per shard, 1 to 1 000. @defaultValue 3 */
  readonly maxPrefetchBatches?: number;
  /**
   * Kinesis records (aggregates count once) fetched ahead of the processor per shard, 1 to
   * 10 000 000. @defaultValue 30000
   */
  readonly maxPrefetchRecords?: number;
  /** Bytes of record data fetched ahead of the processor per shard, from 1. @defaultValue 8388608 (8 MiB) */
  readonly maxPrefetchBytes?: number;
  /**
   * The least time between two GetRecords calls on a shard while it is caught up (the last read was
   * empty and `MillisBehindLatest` under `caughtUpThresholdMs`), 0 or at least 200 and at most a day;
   * 0 turns it off. Fewer
   * reads on idle shards (the KCL 3.1.1 reduced TPS). The first non-empty read returns to
   * `idleTimeBetweenReadsMs`. @defaultValue 0
   */
  readonly idleTimeBetweenReadsWhenCaughtUpMs?: number;
  /** `MillisBehindLatest` under which an empty read counts as caught up, 0 to a day. @defaultValue 1000 */
  readonly caughtUpThresholdMs?: number;
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
  /** How long `start()` waits for the stream consumer to become ACTIVE, from 0 to a day. @defaultValue 120000 */
  readonly consumerRegistrationTimeoutMs?: number;
  /**
   * A subscription that delivers no event for this long (events come every 5 s even when idle) is
   * aborted and renewed. From 100. @defaultValue 30000
   */
  readonly subscriptionIdleTimeoutMs?: number;
  /**
   * After this long without progress on a subscription, check whether the shard is closed and, if
   * so, confirm its end with one GetRecords call: the local emulator and LocalStack never send the
   * final event of a closed shard. 0 or at least 100; 0 disables the check (real Kinesis always sends
   * it). @defaultValue 10000
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
   * Many streams in one application (the KCL's multi-stream mode, with its lease keys
   * `<accountId>:<streamName>:<creationEpoch>:<shardId>`): a non-empty list of `{ streamName }` or
   * `{ streamArn }`, or a function returning it, called every `streamSyncIntervalMs` so streams can
   * be added and removed while the application runs. Give this instead of `streamName`/`streamArn`.
   */
  readonly streams?: StreamsSource;
  /** How often a `streams` function is called for the list of streams, from 1 000 to a day. @defaultValue 60000 */
  readonly streamSyncIntervalMs?: number;
  /**
   * With `streams`: what happens to the leases of a stream that left the list (the KCL's
   * `FormerStreamsLeasesDeletionStrategy`): `'none'` keeps them, `{ strategy: 'auto-detect-deferred',
   * waitMs }` deletes them once the stream has been absent for `waitMs`, `{ strategy:
   * 'provided-deferred', waitMs, streamIdentifiers }` deletes those of the streams the function names.
   * Deleted streams and older streams of a recreated name lose their leases whatever this says.
   * @defaultValue 'none'
   */
  readonly formerStreamsLeasesDeletion?: FormerStreamsLeasesDeletion;
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
   * Opt-in: records whose data is a claim-check pointer (written by an `S3ClaimCheck`, e.g. a
   * `KinesisDeadLetterSink` with `claimCheck`) reach `handler` / `processor` with the payload read
   * from S3 instead, checked against the pointer's size and digest; a pointer that cannot be read
   * fails its record (retried, then `onPoisonRecord`). The object is kept or deleted as the
   * claim check's `lifecycle` says. Without it, pointers are delivered as they are.
   */
  readonly resolveClaimChecks?: S3ClaimCheck;

  /**
   * How long a lease stays valid without renewal: a worker that stops renewing loses its leases
   * after this, and others take them within about twice this. From 1 000. (The KCL's `failoverTimeMillis`.)
   * @defaultValue 10000
   */
  readonly failoverTimeMs?: number;
  /**
   * How often held leases are renewed (one conditional write per lease). From 50, and at most half
   * of `failoverTimeMs`. @defaultValue failoverTimeMs / 3 − 25 (3 308 at the default failover time, as the KCL)
   */
  readonly leaseRenewalIntervalMs?: number;
  /**
   * How often the lease table is scanned to take expired or unowned leases and balance the load.
   * Each run is one Scan of the table. The KCL uses 2 × (failoverTimeMs + 25); the shorter default
   * bounds the takeover of a dead worker's shards to about 2 × failoverTimeMs. From 100 to a day.
   * @defaultValue failoverTimeMs / 2
   */
  readonly leaseTakerIntervalMs?: number;
  /** The most leases this worker holds. @defaultValue Infinity */
  readonly maxLeasesForWorker?: number;
  /** The most leases stolen from a busier worker in one taker run, 0 to 10 000. @defaultValue 1 */
  readonly maxLeasesToStealAtOneTime?: number;
  /**
   * Take leases nobody renewed for 3 × `failoverTimeMs` (and brand-new ones) first, ignoring the
   * fair share (the KCL's `enablePriorityLeaseAssignment`). @defaultValue true
   */
  readonly enablePriorityLeaseAssignment?: boolean;
  /**
   * Move a lease taken from a busier worker by the KCL 3.x graceful handoff: the owner finishes its
   * batch, checkpoints (`shutdownRequested` for a processor) and hands the lease over, instead of
   * being cut off at its next renewal. Handoffs started by others (a Java KCL 3.x leader) are always
   * honoured. (The KCL's `isGracefulLeaseHandoffEnabled`.) @defaultValue true
   */
  readonly gracefulLeaseHandoff?: boolean;
  /**
   * How long a graceful handoff may take, in ms: the old owner hands the lease over after this even
   * if its shard has not finished, and the new owner takes it after this even if the old owner never
   * handed it over (it died, or is a KCL 2.x worker). From 100 to a day. (The KCL's
   * `gracefulLeaseHandoffTimeoutMillis`.) @defaultValue 30000
   */
  readonly gracefulLeaseHandoffTimeoutMs?: number;
  /**
   * On `stop()`, release every lease with a conditional write (`REMOVE leaseOwner`) after the final
   * checkpoint, so other workers take the shards at once instead of after the failover time. The
   * KCL does not; set false to behave like it. @defaultValue true
   */
  readonly releaseLeasesOnStop?: boolean;
  /** Create the lease table (on-demand billing) when it does not exist. @defaultValue true */
  readonly createLeaseTableIfMissing?: boolean;
  /** How long `start()` waits for a new lease table to become ACTIVE, from 0 to a day. @defaultValue 600000 */
  readonly leaseTableReadyTimeoutMs?: number;
  /**
   * How often the shard list is compared with the lease table to create missing leases, from 1 000
   * to a day. @defaultValue 60000
   */
  readonly shardSyncIntervalMs?: number;
  /**
   * How often a child shard reads its parents' leases while it waits for them to reach SHARD_END.
   * A parent finished by this worker wakes its children at once. From 10 to a day. @defaultValue 1000
   */
  readonly parentShardPollIntervalMs?: number;
  /**
   * Delete a finished (SHARD_END) lease once its parents' leases are gone and all its children have
   * started (the KCL's `cleanupLeasesUponShardCompletion`). @defaultValue true
   */
  readonly cleanupLeasesUponShardCompletion?: boolean;
  /**
   * The least time between two finished-lease cleanups by this worker (each reuses a taker scan),
   * from 0 to a day. @defaultValue 60000
   */
  readonly leaseCleanupIntervalMs?: number;
  /**
   * How long one DynamoDB call may take before it is aborted (every lease-table call has this
   * deadline). Also the margin `stop()` may take past `shutdownTimeoutMs` for lease releases. From 100
   * to a day. @defaultValue 10000
   */
  readonly dynamoDbRequestTimeoutMs?: number;
  /**
   * How leases are spread over workers: `'lease-count'` (every worker takes and steals by count, the
   * KCL 2.x way; right beside KCL 2.x workers) or `'worker-utilization'` (one leader, elected through
   * the lock row `Leader` of the lease table, assigns leases by worker CPU and lease throughput, the
   * KCL 3.x way). @defaultValue 'lease-count'
   */
  readonly leaseAssignment?: 'worker-utilization' | 'lease-count';
  /**
   * How often the leader assigns and rebalances leases (`'worker-utilization'`), from 100 to a day.
   * @defaultValue 2 × failoverTimeMs (the KCL's `leaseAssignmentIntervalMillis`)
   */
  readonly leaseAssignmentIntervalMs?: number;
  /**
   * How long the leader lock is held without a heartbeat (`'worker-utilization'`): another worker
   * takes over at most about this long (plus one heartbeat period) after the leader dies. From 1 000
   * to a day. @defaultValue 120000
   */
  readonly leaderLockLeaseDurationMs?: number;
  /**
   * How often the leader heartbeats its lock and the others look at it, from 100 to a day, less than
   * `leaderLockLeaseDurationMs`. @defaultValue 30000
   */
  readonly leaderLockHeartbeatPeriodMs?: number;
  /** How often each worker writes its metrics row (CPU) for the leader, from 1 000 to a day. @defaultValue 30000 */
  readonly workerMetricsReportIntervalMs?: number;

  /**
   * How shards are read: `{ mode: 'polling', maxRecordsPerFetch?, idleTimeBetweenReadsMs?,
   * maxPrefetchBatches?… }` (GetRecords) or `{ mode: 'fan-out', consumerName?, consumerArn?,
   * subscribeClient?… }` (SubscribeToShard), each with its own options. @defaultValue { mode: 'polling' }
   */
  readonly retrieval?: RetrievalConfig;
  /**
   * @deprecated Give it as `retrieval: { mode: 'polling', maxRecordsPerFetch }`; the top-level name
   * still works (with a logged warning) until the next major version.
   */
  readonly maxRecordsPerFetch?: number;
  /**
   * @deprecated Give it as `retrieval: { mode: 'polling', idleTimeBetweenReadsMs }`; the top-level name
   * still works (with a logged warning) until the next major version.
   */
  readonly idleTimeBetweenReadsMs?: number;
  /**
   * @deprecated Give it as `retrieval: { mode: 'polling', maxPrefetchBatches }`; the top-level name
   * still works (with a logged warning) until the next major version.
   */
  readonly maxPrefetchBatches?: number;
  /**
   * @deprecated Give it as `retrieval: { mode: 'polling', maxPrefetchRecords }`; the top-level name
   * still works (with a logged warning) until the next major version.
   */
  readonly maxPrefetchRecords?: number;
  /**
   * @deprecated Give it as `retrieval: { mode: 'polling', maxPrefetchBytes }`; the top-level name
   * still works (with a logged warning) until the next major version.
   */
  readonly maxPrefetchBytes?: number;
  /**
   * How long one Kinesis call may take before it is aborted: every call has this deadline
   * (DescribeStreamSummary and ListShards at start and in shard syncs, GetShardIterator, GetRecords,
   * the fan-out registration calls). From 100 to a day. @defaultValue 30000
   */
  readonly kinesisRequestTimeoutMs?: number;
  /** Backoff of GetRecords/GetShardIterator after throttling or errors. @defaultValue { baseDelayMs: 1000, maxDelayMs: 10000 } */
  readonly retrievalBackoff?: BackoffPolicy;

  /**
   * Tries at the same record before giving up: of a batch, of its rest after a partial failure
   * (`PartialBatchFailureError`: progress starts the count again), of a record when isolating a poison
   * record. 1 to 1 000 000. @defaultValue 5
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
   * crash (never after `stop()`, which checkpoints). From 0 to a day. @defaultValue 0
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
   * From 0 to a day. @defaultValue 30000
   */
  readonly shutdownTimeoutMs?: number;

  /** Where diagnostics go. @defaultValue a logger that discards everything */
  readonly logger?: Logger;
  /** The clock, in ms since the epoch (tests). @defaultValue Date.now */
  readonly now?: () => number;
  /** Uniform random numbers in [0, 1) (tests). @defaultValue Math.random */
  readonly random?: RandomSource;
}

/** The smallest `failoverTimeMs`: below it renewals cannot keep up with DynamoDB latency. */
export const MIN_FAILOVER_TIME_MS = 1_000;
/** The smallest `idleTimeBetweenReadsMs`: 5 calls per second, a shard's limit for all readers. */
export const MIN_IDLE_TIME_BETWEEN_READS_MS = 200;

const DAY_MS = 24 * 60 * 60 * 1000;
const UNLIMITED = Number.POSITIVE_INFINITY;

/** The `retrieval: { mode: 'polling' }` options: default, range and check of each. */
export const POLLING_OPTION_SPECS = {
  maxRecordsPerFetch: integerOption({ min: 1, max: GET_RECORDS_MAX_LIMIT, default: GET_RECORDS_MAX_LIMIT }),
  idleTimeBetweenReadsMs: integerOption({ min: MIN_IDLE_TIME_BETWEEN_READS_MS, max: DAY_MS, default: 1_000 }),
  maxPrefetchBatches: integerOption({ min: 1, max: 1_000, default: 3 }),
  maxPrefetchRecords: integerOption({ min: 1, max: 10_000_000, default: 30_000 }),
  maxPrefetchBytes: integerOption({ min: 1, max: 2 ** 40, default: 8 * 1024 * 1024 }),
} satisfies OptionSpecsOf<
  Omit<PollingRetrievalConfig, 'mode' | 'idleTimeBetweenReadsWhenCaughtUpMs' | 'caughtUpThresholdMs'>
>;

/** The `retrieval: { mode: 'polling' }` options that have no deprecated top-level name. */
export const POLLING_CAUGHT_UP_OPTION_SPECS = {
  idleTimeBetweenReadsWhenCaughtUpMs: integerOption({
    min: MIN_IDLE_TIME_BETWEEN_READS_MS,
    max: DAY_MS,
    zeroMeansOff: true,
    default: 0,
  }),
  caughtUpThresholdMs: integerOption({ min: 0, max: DAY_MS, default: 1_000 }),
} satisfies OptionSpecsOf<
  Pick<PollingRetrievalConfig, 'idleTimeBetweenReadsWhenCaughtUpMs' | 'caughtUpThresholdMs'>
>;

/** The `retrieval: { mode: 'fan-out' }` options: default, range and check of each. */
export const FAN_OUT_OPTION_SPECS = {
  // Default applicationName, and not with consumerArn: checked with the rules between options.
  consumerName: stringOption({
    pattern: /^[a-zA-Z0-9_.-]{1,128}$/,
    limit: 'a stream consumer name: 1 to 128 of a-z A-Z 0-9 _ . -',
  }),
  consumerArn: stringOption({
    pattern: /^arn:[^:]+:kinesis:.*\/consumer\/.+/,
    limit: 'a stream consumer ARN (arn:aws:kinesis:…:stream/<stream>/consumer/<name>:<epoch>)',
  }),
  subscribeClient: clientOption<KinesisClient>(),
  consumerRegistrationTimeoutMs: integerOption({ min: 0, max: DAY_MS, default: 120_000 }),
  subscriptionIdleTimeoutMs: integerOption({ min: 100, max: DAY_MS, default: 30_000 }),
  shardEndCheckAfterMs: integerOption({ min: 100, max: DAY_MS, zeroMeansOff: true, default: 10_000 }),
} satisfies OptionSpecsOf<Omit<FanOutRetrievalConfig, 'mode'>>;

type PollingGiven = { readonly mode: 'polling' } & Partial<ResolvedOptions<typeof POLLING_OPTION_SPECS>> &
  Partial<ResolvedOptions<typeof POLLING_CAUGHT_UP_OPTION_SPECS>>;
type FanOutGiven = { readonly mode: 'fan-out' } & ResolvedOptions<typeof FAN_OUT_OPTION_SPECS>;

/** The options of `spec` given, without its default: what tells given from defaulted apart. */
function withoutDefault<T>(option: OptionSpec<T, 'defaulted'>): OptionSpec<T, 'optional'> {
  return { ...option, presence: 'optional', default: undefined };
}

const POLLING_GIVEN_SPECS = {
  maxRecordsPerFetch: withoutDefault(POLLING_OPTION_SPECS.maxRecordsPerFetch),
  idleTimeBetweenReadsMs: withoutDefault(POLLING_OPTION_SPECS.idleTimeBetweenReadsMs),
  maxPrefetchBatches: withoutDefault(POLLING_OPTION_SPECS.maxPrefetchBatches),
  maxPrefetchRecords: withoutDefault(POLLING_OPTION_SPECS.maxPrefetchRecords),
  maxPrefetchBytes: withoutDefault(POLLING_OPTION_SPECS.maxPrefetchBytes),
};
const POLLING_NAMES = Object.keys(POLLING_OPTION_SPECS) as (keyof typeof POLLING_OPTION_SPECS)[];

/** `retrieval`: the mode's own options checked, the polling ones as given (defaults come later). */
function checkRetrieval(value: unknown, field: string): PollingGiven | FanOutGiven {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw invalid(field, "{ mode: 'polling', … } or { mode: 'fan-out', … }", `got ${describeValue(value)}`);
  }
  const mode = (value as { mode?: unknown }).mode;
  const context = { owner: `retrieval: { mode: '${mode}' }`, fieldPrefix: `${field}.`, alsoKnown: ['mode'] };
  if (mode === 'polling') {
    return {
      mode,
      ...resolveOptions({ ...POLLING_GIVEN_SPECS, ...POLLING_CAUGHT_UP_OPTION_SPECS }, value, context),
    };
  }
  if (mode === 'fan-out') return { mode, ...resolveOptions(FAN_OUT_OPTION_SPECS, value, context) };
  throw invalid(`${field}.mode`, "'polling' or 'fan-out'", `got ${describeValue(mode)}`);
}

const INITIAL_POSITION_LIMIT = "'LATEST', 'TRIM_HORIZON' or { timestamp: Date | epoch ms }";

export function checkInitialPosition(value: unknown, field: string): InitialPosition {
  const limit = INITIAL_POSITION_LIMIT;
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
    throw invalid(field, limit, `timestamp ${describeValue(timestamp)} is not a valid date`);
  }
  throw invalid(field, limit, `got ${value === undefined ? 'nothing' : describeValue(value)}`);
}

const DEFAULT_RETRIEVAL: PollingGiven = Object.freeze({ mode: 'polling' });

/**
 * `stream` in a multi-stream application: never sent (each stream's parts get their own), only a
 * marker that the single-stream parts are not used.
 */
export const MULTI_STREAM: StreamReference = Object.freeze({ streamName: '(multi-stream)' });

function checkFormerStreamsLeasesDeletion(value: unknown, field: string): FormerStreamsLeasesDeletion {
  const limit =
    "'none', { strategy: 'auto-detect-deferred', waitMs } or { strategy: 'provided-deferred', waitMs, streamIdentifiers }";
  if (value === 'none') return value;
  if (value === null || typeof value !== 'object') throw invalid(field, limit, `got ${describeValue(value)}`);
  const given = value as { strategy?: unknown; waitMs?: unknown; streamIdentifiers?: unknown };
  if (given.strategy !== 'auto-detect-deferred' && given.strategy !== 'provided-deferred') {
    throw invalid(`${field}.strategy`, limit, `got ${describeValue(given.strategy)}`);
  }
  validateIntegerOption(`${field}.waitMs`, given.waitMs, 0, DAY_MS * 30);
  if (given.strategy === 'provided-deferred' && typeof given.streamIdentifiers !== 'function') {
    throw invalid(
      `${field}.streamIdentifiers`,
      'a function returning the stream identifiers whose leases to delete',
      `got ${describeValue(given.streamIdentifiers)}`,
    );
  }
  return value as FormerStreamsLeasesDeletion;
}

function checkStreams(value: unknown, field: string): StreamsSource {
  if (typeof value === 'function') return value as StreamsSource;
  checkStreamConfigs(value, { field, checkInitialPosition });
  return value as StreamsSource;
}

/**
 * The default, range and check of every option, beside each other; the TSDoc above says the same to
 * users (a test keeps the two in agreement, and docs/consumer.md's tables with them). Rules between
 * options (one stream, one of handler and processor, timers derived from the failover time…) are
 * {@link resolveConsumerOptions}'s.
 */
export const CONSUMER_OPTION_SPECS = {
  streamName: stringOption({ pattern: STREAM_NAME_PATTERN, limit: STREAM_NAME_LIMIT }),
  streamArn: stringOption({ pattern: STREAM_ARN_PATTERN, limit: STREAM_ARN_LIMIT }),
  streams: customOption(
    'a non-empty array of { streamName } or { streamArn }, or a function returning one',
    checkStreams,
  ),
  streamSyncIntervalMs: integerOption({ min: 1_000, max: DAY_MS, default: 60_000 }),
  formerStreamsLeasesDeletion: customOption(
    "'none', { strategy: 'auto-detect-deferred', waitMs } or { strategy: 'provided-deferred', waitMs, streamIdentifiers }",
    checkFormerStreamsLeasesDeletion,
    { default: 'none' as FormerStreamsLeasesDeletion },
  ),
  applicationName: stringOption({ required: true }),
  leaseTableName: stringOption({}),
  kinesisClient: clientOption<KinesisClient>({ required: true }),
  dynamoDbClient: clientOption<DynamoDBClient>({ required: true }),
  workerId: stringOption({}),
  initialPosition: customOption(INITIAL_POSITION_LIMIT, checkInitialPosition, { required: true }),
  handler: functionOption<RecordHandler>({ limit: 'a function (records, context) => Promise<void>' }),
  processor: functionOption<ShardRecordProcessorFactory>({
    limit: 'a function (shardId) => ShardRecordProcessor',
  }),
  resolveClaimChecks: objectOption<S3ClaimCheck>({
    limit: 'an S3ClaimCheck',
    accepts: (value) => typeof (value as { resolve?: unknown }).resolve === 'function',
  }),
  failoverTimeMs: integerOption({ min: MIN_FAILOVER_TIME_MS, max: DAY_MS, default: 10_000 }),
  leaseRenewalIntervalMs: integerOption({ min: 50, max: DAY_MS }),
  leaseTakerIntervalMs: integerOption({ min: 100, max: DAY_MS }),
  maxLeasesForWorker: integerOption({ min: 1, max: UNLIMITED, allowInfinity: true, default: UNLIMITED }),
  maxLeasesToStealAtOneTime: integerOption({ min: 0, max: 10_000, default: 1 }),
  enablePriorityLeaseAssignment: booleanOption({ default: true }),
  gracefulLeaseHandoff: booleanOption({ default: true }),
  gracefulLeaseHandoffTimeoutMs: integerOption({ min: 100, max: DAY_MS, default: 30_000 }),
  releaseLeasesOnStop: booleanOption({ default: true }),
  createLeaseTableIfMissing: booleanOption({ default: true }),
  leaseTableReadyTimeoutMs: integerOption({ min: 0, max: DAY_MS, default: 600_000 }),
  shardSyncIntervalMs: integerOption({ min: 1_000, max: DAY_MS, default: 60_000 }),
  parentShardPollIntervalMs: integerOption({ min: 10, max: DAY_MS, default: 1_000 }),
  cleanupLeasesUponShardCompletion: booleanOption({ default: true }),
  leaseCleanupIntervalMs: integerOption({ min: 0, max: DAY_MS, default: 60_000 }),
  dynamoDbRequestTimeoutMs: integerOption({ min: 100, max: DAY_MS, default: 10_000 }),
  leaseAssignment: oneOfOption(['worker-utilization', 'lease-count'], { default: 'lease-count' }),
  leaseAssignmentIntervalMs: integerOption({ min: 100, max: DAY_MS }),
  leaderLockLeaseDurationMs: integerOption({ min: 1_000, max: DAY_MS, default: 120_000 }),
  leaderLockHeartbeatPeriodMs: integerOption({ min: 100, max: DAY_MS, default: 30_000 }),
  workerMetricsReportIntervalMs: integerOption({ min: 1_000, max: DAY_MS, default: 30_000 }),
  retrieval: customOption("{ mode: 'polling', … } or { mode: 'fan-out', … }", checkRetrieval, {
    default: DEFAULT_RETRIEVAL,
  }),
  ...POLLING_GIVEN_SPECS,
  kinesisRequestTimeoutMs: integerOption({ min: 100, max: DAY_MS, default: 30_000 }),
  retrievalBackoff: backoffOption({ default: { baseDelayMs: 1_000, maxDelayMs: 10_000 } }),
  maxProcessingAttempts: integerOption({ min: 1, max: 1_000_000, default: 5 }),
  processingBackoff: backoffOption({ default: { baseDelayMs: 200, maxDelayMs: 10_000 } }),
  onPoisonRecord: functionOption<(poison: PoisonRecord) => Promise<void> | void>(),
  checkpointIntervalMs: integerOption({ min: 0, max: DAY_MS, default: 0 }),
  deliverEmptyBatches: booleanOption({ default: false }),
  stalledShardWarningMs: integerOption({ min: 100, max: DAY_MS, zeroMeansOff: true, default: 60_000 }),
  processingTimeoutMs: integerOption({ min: 100, max: DAY_MS, zeroMeansOff: true, default: 0 }),
  shutdownTimeoutMs: integerOption({ min: 0, max: DAY_MS, default: 30_000 }),
  logger: objectOption<Logger>({ limit: 'a Logger object' }),
  now: functionOption<() => number>({ default: Date.now }),
  random: functionOption<RandomSource>({ default: Math.random }),
} satisfies OptionSpecsOf<KinesisConsumerOptions>;

/** The defaults of the `retrieval: { mode: 'polling' }` options. */
export const DEFAULT_POLLING_OPTIONS = optionDefaults(POLLING_OPTION_SPECS);

/** The defaults of the `retrieval: { mode: 'fan-out' }` options. */
export const DEFAULT_FAN_OUT_OPTIONS = optionDefaults(FAN_OUT_OPTION_SPECS);

/**
 * The defaults of every option that has a fixed one; the polling ones also under their deprecated
 * top-level names (they are `DEFAULT_POLLING_OPTIONS`).
 */
export const DEFAULT_CONSUMER_OPTIONS = Object.freeze({
  ...optionDefaults(CONSUMER_OPTION_SPECS),
  ...DEFAULT_POLLING_OPTIONS,
});

/** The options after defaults and validation. */
export type ResolvedConsumerOptions = ReturnType<typeof resolveConsumerOptions>;

/** The retrieval after defaults and validation (the polling options are top-level there). */
export type ResolvedRetrieval = ResolvedConsumerOptions['retrieval'];

/**
 * Applies the defaults and checks every option, throwing a `ValidationError` (code
 * `INVALID_OPTION`) that names the first offending one. Polling options given at the top level
 * (deprecated) are taken, with one warning through `logger`.
 */
export function resolveConsumerOptions(options: KinesisConsumerOptions) {
  const o = resolveOptions(CONSUMER_OPTION_SPECS, options, { owner: 'KinesisConsumer' });
  const stream = o.streams === undefined ? streamReference(o.streamName, o.streamArn) : MULTI_STREAM;
  if (o.streams !== undefined && (o.streamName !== undefined || o.streamArn !== undefined)) {
    throw invalid(
      o.streamName !== undefined ? 'streamName' : 'streamArn',
      'either streams or streamName/streamArn, not both',
      'both were given',
    );
  }
  if (o.streams !== undefined && o.retrieval.mode === 'fan-out' && o.retrieval.consumerArn !== undefined) {
    throw invalid(
      'retrieval.consumerArn',
      'with streams, a consumerArn per stream (streams[i].consumerArn)',
      'one consumerArn cannot serve several streams',
    );
  }
  const leaseTableName = o.leaseTableName ?? o.applicationName;
  if (!/^[A-Za-z0-9_.-]{3,255}$/.test(leaseTableName)) {
    throw invalid(
      o.leaseTableName === undefined ? 'applicationName' : 'leaseTableName',
      'a DynamoDB table name: 3 to 255 of A-Z a-z 0-9 _ . -',
      `got "${leaseTableName}"`,
    );
  }
  if (o.handler !== undefined && o.processor !== undefined) {
    throw invalid(
      'processor',
      'either handler or processor, not both',
      'both handler and processor were given',
    );
  }
  if (o.handler === undefined && o.processor === undefined) {
    throw invalid(
      'handler',
      'a handler function or a processor factory',
      'neither handler nor processor was given',
    );
  }
  const { failoverTimeMs } = o;
  const leaseRenewalIntervalMs = validateIntegerOption(
    'leaseRenewalIntervalMs',
    o.leaseRenewalIntervalMs ?? Math.floor(failoverTimeMs / 3) - 25,
    50,
    Math.floor(failoverTimeMs / 2),
  );
  const {
    streamName: _streamName,
    streamArn: _streamArn,
    retrieval: given,
    maxRecordsPerFetch: _maxRecordsPerFetch,
    idleTimeBetweenReadsMs: _idleTimeBetweenReadsMs,
    maxPrefetchBatches: _maxPrefetchBatches,
    maxPrefetchRecords: _maxPrefetchRecords,
    maxPrefetchBytes: _maxPrefetchBytes,
    ...rest
  } = o;
  return {
    ...rest,
    stream,
    leaseTableName,
    workerId: o.workerId ?? `${hostname()}:${randomUUID()}`,
    leaseRenewalIntervalMs,
    leaseTakerIntervalMs: o.leaseTakerIntervalMs ?? Math.floor(failoverTimeMs / 2),
    ...resolvePolling(o, given.mode === 'polling' ? given : DEFAULT_RETRIEVAL),
    idleTimeBetweenReadsWhenCaughtUpMs:
      given.mode === 'polling'
        ? (given.idleTimeBetweenReadsWhenCaughtUpMs ?? 0)
        : POLLING_CAUGHT_UP_OPTION_SPECS.idleTimeBetweenReadsWhenCaughtUpMs.default,
    caughtUpThresholdMs:
      given.mode === 'polling'
        ? (given.caughtUpThresholdMs ?? POLLING_CAUGHT_UP_OPTION_SPECS.caughtUpThresholdMs.default)
        : POLLING_CAUGHT_UP_OPTION_SPECS.caughtUpThresholdMs.default,
    ...resolveLeaseAssignment(o, failoverTimeMs),
    retrieval:
      given.mode === 'fan-out' ? resolveFanOut(given, o.applicationName, o.kinesisClient) : DEFAULT_RETRIEVAL,
  };
}

/**
 * The polling options: given in `retrieval`, or (deprecated) at the top level, or their defaults. One
 * warning names the top-level ones given; the same option in both places is refused.
 */
function resolvePolling(
  o: Pick<ResolvedOptions<typeof CONSUMER_OPTION_SPECS>, keyof typeof POLLING_OPTION_SPECS | 'logger'>,
  nested: PollingGiven,
): ResolvedOptions<typeof POLLING_OPTION_SPECS> {
  const topLevel = POLLING_NAMES.filter((name) => o[name] !== undefined);
  for (const name of topLevel) {
    if (nested[name] !== undefined) {
      throw invalid(
        name,
        `retrieval.${name} alone (the top-level ${name} is deprecated)`,
        `both ${name} and retrieval.${name} were given`,
      );
    }
  }
  if (topLevel.length > 0) {
    o.logger?.warn(
      `KinesisConsumer options ${topLevel.join(', ')} at the top level are deprecated: give them in retrieval: { mode: 'polling', ${topLevel.join(', ')} }. The top-level names go in the next major version.`,
      { deprecated: topLevel, use: topLevel.map((name) => `retrieval.${name}`) },
    );
  }
  const polling = {} as { -readonly [K in keyof typeof POLLING_OPTION_SPECS]: number };
  for (const name of POLLING_NAMES) polling[name] = nested[name] ?? o[name] ?? DEFAULT_POLLING_OPTIONS[name];
  return polling;
}

function resolveFanOut(given: FanOutGiven, applicationName: string, kinesisClient: KinesisClient) {
  if (given.consumerName !== undefined && given.consumerArn !== undefined) {
    throw invalid('retrieval.consumerArn', 'either consumerName or consumerArn, not both', 'both were given');
  }
  const consumerName = given.consumerName ?? applicationName;
  if (given.consumerName === undefined && !/^[a-zA-Z0-9_.-]{1,128}$/.test(consumerName)) {
    throw invalid(
      'applicationName',
      'a stream consumer name: 1 to 128 of a-z A-Z 0-9 _ . -',
      `got ${JSON.stringify(consumerName)}`,
    );
  }
  return {
    ...given,
    consumerName,
    consumerArn: given.consumerArn,
    subscribeClient: given.subscribeClient ?? kinesisClient,
  };
}

function invalid(field: string, limit: string, detail: string): ValidationError {
  return new ValidationError(field, limit, detail, CoreErrorCode.INVALID_OPTION);
}

/** The load-aware assignment's timers: the interval derived from the failover time, the lock's heartbeat below its duration. */
function resolveLeaseAssignment(
  o: Pick<
    ResolvedOptions<typeof CONSUMER_OPTION_SPECS>,
    'leaseAssignmentIntervalMs' | 'leaderLockLeaseDurationMs' | 'leaderLockHeartbeatPeriodMs'
  >,
  failoverTimeMs: number,
) {
  if (o.leaderLockHeartbeatPeriodMs >= o.leaderLockLeaseDurationMs) {
    throw invalid(
      'leaderLockHeartbeatPeriodMs',
      `less than leaderLockLeaseDurationMs (${o.leaderLockLeaseDurationMs})`,
      `got ${o.leaderLockHeartbeatPeriodMs}`,
    );
  }
  return { leaseAssignmentIntervalMs: o.leaseAssignmentIntervalMs ?? 2 * failoverTimeMs };
}
