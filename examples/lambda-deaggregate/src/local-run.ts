/**
 * Running the function locally: the streams and tables on a local Kinesis and DynamoDB, readings
 * written the way a producer writes them (KPL aggregates), and the stream read back and shaped as the
 * Lambda Kinesis events the event source mapping would send.
 */
import { CreateTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DescribeStreamSummaryCommand,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type KinesisClient,
  ListShardsCommand,
} from '@aws-sdk/client-kinesis';
import type { LambdaKinesisEvent } from '@kinesis-ts/consumer/lambda';
import type { LocalStackConnection } from '@kinesis-ts/local';
import { KinesisProducer } from '@kinesis-ts/producer';
import { lambdaEvent } from './lambda-event.js';
import { encodeReading, type Reading } from './reading.js';

export interface LocalNames {
  readonly streamName: string;
  readonly deadLetterStream: string;
  readonly dedupeTable: string;
  readonly readingsTable: string;
}

export async function createLocalResources(local: LocalStackConnection, names: LocalNames): Promise<void> {
  const dynamoDb = local.dynamoDbClient();
  await Promise.all([
    local.createStream(names.streamName, 1),
    local.createStream(names.deadLetterStream, 1),
    createTable(dynamoDb, names.dedupeTable, 'id'),
    createTable(dynamoDb, names.readingsTable, 'readingId'),
  ]);
}

async function createTable(dynamoDb: DynamoDBClient, TableName: string, key: string): Promise<void> {
  await dynamoDb.send(
    new CreateTableCommand({
      TableName,
      AttributeDefinitions: [{ AttributeName: key, AttributeType: 'S' }],
      KeySchema: [{ AttributeName: key, KeyType: 'HASH' }],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
}

export function sampleReadings(count: number, prefix = 'r'): Reading[] {
  return Array.from({ length: count }, (_, index) => ({
    readingId: `${prefix}-${index + 1}`,
    sensorId: `sensor-${index % 5}`,
    celsius: Math.round((18 + (index % 7) * 0.7) * 10) / 10,
    at: new Date(Date.UTC(2026, 0, 1, 12, 0, index)).toISOString(),
  }));
}

/** Puts readings through KinesisProducer (KPL aggregation on), plus optional raw payloads. */
export async function putReadings(
  kinesisClient: KinesisClient,
  streamName: string,
  readings: readonly Reading[],
  rawPayloads: readonly string[] = [],
): Promise<void> {
  const producer = new KinesisProducer({ streamName, client: kinesisClient });
  await producer.putMany([
    ...readings.map((reading) => ({ partitionKey: reading.sensorId, data: encodeReading(reading) })),
    ...rawPayloads.map((payload) => ({ partitionKey: 'sensor-0', data: new TextEncoder().encode(payload) })),
  ]);
  await producer.close();
}

/** The stream's records, one Lambda event per shard, as the event source mapping would send them. */
export async function readAsLambdaEvents(
  kinesisClient: KinesisClient,
  streamName: string,
): Promise<LambdaKinesisEvent[]> {
  const { StreamDescriptionSummary } = await kinesisClient.send(
    new DescribeStreamSummaryCommand({ StreamName: streamName }),
  );
  const { Shards = [] } = await kinesisClient.send(new ListShardsCommand({ StreamName: streamName }));
  const events: LambdaKinesisEvent[] = [];
  for (const shard of Shards) {
    const { ShardIterator } = await kinesisClient.send(
      new GetShardIteratorCommand({
        StreamName: streamName,
        ShardId: shard.ShardId,
        ShardIteratorType: 'TRIM_HORIZON',
      }),
    );
    const { Records = [] } = await kinesisClient.send(new GetRecordsCommand({ ShardIterator }));
    if (Records.length === 0) continue;
    events.push(
      lambdaEvent(Records, { streamArn: StreamDescriptionSummary!.StreamARN!, shardId: shard.ShardId! }),
    );
  }
  return events;
}

/** A context object like Lambda's, with a minute left. */
export function localContext(): { getRemainingTimeInMillis(): number } {
  const deadline = Date.now() + 60_000;
  return { getRemainingTimeInMillis: () => deadline - Date.now() };
}
