/**
 * An enhanced fan-out consumer that counts page views per window and checkpoints after each flush.
 * Configured by environment variables (see config.ts and the README); by default it starts a local
 * Kinesis and DynamoDB and puts sample page views.
 */
import { openAwsTarget } from './aws-target.js';
import { loadConfig } from './config.js';
import { createPageViewConsumer } from './page-view-consumer.js';
import type { PageViewSink } from './page-view-counter.js';
import { putSamplePageViews } from './sample-page-views.js';

const config = loadConfig();
const target = await openAwsTarget(config);
if (target.local) await putSamplePageViews(target.kinesisClient, config.streamName, config.samplePageViews);

/** Replace with your store (add per window id, so that a recount after a crash is harmless). */
const sink: PageViewSink = {
  async write(shardId, counts) {
    const line = [...counts].map(([page, count]) => `${page} +${count}`).join(', ');
    console.log(`${shardId}: ${line}`);
  },
};

const consumer = createPageViewConsumer({
  config,
  kinesisClient: target.kinesisClient,
  subscribeClient: target.subscribeClient,
  dynamoDbClient: target.dynamoDbClient,
  sink,
});
consumer.on('subscription:started', ({ shardId }) => console.log(`${shardId}: subscribed`));
consumer.on('checkpoint', ({ shardId, checkpoint }) =>
  console.log(`${shardId}: checkpoint ${checkpoint.sequenceNumber}/${checkpoint.subSequenceNumber}`),
);
consumer.on('shard:failed', ({ shardId, error }) => console.error(`${shardId} stopped: ${String(error)}`));

await consumer.start();
console.log(
  `counting page views of ${config.streamName} through the stream consumer ${config.consumerArn ?? config.consumerName} on ${target.description}; Ctrl-C or SIGTERM to stop`,
);

let stopping = false;
async function shutdown(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  console.log(`${signal}: flushing the counts, checkpointing, releasing the leases`);
  await consumer.stop(); // each processor's shutdownRequested flushes and checkpoints
  await target.close();
  process.exit(0);
}
process.once('SIGTERM', () => void shutdown('SIGTERM'));
process.once('SIGINT', () => void shutdown('SIGINT'));
