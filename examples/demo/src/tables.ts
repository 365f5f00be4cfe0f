/** The demo's DynamoDB tables: the sink the workers write events into, and the idempotency store's. */
import {
  type AttributeValue,
  BatchGetItemCommand,
  CreateTableCommand,
  type DynamoDBClient,
  PutItemCommand,
  ScanCommand,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb';
import type { DeviceEvent } from './device-events.js';

/** Creates a table with a string partition key `id` (on-demand) and waits until it is ACTIVE. */
export async function createTable(dynamoDb: DynamoDBClient, tableName: string): Promise<void> {
  await dynamoDb.send(
    new CreateTableCommand({
      TableName: tableName,
      AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
  await waitUntilTableExists({ client: dynamoDb, maxWaitTime: 60, minDelay: 1 }, { TableName: tableName });
}

/** The side effect: one item per event (a plain put, so writing it again changes nothing). */
export async function writeToSink(
  dynamoDb: DynamoDBClient,
  tableName: string,
  event: DeviceEvent,
  writtenBy: { worker: string; shardId: string },
): Promise<void> {
  await dynamoDb.send(
    new PutItemCommand({
      TableName: tableName,
      Item: {
        id: { S: event.eventId },
        deviceId: { S: event.deviceId },
        seq: { N: String(event.seq) },
        type: { S: event.type },
        value: { N: String(event.value) },
        at: { S: event.at },
        shardId: { S: writtenBy.shardId },
        worker: { S: writtenBy.worker },
        writtenAt: { N: String(Date.now()) },
      },
    }),
  );
}

/** Every id in the table (a consistent scan). */
export async function scanIds(dynamoDb: DynamoDBClient, tableName: string): Promise<Set<string>> {
  const ids = new Set<string>();
  let ExclusiveStartKey: Record<string, AttributeValue> | undefined;
  do {
    const page = await dynamoDb.send(
      new ScanCommand({
        TableName: tableName,
        ConsistentRead: true,
        ProjectionExpression: 'id',
        ExclusiveStartKey,
      }),
    );
    for (const item of page.Items ?? []) if (item.id?.S) ids.add(item.id.S);
    ExclusiveStartKey = page.LastEvaluatedKey;
  } while (ExclusiveStartKey);
  return ids;
}

/** Which of `ids` are in the table (BatchGetItem, 100 at a time). */
export async function findIds(
  dynamoDb: DynamoDBClient,
  tableName: string,
  ids: readonly string[],
): Promise<string[]> {
  const found: string[] = [];
  for (let start = 0; start < ids.length; start += 100) {
    let keys = ids.slice(start, start + 100).map((id) => ({ id: { S: id } }));
    for (let attempt = 0; keys.length > 0 && attempt < 10; attempt++) {
      const output = await dynamoDb.send(
        new BatchGetItemCommand({
          RequestItems: { [tableName]: { Keys: keys, ConsistentRead: true, ProjectionExpression: 'id' } },
        }),
      );
      for (const item of output.Responses?.[tableName] ?? []) if (item.id?.S) found.push(item.id.S);
      keys = (output.UnprocessedKeys?.[tableName]?.Keys ?? []) as typeof keys;
    }
  }
  return found;
}
