import type { KinesisClient } from '@aws-sdk/client-kinesis';
import type { Logger } from '@kinesis-ts/core';
import {
  type BackoffPolicy,
  DEFAULT_AGGREGATION_MAX_SIZE_BYTES,
  DEFAULT_MAX_RECORD_SIZE_BYTES,
  describeValue,
  MAX_RECORD_SIZE_LIMIT_BYTES,
  PUT_RECORDS_MAX_BYTES,
  PUT_RECORDS_MAX_ENTRIES,
  type RandomSource,
  ValidationError,
  validateBackoffPolicy,
  validateBooleanOption,
  validateIntegerOption,
} from '@kinesis-ts/core';

/** What `put` does when the buffer is full. */
export type BufferFullBehavior = 'wait' | 'reject';

/** Options of {@link KinesisProducer}. Sizes are in bytes, times in milliseconds. */
export interface KinesisProducerOptions {
  /** The stream to write to. Give this or `streamArn`. */
  readonly streamName?: string;
  /** The stream's ARN (for cross-account access). Give this or `streamName`. */
  readonly streamArn?: string;
  /**
   * The SDK v3 client to send with. The producer runs its own retries and disables the SDK's for its
   * calls. Real Kinesis needs no special handler; for kinesis-local use HTTP/1.1 (`NodeHttpHandler`).
   */
  readonly client: KinesisClient;

  /** Pack records bound for the same shard into KPL aggregates. @defaultValue true */
  readonly aggregation?: boolean;
  /**
   * The largest aggregate, 20 bytes of framing included (the KPL's `AggregationMaxSize`). A record
   * larger than this is sent alone. From 64 to `maxRecordSizeBytes`. @defaultValue 51200
   */
  readonly maxAggregateSizeBytes?: number;
  /** The most user records in one aggregate (the KPL's `AggregationMaxCount`). @defaultValue Infinity */
  readonly maxAggregateRecords?: number;
  /**
   * The stream's record size limit: data plus partition key. Raise it (up to 10 MiB) only for streams
   * whose limit was raised with `UpdateMaxRecordSize`. @defaultValue 1048576 (1 MiB)
   */
  readonly maxRecordSizeBytes?: number;

  /**
   * How long a record may wait in the buffer to be packed with others before it is sent (the KPL's
   * `RecordMaxBufferedTime`). 0 sends at once. @defaultValue 100
   */
  readonly maxBufferedTimeMs?: number;
  /**
   * How long a record may take, retries included, before it fails with `RECORD_EXPIRED` (the KPL's
   * `RecordTtl`). From 100 to `Infinity`. @defaultValue 30000
   */
  readonly recordTtlMs?: number;
  /** The most attempts at a record before it fails with `MAX_ATTEMPTS_EXCEEDED`. @defaultValue Infinity (until `recordTtlMs`) */
  readonly maxAttempts?: number;
  /**
   * The per-shard retry backoff after throttling or a failed request: full jitter, doubling from
   * `baseDelayMs` up to `maxDelayMs`. @defaultValue { baseDelayMs: 100, maxDelayMs: 5000 }
   */
  readonly retryBackoff?: BackoffPolicy;
  /** Fail a record at once when its shard is throttled, instead of retrying (the KPL's `FailIfThrottled`). @defaultValue false */
  readonly failIfThrottled?: boolean;

  /**
   * The per-shard send rate, in percent of the shard's limits (1,000 records/s and 1 MiB/s): records
   * above it wait in the producer instead of being throttled by Kinesis. An aggregate counts as one
   * record. 150 lets one producer fill a shard (the KPL's `RateLimit`). @defaultValue 150
   */
  readonly rateLimitPercent?: number;
  /** The most entries in one `PutRecords` request (the KPL's `CollectionMaxCount`), 1 to 500. @defaultValue 500 */
  readonly maxRequestEntries?: number;
  /**
   * The most bytes (partition keys and data) in one `PutRecords` request, up to 5 MiB. A record larger
   * than this (possible on a stream whose record size was raised above 5 MiB) is sent alone in a
   * request of its own. @defaultValue 5242880
   */
  readonly maxRequestBytes?: number;
  /** The most `PutRecords` requests in flight at once (the KPL's `MaxConnections`). @defaultValue 24 */
  readonly maxConcurrentRequests?: number;
  /**
   * Milliseconds to wait for the answer to a `PutRecords` or `ListShards` call (the KPL's
   * `RequestTimeout`). A call with no answer by then is abandoned and its records retried; it may
   * still have been written, so this is one place where duplicates come from. A `PutRecords` call
   * waits at most the time to live left to its first-expiring record (but at least 10 ms), so a hung
   * call cannot hold a record past `recordTtlMs`. From 100 to 600000.
   * @defaultValue 6000
   */
  readonly requestTimeoutMs?: number;

  /**
   * Keep records with the same partition key in the order `put` was called, across retries and
   * reshards: at most one request per shard in flight, a key in at most one entry per request,
   * retried records before newer ones. Turn off for the last bit of throughput when order does not
   * matter. @defaultValue true
   */
  readonly preserveKeyOrder?: boolean;

  /** The most records buffered or in flight; `put` waits or rejects beyond it. @defaultValue 100000 */
  readonly maxBufferedRecords?: number;
  /** The most bytes (data plus partition keys) buffered or in flight. @defaultValue 67108864 (64 MiB) */
  readonly maxBufferedBytes?: number;
  /** What `put` does when the buffer is full: wait for room, or reject with `BUFFER_FULL`. @defaultValue 'wait' */
  readonly whenBufferFull?: BufferFullBehavior;

  /**
   * Emit `hot-key` when one partition key takes more than this share of the records put within
   * `hotKeyWindowMs` (at least 100 records). 0 turns detection off. @defaultValue 0.05 (the
   * 5–10 % of traffic at which a single key is worth an alert)
   */
  readonly hotKeyShare?: number;
  /** The window of the hot-key and hot-shard detection. @defaultValue 10000 */
  readonly hotKeyWindowMs?: number;

  /** Where to log; nothing is printed by default. @defaultValue a silent logger */
  readonly logger?: Logger;
  /** Randomness for backoff jitter, injectable so tests are exact. @defaultValue Math.random */
  readonly random?: RandomSource;
}

/** The producer's defaults, in one place. */
export const DEFAULT_PRODUCER_OPTIONS = {
  aggregation: true,
  maxAggregateSizeBytes: DEFAULT_AGGREGATION_MAX_SIZE_BYTES,
  maxAggregateRecords: Number.POSITIVE_INFINITY,
  maxRecordSizeBytes: DEFAULT_MAX_RECORD_SIZE_BYTES,
  maxBufferedTimeMs: 100,
  recordTtlMs: 30_000,
  maxAttempts: Number.POSITIVE_INFINITY,
  retryBackoff: { baseDelayMs: 100, maxDelayMs: 5_000 },
  failIfThrottled: false,
  rateLimitPercent: 150,
  maxRequestEntries: PUT_RECORDS_MAX_ENTRIES,
  maxRequestBytes: PUT_RECORDS_MAX_BYTES,
  maxConcurrentRequests: 24,
  requestTimeoutMs: 6_000,
  preserveKeyOrder: true,
  maxBufferedRecords: 100_000,
  maxBufferedBytes: 64 * 1024 * 1024,
  whenBufferFull: 'wait',
  hotKeyShare: 0.05,
  hotKeyWindowMs: 10_000,
} as const satisfies Partial<KinesisProducerOptions>;

/** Options with every default filled in and every value checked. */
export interface ResolvedProducerOptions
  extends Required<Omit<KinesisProducerOptions, 'streamName' | 'streamArn' | 'logger' | 'random'>> {
  readonly streamName: string | undefined;
  readonly streamArn: string | undefined;
  readonly logger: Logger | undefined;
  readonly random: RandomSource;
}

const KNOWN_OPTIONS = new Set<string>([
  'streamName',
  'streamArn',
  'client',
  'logger',
  'random',
  ...Object.keys(DEFAULT_PRODUCER_OPTIONS),
]);

const UNLIMITED = Number.POSITIVE_INFINITY;

/**
 * Fills in defaults and checks every option, so a mistake fails at construction with an error that
 * names the option and its allowed range.
 * @throws ValidationError (`INVALID_OPTION`)
 */
export function resolveProducerOptions(options: KinesisProducerOptions): ResolvedProducerOptions {
  if (options === null || typeof options !== 'object') {
    throw new ValidationError('options', 'an options object', `got ${typeof options}`, 'INVALID_OPTION');
  }
  for (const name of Object.keys(options)) {
    if (!KNOWN_OPTIONS.has(name)) {
      throw new ValidationError(
        name,
        'a known option of KinesisProducer',
        'unknown option',
        'INVALID_OPTION',
      );
    }
  }
  const { streamName, streamArn, client } = options;
  if ((streamName === undefined) === (streamArn === undefined)) {
    throw new ValidationError(
      'streamName',
      'exactly one of streamName and streamArn',
      'give one of them',
      'INVALID_OPTION',
    );
  }
  for (const [field, value] of [
    ['streamName', streamName],
    ['streamArn', streamArn],
  ] as const) {
    if (value !== undefined && (typeof value !== 'string' || value.length === 0)) {
      throw new ValidationError(
        field,
        'a non-empty string',
        `got ${JSON.stringify(value)}`,
        'INVALID_OPTION',
      );
    }
  }
  if (
    client === null ||
    typeof client !== 'object' ||
    typeof (client as { send?: unknown }).send !== 'function'
  ) {
    throw new ValidationError(
      'client',
      'a KinesisClient from @aws-sdk/client-kinesis',
      'missing or not a client',
      'INVALID_OPTION',
    );
  }

  const d = DEFAULT_PRODUCER_OPTIONS;
  const maxRecordSizeBytes = integer(
    'maxRecordSizeBytes',
    options.maxRecordSizeBytes ?? d.maxRecordSizeBytes,
    1,
    MAX_RECORD_SIZE_LIMIT_BYTES,
  );
  const resolved: ResolvedProducerOptions = {
    streamName,
    streamArn,
    client,
    aggregation: validateBooleanOption('aggregation', options.aggregation ?? d.aggregation),
    maxAggregateSizeBytes: integer(
      'maxAggregateSizeBytes',
      options.maxAggregateSizeBytes ?? d.maxAggregateSizeBytes,
      64,
      maxRecordSizeBytes,
    ),
    maxAggregateRecords: integer(
      'maxAggregateRecords',
      options.maxAggregateRecords ?? d.maxAggregateRecords,
      1,
      UNLIMITED,
    ),
    maxRecordSizeBytes,
    maxBufferedTimeMs: integer(
      'maxBufferedTimeMs',
      options.maxBufferedTimeMs ?? d.maxBufferedTimeMs,
      0,
      3_600_000,
    ),
    recordTtlMs: integer('recordTtlMs', options.recordTtlMs ?? d.recordTtlMs, 100, UNLIMITED),
    maxAttempts: integer('maxAttempts', options.maxAttempts ?? d.maxAttempts, 1, UNLIMITED),
    retryBackoff: validateBackoffPolicy(options.retryBackoff ?? d.retryBackoff, 'retryBackoff.'),
    failIfThrottled: validateBooleanOption('failIfThrottled', options.failIfThrottled ?? d.failIfThrottled),
    rateLimitPercent: integer(
      'rateLimitPercent',
      options.rateLimitPercent ?? d.rateLimitPercent,
      1,
      UNLIMITED,
    ),
    maxRequestEntries: integer(
      'maxRequestEntries',
      options.maxRequestEntries ?? d.maxRequestEntries,
      1,
      PUT_RECORDS_MAX_ENTRIES,
    ),
    maxRequestBytes: integer(
      'maxRequestBytes',
      options.maxRequestBytes ?? d.maxRequestBytes,
      1,
      PUT_RECORDS_MAX_BYTES,
    ),
    requestTimeoutMs: integer(
      'requestTimeoutMs',
      options.requestTimeoutMs ?? d.requestTimeoutMs,
      100,
      600_000,
    ),
    maxConcurrentRequests: integer(
      'maxConcurrentRequests',
      options.maxConcurrentRequests ?? d.maxConcurrentRequests,
      1,
      256,
    ),
    preserveKeyOrder: validateBooleanOption(
      'preserveKeyOrder',
      options.preserveKeyOrder ?? d.preserveKeyOrder,
    ),
    maxBufferedRecords: integer(
      'maxBufferedRecords',
      options.maxBufferedRecords ?? d.maxBufferedRecords,
      1,
      UNLIMITED,
    ),
    maxBufferedBytes: integer(
      'maxBufferedBytes',
      options.maxBufferedBytes ?? d.maxBufferedBytes,
      1,
      UNLIMITED,
    ),
    whenBufferFull: oneOf('whenBufferFull', options.whenBufferFull ?? d.whenBufferFull, [
      'wait',
      'reject',
    ] as const),
    hotKeyShare: share('hotKeyShare', options.hotKeyShare ?? d.hotKeyShare),
    hotKeyWindowMs: integer('hotKeyWindowMs', options.hotKeyWindowMs ?? d.hotKeyWindowMs, 100, 3_600_000),
    logger: options.logger,
    random: options.random ?? Math.random,
  };
  if (resolved.maxBufferedBytes < maxRecordSizeBytes) {
    throw new ValidationError(
      'maxBufferedBytes',
      `at least maxRecordSizeBytes (${maxRecordSizeBytes})`,
      `got ${resolved.maxBufferedBytes}`,
      'INVALID_OPTION',
    );
  }
  if (resolved.maxRequestBytes < Math.min(maxRecordSizeBytes, PUT_RECORDS_MAX_BYTES)) {
    throw new ValidationError(
      'maxRequestBytes',
      `at least maxRecordSizeBytes (${maxRecordSizeBytes}), so any record fits in a request`,
      `got ${resolved.maxRequestBytes}`,
      'INVALID_OPTION',
    );
  }
  if (typeof resolved.random !== 'function') {
    throw new ValidationError(
      'random',
      'a function returning [0, 1)',
      `got ${typeof resolved.random}`,
      'INVALID_OPTION',
    );
  }
  return resolved;
}

function integer(field: string, value: unknown, min: number, max: number): number {
  return validateIntegerOption(field, value, min, max, { allowInfinity: max === UNLIMITED });
}

function share(field: string, value: unknown): number {
  if (typeof value !== 'number' || !(value >= 0 && value <= 1)) {
    throw new ValidationError(field, 'a number from 0 to 1', `got ${describeValue(value)}`, 'INVALID_OPTION');
  }
  return value;
}

function oneOf<T extends string>(field: string, value: unknown, allowed: readonly T[]): T {
  if (!allowed.includes(value as T)) {
    throw new ValidationError(
      field,
      allowed.map((a) => `'${a}'`).join(' or '),
      `got ${JSON.stringify(value)}`,
      'INVALID_OPTION',
    );
  }
  return value as T;
}
