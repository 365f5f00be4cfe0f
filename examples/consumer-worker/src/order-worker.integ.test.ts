import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { CreateTableCommand, DeleteTableCommand } from '@aws-sdk/client-dynamodb';
import { GetRecordsCommand, GetShardIteratorCommand, ListShardsCommand } from '@aws-sdk/client-kinesis';
import { type DeadLetter, decodeDeadLetter, LeaseAdmin } from '@kinesis-ts/consumer';
import { uniqueName } from '@kinesis-ts/local';
import { useLocalStack } from '@kinesis-ts/local/vitest';
import { KinesisProducer } from '@kinesis-ts/producer';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from './config.js';
import type { Order } from './order.js';
import { createOrderWorker } from './order-worker.js';
import { putSampleOrders } from './sample-orders.js';

const local = useLocalStack();
// HTTP/2, the SDK's default handler, as the worker runs against AWS (the suites of the packages run both).
const kinesisClient = local.kinesisClient({ transport: 'http2' });
const dynamoDbClient = local.dynamoDbClient();
const cleanup: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  await Promise.all(cleanup.map((step) => step().catch(() => {})));
});

async function waitFor(condition: () => boolean | Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function readLetters(streamName: string): Promise<DeadLetter[]> {
  const { Shards = [] } = await kinesisClient.send(new ListShardsCommand({ StreamName: streamName }));
  const letters: DeadLetter[] = [];
  for (const shard of Shards) {
    const { ShardIterator } = await kinesisClient.send(
      new GetShardIteratorCommand({
        StreamName: streamName,
        ShardId: shard.ShardId,
        ShardIteratorType: 'TRIM_HORIZON',
      }),
    );
    const { Records = [] } = await kinesisClient.send(new GetRecordsCommand({ ShardIterator }));
    letters.push(...Records.map((record) => decodeDeadLetter(record.Data!)));
  }
  return letters;
}

describe('the order worker', () => {
  it('processes each order once, skips duplicates, dead-letters what keeps failing, and a restart resumes after the checkpoints', async () => {
    const config = loadConfig({
      STREAM_NAME: uniqueName('orders'),
      APPLICATION_NAME: uniqueName('orders-worker'),
      DEAD_LETTER_STREAM: uniqueName('orders-dlq'),
      MAX_PROCESSING_ATTEMPTS: '2',
    });
    await Promise.all([
      local.createStream(config.streamName, 1),
      local.createStream(config.deadLetterStream, 1),
    ]);
    await dynamoDbClient.send(
      new CreateTableCommand({
        TableName: config.dedupeTable,
        AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
    cleanup.push(
      () => local.deleteStream(config.streamName),
      () => local.deleteStream(config.deadLetterStream),
      () => dynamoDbClient.send(new DeleteTableCommand({ TableName: config.dedupeTable })),
      () => dynamoDbClient.send(new DeleteTableCommand({ TableName: config.applicationName })),
    );
    // 6 orders, order-1 a second time, a record that is not JSON, and an order processOrder refuses
    await putSampleOrders(kinesisClient, config.streamName, 6);

    const processed: string[] = [];
    const duplicates: string[] = [];
    const startWorker = () =>
      createOrderWorker({
        config,
        kinesisClient,
        dynamoDbClient,
        processOrder: async (order: Order) => {
          if (order.amount <= 0) throw new Error(`order ${order.orderId}: the amount must be positive`);
          processed.push(order.orderId);
        },
        onDuplicate: (orderId) => duplicates.push(orderId),
        consumerOptions: {
          retrieval: { mode: 'polling', idleTimeBetweenReadsMs: 200 },
          processingBackoff: { baseDelayMs: 20, maxDelayMs: 100 },
        },
      });

    const worker = startWorker();
    await worker.start();
    await waitFor(
      async () => processed.length >= 6 && (await readLetters(config.deadLetterStream)).length >= 2,
    );
    expect([...processed].sort()).toEqual(['order-1', 'order-2', 'order-3', 'order-4', 'order-5', 'order-6']);
    expect(duplicates).toContain('order-1'); // put twice, processed once
    const letters = await readLetters(config.deadLetterStream);
    expect(letters.map((letter) => new TextDecoder().decode(letter.data))).toEqual([
      '{"orderId": oops',
      '{"orderId":"order-refund","customerId":"customer-3","amount":-5}',
    ]);
    expect(letters[0]).toMatchObject({
      streamName: config.streamName,
      attempts: 2,
      error: { name: 'SyntaxError' },
    });
    expect(letters[1]?.error.message).toBe('order order-refund: the amount must be positive');

    await worker.stop();
    const admin = new LeaseAdmin({ applicationName: config.applicationName, dynamoDbClient });
    for (const lease of await admin.listLeases()) expect(lease.leaseOwner).toBeUndefined(); // released

    // a new worker starts after the checkpoints: only the new orders, nothing processed or skipped again
    const producer = new KinesisProducer({ streamName: config.streamName, client: kinesisClient });
    await producer.put({
      partitionKey: 'customer-9',
      data: new TextEncoder().encode(
        JSON.stringify({ orderId: 'order-7', customerId: 'customer-9', amount: 7 }),
      ),
    });
    await producer.close();
    const duplicatesBefore = duplicates.length;
    const restarted = startWorker();
    await restarted.start();
    await waitFor(() => processed.includes('order-7'));
    await restarted.stop();
    expect(processed).toHaveLength(7);
    expect(duplicates).toHaveLength(duplicatesBefore);
    expect(await readLetters(config.deadLetterStream)).toHaveLength(2);
  });

  it('runs as a process (npm start) and on SIGTERM checkpoints, releases its leases and exits 0', async () => {
    const env = {
      STREAM_NAME: uniqueName('orders'),
      APPLICATION_NAME: uniqueName('orders-worker'),
      DEAD_LETTER_STREAM: uniqueName('orders-dlq'),
      SAMPLE_ORDERS: '3',
    };
    const config = loadConfig(env);
    cleanup.push(
      () => local.deleteStream(config.streamName),
      () => local.deleteStream(config.deadLetterStream),
      () => dynamoDbClient.send(new DeleteTableCommand({ TableName: config.dedupeTable })),
      () => dynamoDbClient.send(new DeleteTableCommand({ TableName: config.applicationName })),
    );
    const child = spawn(
      process.execPath,
      [
        '--conditions=kinesis-ts-source',
        '--import',
        'tsx',
        fileURLToPath(new URL('./main.ts', import.meta.url)),
      ],
      {
        cwd: fileURLToPath(new URL('..', import.meta.url)),
        // the test run's local services: the worker creates its streams and table there
        env: { ...process.env, ...local.environment(), ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    const exited = once(child, 'exit');
    await waitFor(() => (output.match(/charged/g) ?? []).length >= 3 || child.exitCode !== null);
    child.kill('SIGTERM');
    const [code] = await exited;
    expect(code, output).toBe(0);
    expect(output).toContain('SIGTERM: finishing the batches in flight');
    const admin = new LeaseAdmin({ applicationName: config.applicationName, dynamoDbClient });
    const leases = await admin.listLeases();
    expect(leases.length).toBeGreaterThan(0);
    for (const lease of leases) expect(lease.leaseOwner).toBeUndefined();
  });
});
