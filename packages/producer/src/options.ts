import type { KinesisClient } from '@aws-sdk/client-kinesis';
import {
  type BackoffPolicy,
  backoffOption,
  booleanOption,
  CoreErrorCode,
  DEFAULT_AGGREGATION_MAX_SIZE_BYTES,
  DEFAULT_MAX_RECORD_SIZE_BYTES,
  functionOption,
  integerOption,
  type Logger,
  MAX_RECORD_SIZE_LIMIT_BYTES,
  type OptionSpecsOf,
  objectOption,
  oneOfOption,
  optionDefaults,
  PUT_RECORDS_LEGACY_MAX_BYTES,
  PUT_RECORDS_MAX_BYTES,
  PUT_RECORDS_MAX_ENTRIES,
  type RandomSource,
  type ResolvedOptions,
  resolveOptions,
  type StreamReference,
  shareOption,
  streamReference,
  stringOption,
  ValidationError,
  validateIntegerOption,
} from '@kinesis-ts/core';

/** What `put` does when the buffer is full. */
export type BufferFullBehavior = 'wait' | 'reject';

/** Who writes the body of each `PutRecords` request (see `putRecordsSerializer`). */
export type PutRecordsSerializer = 'kinesis-ts' | 'sdk';

/** What the `oversizedRecords` hook is told about a record above the limit. */
export interface OversizedRecordContext {
  readonly partitionKey: string;
  /** The record limit (data plus partition key) the replacement must fit in. */
  readonly limitBytes: number;
}

/** Returns the data to write in place of a record above the limit (see `oversizedRecords`). */
export type OversizedRecordHook = (data: Uint8Array, context: OversizedRecordContext) => Promise<Uint8Array>;

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
   * The largest record (data plus partition key) `put` accepts; larger ones are refused with
   * `RECORD_TOO_LARGE` before anything is sent. From 1 to 10485760 (10 MiB). When not given, the
   * producer reads the stream's `MaxRecordSizeInKiB` with `DescribeStreamSummary` at start (raised
   * with `UpdateMaxRecordSize`), and falls back to 1 MiB, with a warning in the log, when the call is
   * refused or the answer has no limit. @defaultValue 1048576 (1 MiB, or the stream's MaxRecordSizeInKiB)
   */
  readonly maxRecordSizeBytes?: number;
  /**
   * Replaces the data of a record above the record limit (the stream's, or `maxRecordSizeBytes`)
   * before it is sent, instead of refusing it: return the small data to write in its place, e.g. a
   * claim-check pointer after storing the original in S3 (see docs/producer.md). Called once per such
   * record; records of the same partition key put after it are not sent before it. When the hook
   * throws, or returns data still above the limit, only that record fails, with
   * `OVERSIZED_RECORD_FAILED`. Records above the 10 MiB hard maximum are refused still.
   * @defaultValue none (records above the limit are refused)
   */
  readonly oversizedRecords?: OversizedRecordHook;

  /**
   * How long a record may wait in the buffer to be packed with others before it is sent (the KPL's
   * `RecordMaxBufferedTime`). 0 sends at once; at most an hour. @defaultValue 100
   */
  readonly maxBufferedTimeMs?: number;
  /**
   * How long a record may take, retries included, before it fails with `RECORD_EXPIRED` (the KPL's
   * `RecordTtl`). From 100 to `Infinity`. @defaultValue 30000
   */
  readonly recordTtlMs?: number;
  /**
   * The most attempts at a record before it fails with `MAX_ATTEMPTS_EXCEEDED`: from 1, or Infinity.
   * @defaultValue Infinity (until `recordTtlMs`)
   */
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
   * record. 150 lets one producer fill a shard (the KPL's `RateLimit`). From 1, or Infinity (no pacing).
   * @defaultValue 150
   */
  readonly rateLimitPercent?: number;
  /** The most entries in one `PutRecords` request (the KPL's `CollectionMaxCount`), 1 to 500. @defaultValue 500 */
  readonly maxRequestEntries?: number;
  /**
   * The most bytes (partition keys and data) in one `PutRecords` request, up to 10 MiB (the service's
   * limit since late 2025). Set 5242880 (5 MiB) for older endpoints and emulators that refuse larger
   * requests; a record larger than this is then sent alone in a request of its own.
   * @defaultValue 10485760 (10 MiB)
   */
  readonly maxRequestBytes?: number;
  /**
   * Who writes the JSON body of each `PutRecords` request. `'kinesis-ts'` writes it in one pass into a
   * buffer of the body's size, a third less CPU than the SDK's JSON codec on a large request (which
   * writes base64 one byte at a time into a buffer it doubles as it grows); the SDK still builds the
   * rest of the request and signs it. It applies to clients of the AWS JSON 1.1 protocol with the schema-based codec
   * (`@aws-sdk/client-kinesis` with `@smithy/core` 3); any other client writes its own. `'sdk'` leaves
   * every body to the client (a middleware of your own in the client's `serialize` step then sees the
   * records, which it otherwise does not).
   * @defaultValue 'kinesis-ts'
   */
  readonly putRecordsSerializer?: PutRecordsSerializer;
  /** The most `PutRecords` requests in flight at once (the KPL's `MaxConnections`), 1 to 256. @defaultValue 24 */
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

  /**
   * The most records buffered or in flight; `put` waits or rejects beyond it. From 1, or Infinity.
   * @defaultValue 100000
   */
  readonly maxBufferedRecords?: number;
  /**
   * The most bytes (data plus partition keys) buffered or in flight: at least `maxRecordSizeBytes`, or
   * Infinity. @defaultValue 67108864 (64 MiB)
   */
  readonly maxBufferedBytes?: number;
  /** What `put` does when the buffer is full: wait for room, or reject with `BUFFER_FULL`. @defaultValue 'wait' */
  readonly whenBufferFull?: BufferFullBehavior;

  /**
   * Emit `hot-key` when one partition key takes more than this share (from 0 to 1) of the records put
   * within `hotKeyWindowMs`, once the window holds 100 records. 0 turns detection off. @defaultValue 0.05 (the
   * 5–10 % of traffic at which a single key is worth an alert)
   */
  readonly hotKeyShare?: number;
  /** The window of the hot-key and hot-shard detection, from 100 to an hour. @defaultValue 10000 */
  readonly hotKeyWindowMs?: number;

  /** Where to log; nothing is printed by default. @defaultValue a silent logger */
  readonly logger?: Logger;
  /** Randomness for backoff jitter, injectable so tests are exact. @defaultValue Math.random */
  readonly random?: RandomSource;
}

const UNLIMITED = Number.POSITIVE_INFINITY;

/**
 * The default, range and check of every option, beside each other; the TSDoc above says the same to
 * users (a test keeps the two in agreement, and docs/producer.md's table with them).
 */
export const PRODUCER_OPTION_SPECS = {
  streamName: stringOption({}),
  streamArn: stringOption({}),
  client: objectOption<KinesisClient>({
    required: true,
    limit: 'a KinesisClient from @aws-sdk/client-kinesis',
    accepts: (value) => typeof (value as { send?: unknown }).send === 'function',
  }),
  aggregation: booleanOption({ default: true }),
  // At most maxRecordSizeBytes too: checked with the other rules between options.
  maxAggregateSizeBytes: integerOption({
    min: 64,
    max: MAX_RECORD_SIZE_LIMIT_BYTES,
    default: DEFAULT_AGGREGATION_MAX_SIZE_BYTES,
  }),
  maxAggregateRecords: integerOption({ min: 1, max: UNLIMITED, allowInfinity: true, default: UNLIMITED }),
  maxRecordSizeBytes: integerOption({
    min: 1,
    max: MAX_RECORD_SIZE_LIMIT_BYTES,
    default: DEFAULT_MAX_RECORD_SIZE_BYTES,
  }),
  maxBufferedTimeMs: integerOption({ min: 0, max: 3_600_000, default: 100 }),
  recordTtlMs: integerOption({ min: 100, max: UNLIMITED, allowInfinity: true, default: 30_000 }),
  maxAttempts: integerOption({ min: 1, max: UNLIMITED, allowInfinity: true, default: UNLIMITED }),
  retryBackoff: backoffOption({ default: { baseDelayMs: 100, maxDelayMs: 5_000 } }),
  failIfThrottled: booleanOption({ default: false }),
  rateLimitPercent: integerOption({ min: 1, max: UNLIMITED, allowInfinity: true, default: 150 }),
  maxRequestEntries: integerOption({
    min: 1,
    max: PUT_RECORDS_MAX_ENTRIES,
    default: PUT_RECORDS_MAX_ENTRIES,
  }),
  maxRequestBytes: integerOption({ min: 1, max: PUT_RECORDS_MAX_BYTES, default: PUT_RECORDS_MAX_BYTES }),
  putRecordsSerializer: oneOfOption(['kinesis-ts', 'sdk'], { default: 'kinesis-ts' }),
  maxConcurrentRequests: integerOption({ min: 1, max: 256, default: 24 }),
  requestTimeoutMs: integerOption({ min: 100, max: 600_000, default: 6_000 }),
  preserveKeyOrder: booleanOption({ default: true }),
  maxBufferedRecords: integerOption({ min: 1, max: UNLIMITED, allowInfinity: true, default: 100_000 }),
  maxBufferedBytes: integerOption({
    min: 1,
    max: UNLIMITED,
    allowInfinity: true,
    default: 64 * 1024 * 1024,
  }),
  whenBufferFull: oneOfOption(['wait', 'reject'], { default: 'wait' }),
  hotKeyShare: shareOption({ default: 0.05 }),
  hotKeyWindowMs: integerOption({ min: 100, max: 3_600_000, default: 10_000 }),
  logger: objectOption<Logger>({ limit: 'a Logger object' }),
  oversizedRecords: functionOption<OversizedRecordHook>({
    limit: 'a function returning Promise<Uint8Array>',
  }),
  random: functionOption<RandomSource>({ limit: 'a function returning [0, 1)', default: Math.random }),
} satisfies OptionSpecsOf<KinesisProducerOptions>;

/** The producer's defaults, in one place. */
export const DEFAULT_PRODUCER_OPTIONS = optionDefaults(PRODUCER_OPTION_SPECS);

/** Options with every default filled in and every value checked. */
export type ResolvedProducerOptions = ResolvedOptions<typeof PRODUCER_OPTION_SPECS> & {
  /** The stream, from exactly one of `streamName` and `streamArn`, checked. */
  readonly stream: StreamReference;
  /** `maxRecordSizeBytes` was not given: the stream's own limit is read at start. */
  readonly recordSizeFromStream: boolean;
};

/**
 * Fills in defaults and checks every option, so a mistake fails at construction with an error that
 * names the option and its allowed range.
 * @throws ValidationError (`INVALID_OPTION`)
 */
export function resolveProducerOptions(options: KinesisProducerOptions): ResolvedProducerOptions {
  const checked = resolveOptions(PRODUCER_OPTION_SPECS, options, { owner: 'KinesisProducer' });
  const resolved = {
    ...checked,
    stream: streamReference(checked.streamName, checked.streamArn),
    recordSizeFromStream: options.maxRecordSizeBytes === undefined,
  };
  const { maxRecordSizeBytes } = resolved;
  validateIntegerOption('maxAggregateSizeBytes', resolved.maxAggregateSizeBytes, 64, maxRecordSizeBytes);
  if (resolved.maxBufferedBytes < maxRecordSizeBytes) {
    throw new ValidationError(
      'maxBufferedBytes',
      `at least maxRecordSizeBytes (${maxRecordSizeBytes})`,
      `got ${resolved.maxBufferedBytes}`,
      CoreErrorCode.INVALID_OPTION,
    );
  }
  if (resolved.maxRequestBytes < Math.min(maxRecordSizeBytes, PUT_RECORDS_LEGACY_MAX_BYTES)) {
    throw new ValidationError(
      'maxRequestBytes',
      `at least maxRecordSizeBytes (${maxRecordSizeBytes}), so any record fits in a request`,
      `got ${resolved.maxRequestBytes}`,
      CoreErrorCode.INVALID_OPTION,
    );
  }
  return resolved;
}
