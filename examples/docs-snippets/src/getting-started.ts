/**
 * The snippets of docs/getting-started.md. `runLocally` is run by getting-started.integ.test.ts
 * against the test run's local Kinesis and DynamoDB, so the guide's code is known to work.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KinesisClient } from '@aws-sdk/client-kinesis';
import { KinesisConsumer } from '@kinesis-ts/consumer';
import { startLocalStack } from '@kinesis-ts/local';
import { KinesisProducer } from '@kinesis-ts/producer';
import { NodeHttpHandler } from '@smithy/node-http-handler';

export interface Order {
  readonly orderId: string;
  readonly customerId: string;
  readonly amount: number;
}

/** Producing: one promise per record, resolved once Kinesis has it. */
export async function produceOrders(
  kinesisClient: KinesisClient,
  streamName: string,
  orders: readonly Order[],
): Promise<void> {
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
}

/** Consuming: a handler per batch; resolving checkpoints the batch, throwing retries it. */
export function orderConsumer(options: {
  kinesisClient: KinesisClient;
  dynamoDbClient: DynamoDBClient;
  streamName: string;
  onOrder: (order: Order, shardId: string) => Promise<void>;
}): KinesisConsumer {
  return new KinesisConsumer({
    streamName: options.streamName,
    applicationName: 'orders-app', // the lease table's name; every worker of the app uses it
    kinesisClient: options.kinesisClient,
    dynamoDbClient: options.dynamoDbClient,
    initialPosition: 'TRIM_HORIZON', // where shards without a checkpoint start
    handler: async (records, { shardId }) => {
      for (const record of records) {
        const order = JSON.parse(new TextDecoder().decode(record.data)) as Order;
        await options.onOrder(order, shardId);
      }
    },
  });
}

/** Everything on this machine: a local Kinesis and DynamoDB, a producer and a consumer. */
export async function runLocally(): Promise<Order[]> {
  const stack = await startLocalStack({ streams: [{ name: 'orders', shardCount: 2 }] });
  try {
    const kinesisClient = stack.kinesisClient(); // endpoint, dummy credentials, HTTP/1.1
    const dynamoDbClient = stack.dynamoDbClient();
    const orders = Array.from({ length: 10 }, (_, index) => ({
      orderId: `order-${index}`,
      customerId: `customer-${index % 3}`,
      amount: 10 * (index + 1),
    }));
    await produceOrders(kinesisClient, 'orders', orders);

    const received: Order[] = [];
    const consumer = orderConsumer({
      kinesisClient,
      dynamoDbClient,
      streamName: 'orders',
      onOrder: async (order, shardId) => {
        console.log(`${shardId}: ${order.orderId} for ${order.customerId}`);
        received.push(order);
      },
    });
    await consumer.start();
    while (received.length < orders.length) await new Promise((resolve) => setTimeout(resolve, 100));
    await consumer.stop(); // checkpoints what was processed and releases the leases
    return received;
  } finally {
    await stack.stop();
  }
}

/** On AWS: the same code, with clients for your account and region. */
export function awsClients(): { kinesisClient: KinesisClient; dynamoDbClient: DynamoDBClient } {
  return {
    // credentials and region from the default chain (AWS_PROFILE, AWS_REGION, a role…); HTTP/1.1
    // with keep-alive is what polling consumers want (the producer works with either handler;
    // enhanced fan-out adds an HTTP/2 client for SubscribeToShard)
    kinesisClient: new KinesisClient({
      requestHandler: new NodeHttpHandler({ connectionTimeout: 5_000, requestTimeout: 35_000 }),
    }),
    dynamoDbClient: new DynamoDBClient({}),
  };
}
