/**
 * The snippets of docs/testing.md: how to test an application built on kinesis-ts, run here against
 * the local Kinesis and DynamoDB that the vitest global setup of @kinesis-ts/local starts.
 */
import { CreateTableCommand, DeleteTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  type ConsumerRecord,
  DynamoDbIdempotencyStore,
  InMemoryIdempotencyStore,
  idempotent,
  KinesisConsumer,
  parallelByKey,
} from '@kinesis-ts/consumer';
import { injectDynamoDbFaults, injectKinesisFaults, KINESIS_TRANSPORTS, uniqueName } from '@kinesis-ts/local';
import { useLocalStack } from '@kinesis-ts/local/vitest';
import { KinesisProducer } from '@kinesis-ts/producer';
import { afterEach, describe, expect, it } from 'vitest';

// --- the application under test: a handler that records each order once ------------------------

interface Order {
  readonly orderId: string;
  readonly customerId: string;
}

const parse = (record: ConsumerRecord) => JSON.parse(new TextDecoder().decode(record.data)) as Order;

function ordersHandler(store: InMemoryIdempotencyStore | DynamoDbIdempotencyStore, saved: string[]) {
  return parallelByKey(
    idempotent(
      store,
      (record: ConsumerRecord) => parse(record).orderId,
      async (record) => {
        saved.push(parse(record).orderId);
      },
    ),
  );
}

// --- the local services, and what each test creates ----------------------------------------------

const local = useLocalStack(); // the run's local Kinesis and DynamoDB (see vitest.config.ts)
const dynamoDb = local.dynamoDbClient();
const cleanup: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  // the emulator allows 50 open shards in all: delete what each test creates
  await Promise.all(cleanup.splice(0).map((step) => step().catch(() => {})));
});

async function createStream(shards: number): Promise<string> {
  const streamName = uniqueName('orders'); // test files run in parallel against the same services
  await local.createStream(streamName, shards);
  cleanup.push(() => local.deleteStream(streamName));
  return streamName;
}

async function createTable(client: DynamoDBClient): Promise<string> {
  const TableName = uniqueName('dedupe');
  await client.send(
    new CreateTableCommand({
      TableName,
      AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
  cleanup.push(() => client.send(new DeleteTableCommand({ TableName })));
  return TableName;
}

async function waitFor(condition: () => boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function orderRecords(count: number) {
  return Array.from({ length: count }, (_, index) => {
    const order: Order = { orderId: `order-${index}`, customerId: `customer-${index % 4}` };
    return { partitionKey: order.customerId, data: new TextEncoder().encode(JSON.stringify(order)) };
  });
}

function startConsumer(
  streamName: string,
  handler: ReturnType<typeof ordersHandler>,
  dynamoDbClient = dynamoDb,
  kinesisClient = local.kinesisClient(),
) {
  const applicationName = uniqueName('orders-app');
  cleanup.push(() => dynamoDb.send(new DeleteTableCommand({ TableName: applicationName }))); // the lease table
  const consumer = new KinesisConsumer({
    streamName,
    applicationName,
    kinesisClient,
    dynamoDbClient,
    initialPosition: 'TRIM_HORIZON',
    retrieval: { mode: 'polling', idleTimeBetweenReadsMs: 200 }, // poll fast in tests
    processingBackoff: { baseDelayMs: 10, maxDelayMs: 100 }, // and retry fast
    handler,
  });
  cleanup.unshift(() => consumer.stop()); // stop before deleting what it reads
  return consumer;
}

// --- the tests ------------------------------------------------------------------------------------

describe('testing an application with @kinesis-ts/local', () => {
  it('unit: a redelivered batch has no second effect (no AWS needed)', async () => {
    const saved: string[] = [];
    const handler = ordersHandler(new InMemoryIdempotencyStore(), saved);
    const records = orderRecords(3).map((record, index) => ({
      ...record,
      sequenceNumber: String(1_000 + index),
      subSequenceNumber: 0,
      aggregated: false,
    }));
    const context = { shardId: 'shardId-000000000000' };
    await handler(records, context);
    await handler(records, context); // what a crash before the checkpoint looks like to the handler
    expect(saved).toEqual(['order-0', 'order-1', 'order-2']);
  });

  it('integration: what the producer writes, the consumer processes, through throttling', async () => {
    const streamName = await createStream(2);
    const kinesis = local.kinesisClient();
    // the emulator never throttles: fail a third of the PutRecords entries as Kinesis would
    const faults = injectKinesisFaults(kinesis, { seed: 1, putRecordsFailures: { rate: 0.33 } });
    const producer = new KinesisProducer({ streamName, client: kinesis, maxBufferedTimeMs: 10 });
    await Promise.all(orderRecords(40).map((record) => producer.put(record)));
    await producer.close();
    expect(faults.stats().failedEntries).toBeGreaterThan(0);
    expect(producer.metrics().stream.RetriesPerRecord.sum).toBeGreaterThan(0);

    const saved: string[] = [];
    const consumer = startConsumer(streamName, ordersHandler(new InMemoryIdempotencyStore(), saved));
    await consumer.start();
    await waitFor(() => saved.length === 40);
    expect(new Set(saved).size).toBe(40);
  });

  it('integration: DynamoDB throttling in the handler is retried, and each order is still saved once', async () => {
    const streamName = await createStream(1);
    const producer = new KinesisProducer({ streamName, client: local.kinesisClient() });
    await producer.putMany(orderRecords(10));
    await producer.close();

    // a client of its own for the idempotency store, whose first two writes are throttled
    const storeClient = local.dynamoDbClient();
    injectDynamoDbFaults(storeClient, {
      callErrors: [
        { operations: ['PutItem'], error: 'ProvisionedThroughputExceededException', firstCalls: 2 },
      ],
    });
    const store = new DynamoDbIdempotencyStore({
      client: storeClient,
      tableName: await createTable(dynamoDb),
    });
    const saved: string[] = [];
    const consumer = startConsumer(streamName, ordersHandler(store, saved));
    const failures: number[] = [];
    consumer.on('processing:error', ({ attempt }) => failures.push(attempt));
    await consumer.start();
    await waitFor(() => saved.length === 10);
    expect([...saved].sort()).toEqual(
      orderRecords(10)
        .map((_, index) => `order-${index}`)
        .sort(),
    );
    expect(failures.length).toBeGreaterThan(0); // the throttled writes failed the batch, which was retried
  });
});

describe.each(KINESIS_TRANSPORTS)('the application over %s', (transport) => {
  it('processes every order, also after the service closed its connections (GOAWAY)', async () => {
    const streamName = await createStream(1);
    // 'http1': an HTTP/1.1 NodeHttpHandler; 'http2': the SDK's default handler, as in production
    const kinesis = local.kinesisClient({ transport });
    const producer = new KinesisProducer({ streamName, client: kinesis, maxBufferedTimeMs: 10 });
    const saved: string[] = [];
    const consumer = startConsumer(
      streamName,
      ordersHandler(new InMemoryIdempotencyStore(), saved),
      dynamoDb,
      kinesis,
    );
    await consumer.start();
    const orders = orderRecords(20);
    await Promise.all(orders.slice(0, 10).map((record) => producer.put(record)));
    await waitFor(() => saved.length === 10);
    // what a service rotating its connections does: a GOAWAY on every HTTP/2 session of the stack
    await local.closeKinesisSessions();
    await Promise.all(orders.slice(10).map((record) => producer.put(record)));
    await producer.close();
    await waitFor(() => saved.length === 20);
    expect(new Set(saved).size).toBe(20);
  });
});
