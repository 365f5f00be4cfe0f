/**
 * A consumer worker in its own process, so that an integration test can kill it (SIGKILL) the way a
 * crashed or OOM-killed worker dies: no graceful stop, no release, no final checkpoint. Configured by
 * one JSON argument; reports on stdout as JSON lines: `{ "type": "started" }`, `{ "type": "held",
 * "leases": [...] }` after every lease change, `{ "type": "records", "shardId", "keys": [...] }`.
 */
import { connectLocalStack } from '@kinesis-ts/local';
import { KinesisConsumer } from '../src/index.js';

interface WorkerConfig {
  kinesisEndpoint: string;
  dynamoDbEndpoint: string;
  streamName: string;
  applicationName: string;
  workerId: string;
  failoverTimeMs: number;
  /** Multi-stream: the streams to consume (`streamName` is then ignored); keys are reported as `<stream>/<key>/<data>`. */
  streams?: string[];
}

const config = JSON.parse(process.argv[2] ?? '{}') as WorkerConfig;
const local = connectLocalStack({
  kinesisEndpoint: config.kinesisEndpoint,
  dynamoDbEndpoint: config.dynamoDbEndpoint,
});
const report = (message: object) => process.stdout.write(`${JSON.stringify(message)}\n`);

const consumer = new KinesisConsumer({
  ...(config.streams
    ? { streams: config.streams.map((streamName) => ({ streamName })) }
    : { streamName: config.streamName }),
  applicationName: config.applicationName,
  workerId: config.workerId,
  kinesisClient: local.kinesisClient(),
  dynamoDbClient: local.dynamoDbClient(),
  initialPosition: 'TRIM_HORIZON',
  failoverTimeMs: config.failoverTimeMs,
  idleTimeBetweenReadsMs: 200,
  handler: async (records, { shardId, streamName }) => {
    const key = config.streams
      ? (r: (typeof records)[number]) => `${streamName}/${r.partitionKey}/${new TextDecoder().decode(r.data)}`
      : (r: (typeof records)[number]) => r.partitionKey;
    report({ type: 'records', shardId, keys: records.map(key) });
  },
});
const held = () => report({ type: 'held', leases: consumer.heldLeaseKeys() });
consumer.on('lease:taken', held).on('lease:lost', held).on('lease:released', held);
await consumer.start();
report({ type: 'started' });
held();
process.on('SIGTERM', () => {
  void consumer.stop().then(() => process.exit(0));
});
