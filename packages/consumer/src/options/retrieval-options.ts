import type { KinesisClient } from '@aws-sdk/client-kinesis';
import {
  clientOption,
  describeValue,
  GET_RECORDS_MAX_LIMIT,
  integerOption,
  type Logger,
  type OptionSpec,
  type OptionSpecsOf,
  optionDefaults,
  type ResolvedOptions,
  resolveOptions,
  stringOption,
} from '@kinesis-ts/core';
import { DAY_MS, invalid } from './option-checks.js';

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

/** The smallest `idleTimeBetweenReadsMs`: 5 calls per second, a shard's limit for all readers. */
export const MIN_IDLE_TIME_BETWEEN_READS_MS = 200;

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

export const POLLING_GIVEN_SPECS = {
  maxRecordsPerFetch: withoutDefault(POLLING_OPTION_SPECS.maxRecordsPerFetch),
  idleTimeBetweenReadsMs: withoutDefault(POLLING_OPTION_SPECS.idleTimeBetweenReadsMs),
  maxPrefetchBatches: withoutDefault(POLLING_OPTION_SPECS.maxPrefetchBatches),
  maxPrefetchRecords: withoutDefault(POLLING_OPTION_SPECS.maxPrefetchRecords),
  maxPrefetchBytes: withoutDefault(POLLING_OPTION_SPECS.maxPrefetchBytes),
};
const POLLING_NAMES = Object.keys(POLLING_OPTION_SPECS) as (keyof typeof POLLING_OPTION_SPECS)[];

/** `retrieval`: the mode's own options checked, the polling ones as given (defaults come later). */
export function checkRetrieval(value: unknown, field: string): PollingGiven | FanOutGiven {
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

export const DEFAULT_RETRIEVAL: PollingGiven = Object.freeze({ mode: 'polling' });

/** The defaults of the `retrieval: { mode: 'polling' }` options. */
export const DEFAULT_POLLING_OPTIONS = optionDefaults(POLLING_OPTION_SPECS);

/** The defaults of the `retrieval: { mode: 'fan-out' }` options. */
export const DEFAULT_FAN_OUT_OPTIONS = optionDefaults(FAN_OUT_OPTION_SPECS);

/**
 * The polling options: given in `retrieval`, or (deprecated) at the top level, or their defaults. One
 * warning names the top-level ones given; the same option in both places is refused.
 */
export function resolvePolling(
  o: ResolvedOptions<typeof POLLING_GIVEN_SPECS> & { readonly logger: Logger | undefined },
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

export function resolveFanOut(given: FanOutGiven, applicationName: string, kinesisClient: KinesisClient) {
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
