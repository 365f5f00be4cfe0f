/**
 * A long-running consumer worker. Run as many as you like with the same APPLICATION_NAME: they share
 * the shards through the lease table. Configured by environment variables (see config.ts and the
 * README); by default it starts a local Kinesis and DynamoDB and puts a few sample orders.
 */
import type { Logger } from '@kinesis-ts/consumer';
import { openAwsTarget } from './aws-target.js';
import { loadConfig } from './config.js';
import type { Order } from './order.js';
import { createOrderWorker } from './order-worker.js';
import { putSampleOrders } from './sample-orders.js';

const config = loadConfig();
const target = await openAwsTarget(config);
if (target.local) await putSampleOrders(target.kinesisClient, config.streamName, config.sampleOrders);

const logger: Logger = {
  debug: () => {},
  info: (message, context) => console.log(message, context ?? ''),
  warn: (message, context) => console.warn(message, context ?? ''),
  error: (message, context) => console.error(message, context ?? ''),
};

/** Replace with your side effect. It must tolerate running again after a crash (see the README). */
async function processOrder(order: Order, { shardId }: { shardId: string }): Promise<void> {
  if (order.amount <= 0) throw new Error(`order ${order.orderId}: the amount must be positive`);
  console.log(`${shardId}: charged ${order.customerId} ${order.amount} for ${order.orderId}`);
}

const worker = createOrderWorker({
  config,
  kinesisClient: target.kinesisClient,
  dynamoDbClient: target.dynamoDbClient,
  processOrder,
  onDuplicate: (orderId) => console.log(`${orderId} was already processed: skipped`),
  logger,
});
worker.on('record:poisoned', ({ shardId, record, error }) =>
  console.warn(
    `${shardId}: record ${record.sequenceNumber} sent to ${config.deadLetterStream}: ${String(error)}`,
  ),
);
worker.on('shard:failed', ({ shardId, error }) => console.error(`${shardId} stopped: ${String(error)}`));

await worker.start();
console.log(
  `worker ${config.applicationName} reading ${config.streamName} on ${target.description}; Ctrl-C or SIGTERM to stop`,
);

let stopping = false;
async function shutdown(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  console.log(`${signal}: finishing the batches in flight, checkpointing, releasing the leases`);
  await worker.stop();
  await target.close();
  process.exit(0);
}
process.once('SIGTERM', () => void shutdown('SIGTERM'));
process.once('SIGINT', () => void shutdown('SIGINT'));
