// orders.integ.test.ts: the producer and the consumer against the local services, with failures
// injected where the emulators would never fail.
import { DynamoDbIdempotencyStore, InMemoryIdempotencyStore } from '@kinesis-ts/consumer';
import { injectDynamoDbFaults, injectKinesisFaults, KINESIS_TRANSPORTS } from '@kinesis-ts/local';
import { KinesisProducer } from '@kinesis-ts/producer';
import { describe, expect, it } from 'vitest';
import { createStream, createTable, dynamoDb, local, startConsumer, waitFor } from './local-services.js';
import { orderRecords, ordersHandler } from './orders.js';

it('processes what the producer writes, through throttling', async () => {
  const streamName = await createStream(2);
  const kinesis = local.kinesisClient();
  // the emulator never throttles: fail a third of the PutRecords entries as Kinesis would, and the
  // first call's first entry whatever the draw (how the records are packed depends on timing)
  const faults = injectKinesisFaults(kinesis, {
    seed: 1,
    putRecordsFailures: { rate: 0.33, predicate: (_entry, index, call) => call === 1 && index === 0 },
  });
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

it('retries DynamoDB throttling in the handler, and still saves each order once', async () => {
  const streamName = await createStream(1);
  const producer = new KinesisProducer({ streamName, client: local.kinesisClient() });
  await producer.putMany(orderRecords(10));
  await producer.close();

  // a client of its own for the idempotency store, whose first two writes are throttled
  const storeClient = local.dynamoDbClient();
  injectDynamoDbFaults(storeClient, {
    callErrors: [{ operations: ['PutItem'], error: 'ProvisionedThroughputExceededException', firstCalls: 2 }],
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
