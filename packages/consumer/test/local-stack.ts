/**
 * Integration-test support: the local Kinesis + DynamoDB started by `@kinesis-ts/local`'s vitest
 * global setup, and small helpers to write records and read the lease table.
 */
import { type DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { type KinesisClient, PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { encodeAggregatedRecord } from '@kinesis-ts/core';
import type { LocalStackConnection } from '@kinesis-ts/local';
import { useLocalStack } from '@kinesis-ts/local/vitest';
import { afterEach } from 'vitest';
import { KinesisConsumer, type KinesisConsumerOptions, type Lease } from '../src/index.js';
import { leaseFromItem } from '../src/leases/dynamodb/lease-serializer.js';

/** The run's local stack (clients built through it are destroyed after the file). */
export { useLocalStack };

/**
 * `createStream` that deletes the stream after the test: the emulator allows 50 open shards per
 * account (like a new AWS account), and the test files share one emulator.
 */
export function useTestStreams(
  local: LocalStackConnection,
): (name: string, shardCount: number) => Promise<void> {
  const created: string[] = [];
  afterEach(async () => {
    await Promise.all(created.splice(0).map((name) => local.deleteStream(name)));
  });
  return async (name, shardCount) => {
    created.push(name);
    await local.createStream(name, shardCount);
  };
}

/** Puts `count` records with keys `${prefix}-${i}` and data `${prefix}-${i}`, 500 per call, spread over shards. */
export async function putRecords(
  kinesis: KinesisClient,
  streamName: string,
  count: number,
  prefix = 'r',
  options: { explicitHashKey?: (i: number) => string } = {},
): Promise<string[]> {
  const ids: string[] = [];
  for (let start = 0; start < count; start += 500) {
    const entries = [];
    for (let i = start; i < Math.min(count, start + 500); i++) {
      const id = `${prefix}-${i}`;
      ids.push(id);
      entries.push({
        PartitionKey: id,
        Data: new TextEncoder().encode(id),
        ExplicitHashKey: options.explicitHashKey?.(i),
      });
    }
    const output = await kinesis.send(new PutRecordsCommand({ StreamName: streamName, Records: entries }));
    if (output.FailedRecordCount) throw new Error(`${output.FailedRecordCount} records failed`);
  }
  return ids;
}

/** Puts KPL aggregates of `perAggregate` user records each, `${prefix}-${i}` keys and data, all with one explicit hash key. */
export async function putAggregated(
  kinesis: KinesisClient,
  streamName: string,
  aggregates: number,
  perAggregate: number,
  prefix = 'a',
  explicitHashKey = '0',
): Promise<string[]> {
  const ids: string[] = [];
  const entries = [];
  for (let a = 0; a < aggregates; a++) {
    const records = [];
    for (let i = 0; i < perAggregate; i++) {
      const id = `${prefix}-${a * perAggregate + i}`;
      ids.push(id);
      records.push({ partitionKey: id, data: new TextEncoder().encode(id) });
    }
    entries.push({
      PartitionKey: 'a',
      ExplicitHashKey: explicitHashKey,
      Data: encodeAggregatedRecord(records),
    });
  }
  for (let start = 0; start < entries.length; start += 100) {
    await kinesis.send(
      new PutRecordsCommand({ StreamName: streamName, Records: entries.slice(start, start + 100) }),
    );
  }
  return ids;
}

/** Every lease in a table, by key. */
export async function readLeases(dynamoDb: DynamoDBClient, tableName: string): Promise<Map<string, Lease>> {
  const output = await dynamoDb.send(new ScanCommand({ TableName: tableName }));
  const leases = new Map<string, Lease>();
  for (const item of output.Items ?? []) {
    const { lease } = leaseFromItem(item);
    if (lease) leases.set(lease.leaseKey, lease);
  }
  return leases;
}

/** Waits until `condition` holds, polling every `intervalMs`; throws with `what` after `timeoutMs`. */
export async function waitFor(
  condition: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = 15_000,
  intervalMs = 50,
): Promise<number> {
  const started = Date.now();
  for (;;) {
    if (await condition()) return Date.now() - started;
    if (Date.now() - started > timeoutMs)
      throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** Decodes a record's data as UTF-8. */
export function text(data: Uint8Array): string {
  return new TextDecoder().decode(data);
}

/** What a test gives to build a consumer: at least its stream and application. */
export type TestConsumerOptions = Partial<KinesisConsumerOptions> &
  Pick<KinesisConsumerOptions, 'streamName' | 'applicationName'>;

/**
 * A factory of consumers for one test file, on the local stack's clients, with `defaults` under each
 * test's options; every consumer it built is stopped after each test.
 */
export function useTestConsumers(
  kinesisClient: KinesisClient,
  dynamoDbClient: DynamoDBClient,
  defaults: Partial<KinesisConsumerOptions> = {},
): (options: TestConsumerOptions) => KinesisConsumer {
  const consumers: KinesisConsumer[] = [];
  afterEach(async () => {
    await Promise.all(consumers.splice(0).map((consumer) => consumer.stop()));
  });
  return (options) => {
    const created = new KinesisConsumer({
      kinesisClient,
      dynamoDbClient,
      initialPosition: 'TRIM_HORIZON',
      ...defaults,
      ...(options.processor || defaults.processor || defaults.handler ? {} : { handler: async () => {} }),
      ...options,
    } as KinesisConsumerOptions);
    consumers.push(created);
    return created;
  };
}
