/**
 * One consumer worker of the demo, in its own process so that the demo can kill it the way a crashed
 * machine dies (SIGKILL: no final checkpoint, no lease released). Started by `worker-handle.ts` with
 * a `WorkerConfig` as its JSON argument; reports to the main process over the IPC channel.
 *
 * What it runs is what a production worker runs: a `KinesisConsumer` sharing the stream with the
 * other workers through the lease table, per-key parallelism, and each event written to the sink
 * table at most once through the DynamoDB idempotency store.
 */
import {
  type ConsumerRecord,
  DynamoDbIdempotencyStore,
  idempotent,
  KinesisConsumer,
  type Logger,
  parallelByKey,
} from '@kinesis-ts/consumer';
import { connectLocalStack, injectKinesisFaults } from '@kinesis-ts/local';
import { decodeEvent } from './device-events.js';
import type { MainMessage, ShardStatus, WorkerConfig, WorkerMessage } from './protocol.js';
import { quietSdkNodeVersionWarning } from './quiet-warnings.js';
import { writeToSink } from './tables.js';

quietSdkNodeVersionWarning();
const config = JSON.parse(process.argv[2] ?? '{}') as WorkerConfig;

function send(message: WorkerMessage): void {
  if (process.connected) process.send?.(message);
}

const local = connectLocalStack({
  kinesisEndpoint: config.kinesisEndpoint,
  dynamoDbEndpoint: config.dynamoDbEndpoint,
});
const kinesisClient = local.kinesisClient();
const dynamoDbClient = local.dynamoDbClient();
if (config.getRecordsThrottleRate > 0) {
  // the shard's 5 reads a second are rarely all taken here: inject some throttling, so that the
  // consumer's retries show
  injectKinesisFaults(kinesisClient, { getRecordsThrottling: { rate: config.getRecordsThrottleRate } });
}

const logger: Logger = {
  debug: () => {},
  info: () => {},
  warn: (message, context) => send({ type: 'log', level: 'warn', message: describe(message, context) }),
  error: (message, context) => send({ type: 'log', level: 'error', message: describe(message, context) }),
};

let delivered: string[] = [];
let duplicates = 0;
let records = 0;
let retrievalRetries = 0; // failed (e.g. throttled) GetRecords/SubscribeToShard calls, retried
let processingRetries = 0; // failed batches, retried

const store = new DynamoDbIdempotencyStore({
  client: dynamoDbClient,
  tableName: config.dedupeTable,
  leaseDurationMs: 5_000, // a claim left by a killed worker expires after this
  ttlSeconds: 3_600,
});
const writeOnce = idempotent(
  store,
  (record: ConsumerRecord) => decodeEvent(record.data).eventId,
  async (record: ConsumerRecord, context: { shardId: string }) => {
    const event = decodeEvent(record.data);
    await writeToSink(dynamoDbClient, config.sinkTable, event, {
      worker: config.label,
      shardId: context.shardId,
    });
    delivered.push(event.eventId);
  },
  { pollIntervalMs: 250, onDuplicate: () => duplicates++ },
);

const consumer = new KinesisConsumer({
  streamName: config.streamName,
  applicationName: config.applicationName,
  workerId: `worker-${config.label}`,
  kinesisClient,
  dynamoDbClient,
  initialPosition: 'TRIM_HORIZON',
  failoverTimeMs: config.failoverTimeMs,
  // checkpoint at most every 2 s (fewer DynamoDB writes): a crash redelivers up to 2 s of records,
  // which the idempotency store recognises as duplicates
  checkpointIntervalMs: 2_000,
  retrieval:
    config.mode === 'fan-out'
      ? {
          mode: 'fan-out',
          consumerName: `${config.applicationName}-efo`,
          // the emulator subscribes over HTTP/1.1, like the other calls (real Kinesis needs HTTP/2)
          subscribeClient: kinesisClient,
          // the emulator never sends the final event of a closed shard: check for the end after 2 s
          shardEndCheckAfterMs: 2_000,
        }
      : { mode: 'polling', idleTimeBetweenReadsMs: 400 },
  logger,
  handler: parallelByKey(
    async (record: ConsumerRecord, context) => {
      records++;
      await writeOnce(record, context);
    },
    { concurrency: 16 },
  ),
});

function status(): void {
  const metrics = consumer.metrics();
  const shards: Record<string, ShardStatus> = {};
  for (const [shardId, shard] of Object.entries(metrics.shards)) {
    shards[shardId] = { state: shard.state, millisBehindLatest: shard.MillisBehindLatest };
  }
  send({
    type: 'status',
    leases: consumer.heldLeaseKeys(),
    delivered,
    duplicates,
    records,
    retrievalRetries,
    processingRetries,
    shards,
  });
  delivered = [];
}

consumer
  .on('lease:taken', ({ leaseKey }) => send({ type: 'lease', event: 'taken', leaseKey }))
  .on('lease:lost', ({ leaseKey }) => send({ type: 'lease', event: 'lost', leaseKey }))
  .on('lease:released', ({ leaseKey }) => send({ type: 'lease', event: 'released', leaseKey }))
  .on('retrieval:error', () => retrievalRetries++)
  .on('processing:error', () => processingRetries++)
  .on('shard:ended', ({ shardId, childShardIds }) => send({ type: 'shard-ended', shardId, childShardIds }));

let stopping = false;
async function stop(): Promise<void> {
  if (stopping) return;
  stopping = true;
  clearInterval(timer);
  await consumer.stop(); // the last checkpoints, then the leases are released for the others
  status();
  send({ type: 'stopped' });
  local.close();
  process.exit(0);
}

const timer = setInterval(status, 250);
process.on('message', (message: MainMessage) => {
  if (message.type === 'stop') void stop();
});
// Ctrl-C reaches every process of the terminal's group; the main process also asks by message
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());
// the main process is gone (and the local services with it): nothing left to do
process.on('disconnect', () => process.exit(0));

await consumer.start();
send({ type: 'started', pid: process.pid });
status();

function describe(message: string, context?: Record<string, unknown>): string {
  if (!context) return message;
  const details = Object.entries(context)
    .map(([key, value]) => `${key}=${value instanceof Error ? value.message : String(value)}`)
    .join(' ');
  return `${message} ${details}`;
}
