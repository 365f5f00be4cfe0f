// local-services.ts: what the integration tests share. Import it from a test file: it connects to the
// run's local Kinesis and DynamoDB and deletes what each test of that file creates.
import { CreateTableCommand, DeleteTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import { type BatchFunction, type ConsumerRecord, KinesisConsumer } from '@kinesis-ts/consumer';
import { uniqueName } from '@kinesis-ts/local';
import { useLocalStack } from '@kinesis-ts/local/vitest';
import { afterEach } from 'vitest';

export const local = useLocalStack(); // the run's local Kinesis and DynamoDB (see vitest.config.ts)
export const dynamoDb = local.dynamoDbClient();
const cleanup: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  // the emulator allows 50 open shards in all: delete what each test creates
  await Promise.all(cleanup.splice(0).map((step) => step().catch(() => {})));
});

export async function createStream(shards: number): Promise<string> {
  const streamName = uniqueName('orders'); // test files run in parallel against the same services
  await local.createStream(streamName, shards);
  cleanup.push(() => local.deleteStream(streamName));
  return streamName;
}

export async function createTable(client: DynamoDBClient): Promise<string> {
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

export async function waitFor(condition: () => boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export function startConsumer(
  streamName: string,
  handler: BatchFunction<ConsumerRecord, unknown>,
  dynamoDbClient: DynamoDBClient = dynamoDb,
  kinesisClient: KinesisClient = local.kinesisClient(),
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
