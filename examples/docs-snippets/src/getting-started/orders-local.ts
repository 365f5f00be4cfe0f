// docs/getting-started.md, "Run it on your machine": a complete program. Save it as orders-local.ts in
// a project whose package.json has "type": "module" (for the top-level await) and run it with
// `npx tsx orders-local.ts`, or compile it with tsc (module "nodenext") and run the .js file.
import { KinesisConsumer } from '@kinesis-ts/consumer';
import { startLocalStack } from '@kinesis-ts/local';
import { KinesisProducer } from '@kinesis-ts/producer';

interface Order {
  orderId: string;
  customerId: string;
  amount: number;
}

const streamName = 'orders';
// a real Kinesis emulator and DynamoDB, in this process, on free ports
const stack = await startLocalStack({ streams: [{ name: streamName, shardCount: 2 }] });
const kinesisClient = stack.kinesisClient(); // endpoint, dummy credentials, HTTP/1.1
const dynamoDbClient = stack.dynamoDbClient();

try {
  // Produce: one promise per record, resolved once Kinesis has it.
  const orders: Order[] = Array.from({ length: 10 }, (_, index) => ({
    orderId: `order-${index}`,
    customerId: `customer-${index % 3}`,
    amount: 10 * (index + 1),
  }));
  const producer = new KinesisProducer({ streamName, client: kinesisClient });
  const results = await Promise.all(
    orders.map((order) =>
      producer.put({
        partitionKey: order.customerId, // a customer's orders stay in order, on one shard
        data: new TextEncoder().encode(JSON.stringify(order)),
      }),
    ),
  );
  for (const { shardId, sequenceNumber } of results)
    console.log(`written to ${shardId} at ${sequenceNumber}`);
  await producer.close(); // sends whatever is still buffered, then refuses new records

  // Consume: a handler per batch; resolving checkpoints the batch, throwing retries it.
  const received: Order[] = [];
  const consumer = new KinesisConsumer({
    streamName,
    applicationName: 'orders-app', // the lease table's name; every worker of the app uses it
    kinesisClient,
    dynamoDbClient,
    initialPosition: 'TRIM_HORIZON', // where shards without a checkpoint start
    handler: async (records, { shardId }) => {
      for (const record of records) {
        const order = JSON.parse(new TextDecoder().decode(record.data)) as Order;
        console.log(`${shardId}: ${order.orderId} for ${order.customerId}`);
        received.push(order);
      }
    },
  });
  await consumer.start();
  while (received.length < orders.length) await new Promise((resolve) => setTimeout(resolve, 100));
  await consumer.stop(); // checkpoints what was processed and releases the leases
  console.log(`received ${received.length} of ${orders.length} orders`);
} finally {
  kinesisClient.destroy();
  dynamoDbClient.destroy();
  await stack.stop();
}
