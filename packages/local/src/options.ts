import {
  booleanOption,
  CoreErrorCode,
  customOption,
  describeValue,
  type OptionSpec,
  type OptionSpecsOf,
  objectOption,
  oneOfOption,
  optionDefaults,
  type ResolvedOptions,
  rejectUnknownOptions,
  resolveOptions,
  stringOption,
  ValidationError,
} from '@kinesis-ts/core';
import { SHARD_LIMITS } from './service-limit-table';

/**
 * Rejects unknown option names (a typo such as `kinesisPrt` fails loudly instead of being ignored),
 * suggesting the nearest known one.
 * @throws ValidationError (`INVALID_OPTION`) naming the first unknown option.
 */
export { rejectUnknownOptions };

/** Settings of the service limits a stack enforces (`enforceLimits`). Unknown settings are rejected. */
export interface ServiceLimitOptions {
  /**
   * How long a SubscribeToShard subscription delivers events before the stack ends it between two
   * events, in milliseconds, from 1 to 300000 (the service's 5 minutes, after which the emulator
   * ends it itself). Shorten it to test renewals.
   * @defaultValue 300000
   */
  subscriptionLifetimeMs?: number;
}

/** Log levels understood by the kinesis-local emulator (`LOG_LEVEL`). */
export type EmulatorLogLevel = 'ERROR' | 'WARN' | 'INFO' | 'DEBUG' | 'TRACE';

/** Options of {@link startLocalStack}. Every option is optional; unknown options are rejected. */
export interface LocalStackOptions {
  /**
   * Port of the Kinesis emulator's plain HTTP endpoint (`kinesisEndpoint`), 0 to 65 535. `0` picks
   * a free port.
   * @defaultValue 0
   */
  kinesisPort?: number;
  /**
   * Port of the Kinesis emulator's HTTPS endpoint (self-signed certificate; the helpers of this
   * package do not use it, but the emulator always listens on it), 0 to 65 535. `0` picks a free port.
   * @defaultValue 0
   */
  kinesisTlsPort?: number;
  /**
   * Port of the DynamoDB server (`dynamoDbEndpoint`, bound to 127.0.0.1), 0 to 65 535. `0` picks a
   * free port.
   * @defaultValue 0
   */
  dynamoDbPort?: number;
  /**
   * AWS region the emulator runs in and the built clients use.
   * @defaultValue 'us-east-1'
   */
  region?: string;
  /**
   * The 12-digit account id the emulator puts in stream and consumer ARNs.
   * @defaultValue '000000000000'
   */
  accountId?: string;
  /**
   * Time in milliseconds a new stream stays CREATING (`CREATE_STREAM_DURATION`). The emulator's
   * own default is 500 ms; a short value keeps tests fast.
   * From 0 to an hour.
   * @defaultValue 100
   */
  createStreamDurationMs?: number;
  /**
   * Time in milliseconds a deleted stream stays DELETING (`DELETE_STREAM_DURATION`).
   * From 0 to an hour.
   * @defaultValue 100
   */
  deleteStreamDurationMs?: number;
  /**
   * Time in milliseconds a stream stays UPDATING after SplitShard (`SPLIT_SHARD_DURATION`).
   * From 0 to an hour.
   * @defaultValue 100
   */
  splitShardDurationMs?: number;
  /**
   * Time in milliseconds a stream stays UPDATING after MergeShards (`MERGE_SHARDS_DURATION`).
   * From 0 to an hour.
   * @defaultValue 100
   */
  mergeShardsDurationMs?: number;
  /**
   * Time in milliseconds a stream stays UPDATING after UpdateShardCount (`UPDATE_SHARD_COUNT_DURATION`).
   * From 0 to an hour.
   * @defaultValue 100
   */
  updateShardCountDurationMs?: number;
  /**
   * Time in milliseconds a stream stays UPDATING after UpdateStreamMode (`UPDATE_STREAM_MODE_DURATION`).
   * From 0 to an hour.
   * @defaultValue 100
   */
  updateStreamModeDurationMs?: number;
  /**
   * Time in milliseconds a registered consumer stays CREATING (`REGISTER_STREAM_CONSUMER_DURATION`).
   * From 0 to an hour.
   * @defaultValue 100
   */
  registerStreamConsumerDurationMs?: number;
  /**
   * Time in milliseconds a deregistered consumer stays DELETING (`DEREGISTER_STREAM_CONSUMER_DURATION`).
   * From 0 to an hour.
   * @defaultValue 100
   */
  deregisterStreamConsumerDurationMs?: number;
  /**
   * Time in milliseconds StartStreamEncryption keeps the stream UPDATING (`START_STREAM_ENCRYPTION_DURATION`).
   * From 0 to an hour.
   * @defaultValue 100
   */
  startStreamEncryptionDurationMs?: number;
  /**
   * Time in milliseconds StopStreamEncryption keeps the stream UPDATING (`STOP_STREAM_ENCRYPTION_DURATION`).
   * From 0 to an hour.
   * @defaultValue 100
   */
  stopStreamEncryptionDurationMs?: number;
  /**
   * Maximum number of open shards in the account (`SHARD_LIMIT`), in shards, 1 to 100 000.
   * @defaultValue 50
   */
  shardLimit?: number;
  /**
   * Maximum number of on-demand streams (`ON_DEMAND_STREAM_COUNT_LIMIT`), in streams, 1 to 10 000.
   * @defaultValue 10
   */
  onDemandStreamCountLimit?: number;
  /**
   * Time in milliseconds a DynamoDB table stays CREATING (dynalite's `createTableMs`).
   * From 0 to an hour.
   * @defaultValue 0
   */
  createTableMs?: number;
  /**
   * Time in milliseconds a DynamoDB table stays DELETING (dynalite's `deleteTableMs`).
   * From 0 to an hour.
   * @defaultValue 0
   */
  deleteTableMs?: number;
  /**
   * Time in milliseconds a DynamoDB table stays UPDATING (dynalite's `updateTableMs`).
   * From 0 to an hour.
   * @defaultValue 0
   */
  updateTableMs?: number;
  /**
   * Streams to create (and wait for, until ACTIVE) once both services answer.
   * @defaultValue []
   */
  streams?: readonly { name: string; shardCount: number }[];
  /**
   * How long, in milliseconds, to wait for both services to answer before failing with
   * `LOCAL_STACK_START_TIMEOUT` (and stopping whatever was started). From 1 to an hour.
   * @defaultValue 20000
   */
  startTimeoutMs?: number;
  /**
   * How long, in milliseconds, `stop()` waits for the emulator process to exit after asking it to,
   * before it sends SIGKILL. From 0 to an hour.
   * @defaultValue 1000
   */
  stopGraceMs?: number;
  /**
   * The emulator's `LOG_LEVEL`. Its output is never printed: the last `outputLines` lines are kept
   * for error messages (and `stack.kinesisOutput()`).
   * @defaultValue 'WARN'
   */
  logLevel?: EmulatorLogLevel;
  /**
   * Number of lines of the emulator's output to keep, in lines, 0 to 10 000.
   * @defaultValue 50
   */
  outputLines?: number;
  /**
   * Path to kinesis-local's `main.js`.
   * @defaultValue the `main.js` of the installed `kinesis-local` package
   */
  emulatorPath?: string;
  /**
   * The Node.js executable that runs the emulator.
   * @defaultValue `process.execPath`
   */
  nodePath?: string;
  /**
   * Extra environment variables for the emulator process, applied last (an escape hatch for
   * kinesis-local settings this package has no option for). The emulator does not inherit the
   * parent's environment apart from `PATH`.
   * @defaultValue {}
   */
  emulatorEnv?: Readonly<Record<string, string>>;
  /**
   * Refuse what Kinesis refuses, with the service's errors: 1,000 records and 1 MiB per second
   * written per shard (PutRecords entries failed with `ProvisionedThroughputExceededException`), 5
   * GetRecords calls and 2 MiB per second read per shard, one SubscribeToShard per second per
   * consumer and shard (`LimitExceededException`), subscriptions that end after
   * `limits.subscriptionLifetimeMs`, and the call rates of the control plane. Off, nothing is
   * refused. See docs/local.md, "Service limits".
   * @defaultValue false
   */
  enforceLimits?: boolean;
  /**
   * Settings of the enforced limits; only with `enforceLimits: true`.
   * @defaultValue { subscriptionLifetimeMs: 300000 }
   */
  limits?: ServiceLimitOptions;
  /**
   * Records whose data is larger than this, in bytes, from 0 to 10485760, are kept by the stack's
   * Kinesis front instead of the emulator, which takes over a minute to store a 9.5 MiB record: the
   * emulator stores a placeholder of a few dozen bytes and the front puts the data back in
   * GetRecords responses and SubscribeToShard events, so records of up to 10 MiB go through in
   * seconds. The front then checks such records against the stream's `MaxRecordSizeInKiB` itself.
   * 10485760 sends every record to the emulator as it is. See docs/local.md, "Large records".
   * @defaultValue 65536
   */
  largeRecordThresholdBytes?: number;
  /**
   * Also start a local S3 server (s3rver, as `startLocalS3`) beside the two emulators: its endpoint is
   * the stack's `s3Endpoint` (use `forcePathStyle: true`), `stop()` ends it with the rest.
   * @defaultValue false
   */
  s3?: boolean;
  /**
   * Buckets the local S3 server creates at the start; only with `s3: true`.
   * @defaultValue []
   */
  s3Buckets?: readonly string[];
}

const LOG_LEVELS: readonly EmulatorLogLevel[] = ['ERROR', 'WARN', 'INFO', 'DEBUG', 'TRACE'];
const HOUR_MS = 3_600_000;

/** An integer option in `min`..`max` `unit`, with its messages ("an integer from 1 to 3600000 ms"). */
function integer(
  min: number,
  max: number,
  unit: string,
  defaultValue: number,
): OptionSpec<number, 'defaulted'> {
  const check = (value: unknown, field: string) => {
    requireInteger(field, value, min, max, unit);
    return value as number;
  };
  return {
    ...customOption(`an integer from ${min} to ${max} ${unit}`, check, { default: defaultValue }),
    range: { min, max, allowInfinity: false, zeroMeansOff: false },
  };
}

const port = () => integer(0, 65_535, '(0 = a free port)', 0);
const duration = (defaultValue: number) => integer(0, HOUR_MS, 'ms', defaultValue);

/** The default, range and check of every setting of {@link ServiceLimitOptions}. */
export const SERVICE_LIMIT_OPTION_SPECS = {
  subscriptionLifetimeMs: integer(
    1,
    SHARD_LIMITS.subscriptionLifetimeMs,
    'ms',
    SHARD_LIMITS.subscriptionLifetimeMs,
  ),
} satisfies OptionSpecsOf<ServiceLimitOptions>;

/** {@link ServiceLimitOptions} with every default applied. */
export type ResolvedServiceLimitOptions = ResolvedOptions<typeof SERVICE_LIMIT_OPTION_SPECS>;

const checkServiceLimits = (value: unknown): ResolvedServiceLimitOptions =>
  resolveOptions(SERVICE_LIMIT_OPTION_SPECS, value, {
    owner: 'startLocalStack limits',
    fieldPrefix: 'limits.',
  });

function checkStreams(value: unknown, field: string): readonly { name: string; shardCount: number }[] {
  if (!Array.isArray(value)) {
    throw new ValidationError(
      field,
      'an array of { name, shardCount }',
      `got ${describeValue(value)}`,
      CoreErrorCode.INVALID_OPTION,
    );
  }
  return value;
}

function checkBucketNames(value: unknown, field: string): readonly string[] {
  if (
    !Array.isArray(value) ||
    !value.every((name) => typeof name === 'string' && /^[a-z0-9][a-z0-9.-]{2,62}$/.test(name))
  ) {
    throw new ValidationError(
      field,
      'an array of S3 bucket names (3 to 63 of a-z 0-9 . -)',
      `got ${describeValue(value)}`,
      CoreErrorCode.INVALID_OPTION,
    );
  }
  return value;
}

/** The default, range and check of every option of {@link startLocalStack}. */
export const LOCAL_STACK_OPTION_SPECS = {
  kinesisPort: port(),
  kinesisTlsPort: port(),
  dynamoDbPort: port(),
  region: stringOption({
    pattern: /^[a-z]{2}(-[a-z]+)+-\d+$/,
    limit: 'an AWS region name such as us-east-1',
    default: 'us-east-1',
  }),
  accountId: stringOption({ pattern: /^\d{12}$/, limit: '12 digits', default: '000000000000' }),
  createStreamDurationMs: duration(100),
  deleteStreamDurationMs: duration(100),
  splitShardDurationMs: duration(100),
  mergeShardsDurationMs: duration(100),
  updateShardCountDurationMs: duration(100),
  updateStreamModeDurationMs: duration(100),
  registerStreamConsumerDurationMs: duration(100),
  deregisterStreamConsumerDurationMs: duration(100),
  startStreamEncryptionDurationMs: duration(100),
  stopStreamEncryptionDurationMs: duration(100),
  shardLimit: integer(1, 100_000, 'shards', 50),
  onDemandStreamCountLimit: integer(1, 10_000, 'streams', 10),
  createTableMs: duration(0),
  deleteTableMs: duration(0),
  updateTableMs: duration(0),
  // Each stream's name and shard count (at most shardLimit) are checked after.
  streams: customOption('an array of { name, shardCount }', checkStreams, { default: [] }),
  startTimeoutMs: integer(1, HOUR_MS, 'ms', 20_000),
  stopGraceMs: duration(1_000),
  logLevel: oneOfOption(LOG_LEVELS, { default: 'WARN' }),
  outputLines: integer(0, 10_000, 'lines', 50),
  emulatorPath: stringOption({ limit: 'a path to main.js' }),
  nodePath: stringOption({ limit: 'a path to a node executable', default: process.execPath }),
  emulatorEnv: objectOption<Readonly<Record<string, string>>>({ limit: 'an object of strings', default: {} }),
  enforceLimits: booleanOption({ default: false }),
  limits: customOption<ResolvedServiceLimitOptions>('{ subscriptionLifetimeMs }', checkServiceLimits, {
    default: optionDefaults(SERVICE_LIMIT_OPTION_SPECS),
  }),
  largeRecordThresholdBytes: integer(0, 10_485_760, 'bytes', 65_536),
  s3: booleanOption({ default: false }),
  s3Buckets: customOption('an array of bucket names', checkBucketNames, { default: [] as readonly string[] }),
} satisfies OptionSpecsOf<LocalStackOptions>;

/** {@link LocalStackOptions} with every default applied. */
export type ResolvedLocalStackOptions = ResolvedOptions<typeof LOCAL_STACK_OPTION_SPECS>;

/** The defaults of {@link LocalStackOptions}. */
export const DEFAULT_LOCAL_STACK_OPTIONS = optionDefaults(LOCAL_STACK_OPTION_SPECS);

/**
 * Checks that an option is an integer in `min`..`max`.
 * @throws ValidationError (`INVALID_OPTION`) naming it, with the range and `unit`.
 */
export function requireInteger(name: string, value: unknown, min: number, max: number, unit: string): void {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    const fraction = typeof value === 'number' && Number.isFinite(value) && !Number.isInteger(value);
    throw new ValidationError(
      name,
      `an integer from ${min} to ${max} ${unit}`,
      fraction ? `got ${value}, not an integer` : `got ${describeValue(value)}`,
      CoreErrorCode.INVALID_OPTION,
    );
  }
}

/** Whether `name` is a valid Kinesis stream name (1–128 of `a-zA-Z0-9_.-`). */
export function isValidStreamName(name: unknown): name is string {
  return typeof name === 'string' && /^[a-zA-Z0-9_.-]{1,128}$/.test(name);
}

/**
 * Applies the defaults to `options` and validates them.
 * @throws ValidationError naming the offending option (code `INVALID_OPTION`).
 */
export function resolveLocalStackOptions(options: LocalStackOptions = {}): ResolvedLocalStackOptions {
  const resolved = resolveOptions(LOCAL_STACK_OPTION_SPECS, options, { owner: 'startLocalStack' });
  const fixedPorts = [resolved.kinesisPort, resolved.kinesisTlsPort, resolved.dynamoDbPort].filter(
    (port) => port !== 0,
  );
  if (new Set(fixedPorts).size !== fixedPorts.length) {
    throw new ValidationError(
      'kinesisPort',
      'kinesisPort, kinesisTlsPort and dynamoDbPort all different',
      `the same port is given twice (${fixedPorts.join(', ')})`,
      CoreErrorCode.INVALID_OPTION,
    );
  }
  if (options.limits !== undefined && !resolved.enforceLimits) {
    throw new ValidationError(
      'limits',
      'limits only with enforceLimits: true',
      'limits was given but enforceLimits is false: the stack would enforce nothing',
      CoreErrorCode.INVALID_OPTION,
    );
  }
  if (options.s3Buckets !== undefined && !resolved.s3) {
    throw new ValidationError(
      's3Buckets',
      's3Buckets only with s3: true',
      's3Buckets was given but s3 is false: no S3 server would hold them',
      CoreErrorCode.INVALID_OPTION,
    );
  }
  resolved.streams.forEach((stream, index) => {
    if (!isValidStreamName(stream?.name)) {
      throw new ValidationError(
        `streams[${index}].name`,
        '1-128 characters of a-z, A-Z, 0-9, _ . -',
        `got ${String(stream?.name)}`,
        CoreErrorCode.INVALID_OPTION,
      );
    }
    requireInteger(`streams[${index}].shardCount`, stream.shardCount, 1, resolved.shardLimit, 'shards');
  });
  return resolved;
}

/** The environment variables that configure kinesis-local for `options`. */
export function emulatorEnvironment(
  options: ResolvedLocalStackOptions,
  ports: { plain: number; tls: number },
): Record<string, string> {
  const ms = (value: number) => `${value}ms`;
  return {
    KINESIS_MOCK_PLAIN_PORT: String(ports.plain),
    KINESIS_MOCK_TLS_PORT: String(ports.tls),
    AWS_REGION: options.region,
    AWS_ACCOUNT_ID: options.accountId,
    CREATE_STREAM_DURATION: ms(options.createStreamDurationMs),
    DELETE_STREAM_DURATION: ms(options.deleteStreamDurationMs),
    SPLIT_SHARD_DURATION: ms(options.splitShardDurationMs),
    MERGE_SHARDS_DURATION: ms(options.mergeShardsDurationMs),
    UPDATE_SHARD_COUNT_DURATION: ms(options.updateShardCountDurationMs),
    UPDATE_STREAM_MODE_DURATION: ms(options.updateStreamModeDurationMs),
    REGISTER_STREAM_CONSUMER_DURATION: ms(options.registerStreamConsumerDurationMs),
    DEREGISTER_STREAM_CONSUMER_DURATION: ms(options.deregisterStreamConsumerDurationMs),
    START_STREAM_ENCRYPTION_DURATION: ms(options.startStreamEncryptionDurationMs),
    STOP_STREAM_ENCRYPTION_DURATION: ms(options.stopStreamEncryptionDurationMs),
    SHARD_LIMIT: String(options.shardLimit),
    ON_DEMAND_STREAM_COUNT_LIMIT: String(options.onDemandStreamCountLimit),
    LOG_LEVEL: options.logLevel,
    ROOT_LOG_LEVEL: 'ERROR',
    SHOULD_PERSIST_DATA: 'false',
    LOAD_DATA_IF_EXISTS: 'false',
    ...options.emulatorEnv,
  };
}
