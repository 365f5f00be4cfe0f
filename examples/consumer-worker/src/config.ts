/** The worker's configuration, from environment variables. */

export interface WorkerConfig {
  /** TARGET: `local` (default) for a local Kinesis and DynamoDB, `aws` for your AWS account. */
  readonly target: 'local' | 'aws';
  /** STREAM_NAME: the stream of orders. */
  readonly streamName: string;
  /** APPLICATION_NAME: shared by all workers of the application; names the lease table. */
  readonly applicationName: string;
  /** DEDUPE_TABLE: the idempotency store's table (partition key `id`, string; TTL on `expiresAt`). */
  readonly dedupeTable: string;
  /** DEAD_LETTER_STREAM: where records that keep failing go. */
  readonly deadLetterStream: string;
  /** INITIAL_POSITION: where shards without a checkpoint start, TRIM_HORIZON or LATEST. */
  readonly initialPosition: 'TRIM_HORIZON' | 'LATEST';
  /** CONCURRENCY: records of a shard processed at once (one at a time per customer). */
  readonly concurrency: number;
  /** MAX_PROCESSING_ATTEMPTS: tries at a record before it goes to the dead-letter stream. */
  readonly maxProcessingAttempts: number;
  /** SAMPLE_ORDERS: orders put into a local stream at start, so that there is something to see. */
  readonly sampleOrders: number;
}

function integer(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min)
    throw new Error(`${name} must be an integer ≥ ${min}, got ${raw}`);
  return value;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): WorkerConfig {
  const target = env.TARGET ?? 'local';
  if (target !== 'local' && target !== 'aws') throw new Error(`TARGET must be local or aws, got ${target}`);
  const initialPosition = env.INITIAL_POSITION ?? 'TRIM_HORIZON';
  if (initialPosition !== 'TRIM_HORIZON' && initialPosition !== 'LATEST') {
    throw new Error(`INITIAL_POSITION must be TRIM_HORIZON or LATEST, got ${initialPosition}`);
  }
  const applicationName = env.APPLICATION_NAME ?? 'orders-worker';
  return {
    target,
    streamName: env.STREAM_NAME ?? 'orders',
    applicationName,
    dedupeTable: env.DEDUPE_TABLE ?? `${applicationName}-dedupe`,
    deadLetterStream: env.DEAD_LETTER_STREAM ?? 'orders-dead-letters',
    initialPosition,
    concurrency: integer(env, 'CONCURRENCY', 8, 1),
    maxProcessingAttempts: integer(env, 'MAX_PROCESSING_ATTEMPTS', 3, 1),
    sampleOrders: integer(env, 'SAMPLE_ORDERS', 20, 0),
  };
}
