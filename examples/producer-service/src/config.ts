/** The service's configuration, from environment variables. */

export interface ServiceConfig {
  /** `local` (default): a local Kinesis; `aws`: the AWS account of the usual credential chain. */
  readonly target: 'local' | 'aws';
  /** STREAM_NAME: the stream to put into. */
  readonly streamName: string;
  /** PORT (0: any free port) and HOST to listen on. */
  readonly port: number;
  readonly host: string;
  /** PARTITION_KEY_FIELD: the event field used as partition key (a random key when absent). */
  readonly partitionKeyField: string;
  /** MAX_BUFFERED_RECORDS: records buffered or in flight before requests get 503. */
  readonly maxBufferedRecords: number;
  /** MAX_BUFFERED_TIME_MS: the longest a record waits for others to share a request. */
  readonly maxBufferedTimeMs: number;
  /** MAX_BODY_BYTES: the largest request body. */
  readonly maxBodyBytes: number;
  /** LOCAL_SHARDS: shards of the stream created on the local Kinesis. */
  readonly localShards: number;
}

function integer(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min) {
    throw new Error(`${name} must be an integer ≥ ${min}, got ${raw}`);
  }
  return value;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): ServiceConfig {
  const target = env.TARGET ?? 'local';
  if (target !== 'local' && target !== 'aws') throw new Error(`TARGET must be local or aws, got ${target}`);
  return {
    target,
    streamName: env.STREAM_NAME ?? 'events',
    port: integer(env, 'PORT', 3000, 0),
    host: env.HOST ?? '127.0.0.1',
    partitionKeyField: env.PARTITION_KEY_FIELD ?? 'deviceId',
    maxBufferedRecords: integer(env, 'MAX_BUFFERED_RECORDS', 10_000, 1),
    maxBufferedTimeMs: integer(env, 'MAX_BUFFERED_TIME_MS', 100, 0),
    maxBodyBytes: integer(env, 'MAX_BODY_BYTES', 1_048_576, 1),
    localShards: integer(env, 'LOCAL_SHARDS', 2, 1),
  };
}
