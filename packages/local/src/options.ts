import { describeValue, ValidationError } from '@kinesis-ts/core';

/** Log levels understood by the kinesis-local emulator (`LOG_LEVEL`). */
export type EmulatorLogLevel = 'ERROR' | 'WARN' | 'INFO' | 'DEBUG' | 'TRACE';

/** Options of {@link startLocalStack}. Every option is optional; unknown options are rejected. */
export interface LocalStackOptions {
  /**
   * Port of the Kinesis emulator's plain HTTP endpoint (`kinesisEndpoint`). `0` picks a free port.
   * @defaultValue 0
   */
  kinesisPort?: number;
  /**
   * Port of the Kinesis emulator's HTTPS endpoint (self-signed certificate; the helpers of this
   * package do not use it, but the emulator always listens on it). `0` picks a free port.
   * @defaultValue 0
   */
  kinesisTlsPort?: number;
  /**
   * Port of the DynamoDB server (`dynamoDbEndpoint`, bound to 127.0.0.1). `0` picks a free port.
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
   * @defaultValue 100
   */
  createStreamDurationMs?: number;
  /**
   * Time in milliseconds a deleted stream stays DELETING (`DELETE_STREAM_DURATION`).
   * @defaultValue 100
   */
  deleteStreamDurationMs?: number;
  /**
   * Time in milliseconds a stream stays UPDATING after SplitShard (`SPLIT_SHARD_DURATION`).
   * @defaultValue 100
   */
  splitShardDurationMs?: number;
  /**
   * Time in milliseconds a stream stays UPDATING after MergeShards (`MERGE_SHARDS_DURATION`).
   * @defaultValue 100
   */
  mergeShardsDurationMs?: number;
  /**
   * Time in milliseconds a stream stays UPDATING after UpdateShardCount (`UPDATE_SHARD_COUNT_DURATION`).
   * @defaultValue 100
   */
  updateShardCountDurationMs?: number;
  /**
   * Time in milliseconds a stream stays UPDATING after UpdateStreamMode (`UPDATE_STREAM_MODE_DURATION`).
   * @defaultValue 100
   */
  updateStreamModeDurationMs?: number;
  /**
   * Time in milliseconds a registered consumer stays CREATING (`REGISTER_STREAM_CONSUMER_DURATION`).
   * @defaultValue 100
   */
  registerStreamConsumerDurationMs?: number;
  /**
   * Time in milliseconds a deregistered consumer stays DELETING (`DEREGISTER_STREAM_CONSUMER_DURATION`).
   * @defaultValue 100
   */
  deregisterStreamConsumerDurationMs?: number;
  /**
   * Time in milliseconds StartStreamEncryption keeps the stream UPDATING (`START_STREAM_ENCRYPTION_DURATION`).
   * @defaultValue 100
   */
  startStreamEncryptionDurationMs?: number;
  /**
   * Time in milliseconds StopStreamEncryption keeps the stream UPDATING (`STOP_STREAM_ENCRYPTION_DURATION`).
   * @defaultValue 100
   */
  stopStreamEncryptionDurationMs?: number;
  /**
   * Maximum number of open shards in the account (`SHARD_LIMIT`), in shards.
   * @defaultValue 50
   */
  shardLimit?: number;
  /**
   * Maximum number of on-demand streams (`ON_DEMAND_STREAM_COUNT_LIMIT`), in streams.
   * @defaultValue 10
   */
  onDemandStreamCountLimit?: number;
  /**
   * Time in milliseconds a DynamoDB table stays CREATING (dynalite's `createTableMs`).
   * @defaultValue 0
   */
  createTableMs?: number;
  /**
   * Time in milliseconds a DynamoDB table stays DELETING (dynalite's `deleteTableMs`).
   * @defaultValue 0
   */
  deleteTableMs?: number;
  /**
   * Time in milliseconds a DynamoDB table stays UPDATING (dynalite's `updateTableMs`).
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
   * `LOCAL_STACK_START_TIMEOUT` (and stopping whatever was started).
   * @defaultValue 20000
   */
  startTimeoutMs?: number;
  /**
   * How long, in milliseconds, `stop()` waits for the emulator process to exit after asking it to,
   * before it sends SIGKILL.
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
   * Number of lines of the emulator's output to keep, in lines.
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
}

/** {@link LocalStackOptions} with every default applied. */
export type ResolvedLocalStackOptions = Required<Omit<LocalStackOptions, 'emulatorPath'>> & {
  emulatorPath: string | undefined;
};

/** The defaults of {@link LocalStackOptions}. */
export const DEFAULT_LOCAL_STACK_OPTIONS: Readonly<ResolvedLocalStackOptions> = Object.freeze({
  kinesisPort: 0,
  kinesisTlsPort: 0,
  dynamoDbPort: 0,
  region: 'us-east-1',
  accountId: '000000000000',
  createStreamDurationMs: 100,
  deleteStreamDurationMs: 100,
  splitShardDurationMs: 100,
  mergeShardsDurationMs: 100,
  updateShardCountDurationMs: 100,
  updateStreamModeDurationMs: 100,
  registerStreamConsumerDurationMs: 100,
  deregisterStreamConsumerDurationMs: 100,
  startStreamEncryptionDurationMs: 100,
  stopStreamEncryptionDurationMs: 100,
  shardLimit: 50,
  onDemandStreamCountLimit: 10,
  createTableMs: 0,
  deleteTableMs: 0,
  updateTableMs: 0,
  streams: [],
  startTimeoutMs: 20_000,
  stopGraceMs: 1_000,
  logLevel: 'WARN',
  outputLines: 50,
  emulatorPath: undefined,
  nodePath: process.execPath,
  emulatorEnv: {},
});

const PORT_OPTIONS = ['kinesisPort', 'kinesisTlsPort', 'dynamoDbPort'] as const;
const DURATION_OPTIONS = [
  'createStreamDurationMs',
  'deleteStreamDurationMs',
  'splitShardDurationMs',
  'mergeShardsDurationMs',
  'updateShardCountDurationMs',
  'updateStreamModeDurationMs',
  'registerStreamConsumerDurationMs',
  'deregisterStreamConsumerDurationMs',
  'startStreamEncryptionDurationMs',
  'stopStreamEncryptionDurationMs',
  'createTableMs',
  'deleteTableMs',
  'updateTableMs',
  'stopGraceMs',
] as const;
const LOG_LEVELS: readonly EmulatorLogLevel[] = ['ERROR', 'WARN', 'INFO', 'DEBUG', 'TRACE'];
const MAX_DURATION_MS = 3_600_000;

/**
 * Rejects unknown option names (a typo such as `kinesisPrt` fails loudly instead of being ignored).
 * @throws ValidationError (`INVALID_OPTION`) naming the first unknown option.
 */
export function rejectUnknownOptions(options: object, known: readonly string[], context: string): void {
  for (const key of Object.keys(options)) {
    if (!known.includes(key)) {
      throw new ValidationError(
        key,
        `one of ${known.join(', ')}`,
        `${context} has no option named '${key}'`,
        'INVALID_OPTION',
      );
    }
  }
}

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
      'INVALID_OPTION',
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
  if (typeof options !== 'object' || options === null) {
    throw new ValidationError('options', 'an object', `got ${String(options)}`, 'INVALID_OPTION');
  }
  rejectUnknownOptions(options, Object.keys(DEFAULT_LOCAL_STACK_OPTIONS), 'startLocalStack');
  const defined = Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined));
  const resolved: ResolvedLocalStackOptions = { ...DEFAULT_LOCAL_STACK_OPTIONS, ...defined };

  for (const name of PORT_OPTIONS) requireInteger(name, resolved[name], 0, 65_535, '(0 = a free port)');
  for (const name of DURATION_OPTIONS) requireInteger(name, resolved[name], 0, MAX_DURATION_MS, 'ms');
  requireInteger('startTimeoutMs', resolved.startTimeoutMs, 1, MAX_DURATION_MS, 'ms');
  requireInteger('shardLimit', resolved.shardLimit, 1, 100_000, 'shards');
  requireInteger('onDemandStreamCountLimit', resolved.onDemandStreamCountLimit, 1, 10_000, 'streams');
  requireInteger('outputLines', resolved.outputLines, 0, 10_000, 'lines');

  const fixedPorts = PORT_OPTIONS.map((name) => resolved[name]).filter((port) => port !== 0);
  if (new Set(fixedPorts).size !== fixedPorts.length) {
    throw new ValidationError(
      'kinesisPort',
      'kinesisPort, kinesisTlsPort and dynamoDbPort all different',
      `the same port is given twice (${fixedPorts.join(', ')})`,
      'INVALID_OPTION',
    );
  }
  if (typeof resolved.region !== 'string' || !/^[a-z]{2}(-[a-z]+)+-\d+$/.test(resolved.region)) {
    throw new ValidationError(
      'region',
      'an AWS region name such as us-east-1',
      `got ${String(resolved.region)}`,
      'INVALID_OPTION',
    );
  }
  if (typeof resolved.accountId !== 'string' || !/^\d{12}$/.test(resolved.accountId)) {
    throw new ValidationError(
      'accountId',
      '12 digits',
      `got ${String(resolved.accountId)}`,
      'INVALID_OPTION',
    );
  }
  if (!LOG_LEVELS.includes(resolved.logLevel)) {
    throw new ValidationError(
      'logLevel',
      LOG_LEVELS.join(', '),
      `got ${String(resolved.logLevel)}`,
      'INVALID_OPTION',
    );
  }
  if (
    resolved.emulatorPath !== undefined &&
    (typeof resolved.emulatorPath !== 'string' || !resolved.emulatorPath)
  ) {
    throw new ValidationError(
      'emulatorPath',
      'a path to main.js',
      `got ${String(resolved.emulatorPath)}`,
      'INVALID_OPTION',
    );
  }
  if (typeof resolved.nodePath !== 'string' || resolved.nodePath.length === 0) {
    throw new ValidationError(
      'nodePath',
      'a path to a node executable',
      `got ${String(resolved.nodePath)}`,
      'INVALID_OPTION',
    );
  }
  if (typeof resolved.emulatorEnv !== 'object' || resolved.emulatorEnv === null) {
    throw new ValidationError(
      'emulatorEnv',
      'an object of strings',
      `got ${String(resolved.emulatorEnv)}`,
      'INVALID_OPTION',
    );
  }
  if (!Array.isArray(resolved.streams)) {
    throw new ValidationError(
      'streams',
      'an array of { name, shardCount }',
      `got ${String(resolved.streams)}`,
      'INVALID_OPTION',
    );
  }
  resolved.streams.forEach((stream, index) => {
    if (!isValidStreamName(stream?.name)) {
      throw new ValidationError(
        `streams[${index}].name`,
        '1-128 characters of a-z, A-Z, 0-9, _ . -',
        `got ${String(stream?.name)}`,
        'INVALID_OPTION',
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
