/** The consumer's configuration, from environment variables. */

export interface FanOutConfig {
  /** TARGET: `local` (default) for a local Kinesis and DynamoDB, `aws` for your AWS account. */
  readonly target: 'local' | 'aws';
  /** STREAM_NAME: the stream of page views. */
  readonly streamName: string;
  /** APPLICATION_NAME: shared by all workers of the application; names the lease table. */
  readonly applicationName: string;
  /** CONSUMER_NAME: the registered stream consumer (found, or registered at start). */
  readonly consumerName: string;
  /** CONSUMER_ARN: a stream consumer registered beforehand (then no registration call is made). */
  readonly consumerArn: string | undefined;
  /** FLUSH_EVERY_RECORDS, FLUSH_EVERY_MS: flush the counts (and checkpoint) after this many records or this long. */
  readonly flushEveryRecords: number;
  readonly flushEveryMs: number;
  /** INITIAL_POSITION: where shards without a checkpoint start, TRIM_HORIZON or LATEST. */
  readonly initialPosition: 'TRIM_HORIZON' | 'LATEST';
  /** SAMPLE_PAGE_VIEWS: page views put into a local stream at start. */
  readonly samplePageViews: number;
}

function integer(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min)
    throw new Error(`${name} must be an integer ≥ ${min}, got ${raw}`);
  return value;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): FanOutConfig {
  const target = env.TARGET ?? 'local';
  if (target !== 'local' && target !== 'aws') throw new Error(`TARGET must be local or aws, got ${target}`);
  const initialPosition = env.INITIAL_POSITION ?? 'TRIM_HORIZON';
  if (initialPosition !== 'TRIM_HORIZON' && initialPosition !== 'LATEST') {
    throw new Error(`INITIAL_POSITION must be TRIM_HORIZON or LATEST, got ${initialPosition}`);
  }
  const applicationName = env.APPLICATION_NAME ?? 'page-view-counter';
  return {
    target,
    streamName: env.STREAM_NAME ?? 'page-views',
    applicationName,
    consumerName: env.CONSUMER_NAME ?? applicationName,
    consumerArn: env.CONSUMER_ARN || undefined,
    flushEveryRecords: integer(env, 'FLUSH_EVERY_RECORDS', 500, 1),
    flushEveryMs: integer(env, 'FLUSH_EVERY_MS', 5_000, 0),
    initialPosition,
    samplePageViews: integer(env, 'SAMPLE_PAGE_VIEWS', 200, 0),
  };
}
