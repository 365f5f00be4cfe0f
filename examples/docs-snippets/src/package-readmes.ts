/**
 * The snippets of the package READMEs (packages/core, consumer, local and producer), type-checked
 * (none is run). Each function is one snippet.
 */
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import {
  type GetRecordsCommandOutput,
  KinesisClient,
  PutRecordCommand,
  type Shard,
} from '@aws-sdk/client-kinesis';
import { KinesisConsumer } from '@kinesis-ts/consumer';
import { deaggregate, partitionKeyToHashKey } from '@kinesis-ts/core';
import { injectDynamoDbFaults, injectKinesisFaults, startLocalStack, uniqueName } from '@kinesis-ts/local';
import { useLocalStack } from '@kinesis-ts/local/vitest';
import { KinesisProducer } from '@kinesis-ts/producer';
import { it } from 'vitest';

declare const order: { orderId: string; customerId: string };
declare const source: AsyncIterable<{ customerId: string; body: string }>;
declare function sendToDeadLetters(error: unknown): void;
declare function saveOrder(shardId: string, data: Uint8Array): Promise<void>;

/** packages/producer/README.md: the example. */
export async function producerReadme(): Promise<void> {
  const producer = new KinesisProducer({ streamName: 'orders', client: new KinesisClient({}) });

  const { shardId, sequenceNumber } = await producer.put({
    partitionKey: order.customerId, // records of one key stay in order
    data: new TextEncoder().encode(JSON.stringify(order)),
  });
  console.log(`${order.orderId} is in ${shardId} at ${sequenceNumber}`);

  for await (const event of source) {
    await producer.waitForCapacity(); // a bounded buffer: wait while the stream is slower than the source
    producer
      .put({ partitionKey: event.customerId, data: new TextEncoder().encode(event.body) })
      .catch(sendToDeadLetters); // RecordFailedError: code, record, every attempt
  }

  await producer.close(); // sends and settles everything buffered
}

/** packages/core/README.md: hash keys and deaggregation of a GetRecords response. */
export function coreReadme(getRecordsOutput: GetRecordsCommandOutput, shard: Shard): void {
  partitionKeyToHashKey('user-1'); // 285573413173782752570879317399258818820n

  for (const record of getRecordsOutput.Records ?? []) {
    const userRecords = deaggregate(
      { partitionKey: record.PartitionKey!, data: record.Data!, sequenceNumber: record.SequenceNumber! },
      // drop aggregates that belong to another shard (shard: from ListShards)
      {
        hashKeyRange: {
          startingHashKey: shard.HashKeyRange!.StartingHashKey!,
          endingHashKey: shard.HashKeyRange!.EndingHashKey!,
        },
      },
    );
    for (const userRecord of userRecords) console.log(userRecord.partitionKey, userRecord.subSequenceNumber);
  }
}

/** packages/consumer/README.md: the example. */
export async function consumerReadme(): Promise<void> {
  const consumer = new KinesisConsumer({
    streamName: 'orders',
    applicationName: 'orders-app', // also the lease table's name
    kinesisClient: new KinesisClient({}),
    dynamoDbClient: new DynamoDBClient({}),
    initialPosition: 'TRIM_HORIZON', // only for shards without a checkpoint
    handler: async (records, { shardId }) => {
      for (const record of records) await saveOrder(shardId, record.data);
      // resolving checkpoints the batch; throwing retries it
    },
  });
  await consumer.start();
  process.once('SIGTERM', () => void consumer.stop().then(() => process.exit(0)));
}

/** packages/local/README.md, "Quick start". */
export async function localReadmeQuickStart(): Promise<void> {
  const stack = await startLocalStack(); // 1.5–3 s: both services on free ports
  await stack.createStream('orders', 2); // resolves once the stream is ACTIVE
  const kinesis = stack.kinesisClient(); // endpoint, region, dummy credentials, HTTP/1.1
  await kinesis.send(
    new PutRecordCommand({ StreamName: 'orders', PartitionKey: 'a', Data: new Uint8Array([1]) }),
  );
  const dynamoDb = stack.dynamoDbClient();
  // …
  await dynamoDb.send(new ListTablesCommand({}));
  await stack.stop(); // ~50 ms: every port free, no process left
}

/**
 * packages/local/README.md, "Vitest: one stack per test run", the test file (the vitest.config.ts
 * is local-vitest-config.ts). Called at the top of a *.integ.test.ts, it declares the test.
 */
export function localReadmeTestFile(): void {
  // orders.integ.test.ts
  const local = useLocalStack(); // the run's stack; closes its clients after the file
  const kinesis = local.kinesisClient();

  it('reads what it wrote', async () => {
    const stream = uniqueName('orders'); // test files share the stack: use unique names
    await local.createStream(stream, 2);
    // …
    await kinesis.send(
      new PutRecordCommand({ StreamName: stream, PartitionKey: 'a', Data: new Uint8Array([1]) }),
    );
  });
}

/** packages/local/README.md, "Fault injection". */
export function localReadmeFaults(kinesisClient: KinesisClient, dynamoDbClient: DynamoDBClient): void {
  const faults = injectKinesisFaults(kinesisClient, {
    seed: 42,
    putRecordsFailures: { rate: 0.3 }, // 30% of entries fail, never written
    callErrors: [{ operations: ['PutRecords'], error: 'ThrottlingException', firstCalls: 2 }],
    getRecordsThrottling: { rate: 0.1 }, // ProvisionedThroughputExceededException
    latency: [{ operations: ['GetRecords'], delayMs: 50, jitterMs: 20 }],
  });
  faults.stats(); // { calls, failedEntries, unsentCalls, callErrors, delayedCalls, byError, … }
  faults.update({ putRecordsFailures: { indexes: [0, 3], errorCode: 'InternalFailure' } });
  faults.remove();

  injectDynamoDbFaults(dynamoDbClient, {
    conditionalCheckFailures: { tables: ['leases'], firstCalls: 1 }, // ConditionalCheckFailedException
    callErrors: [{ operations: ['UpdateItem'], error: 'ProvisionedThroughputExceededException', rate: 0.2 }],
  });
}
