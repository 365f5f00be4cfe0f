/** Integration-test support: an idempotency table on the local DynamoDB, deleted after each test. */
import {
  CreateTableCommand,
  DeleteTableCommand,
  type DynamoDBClient,
  GetItemCommand,
  ScanCommand,
} from '@aws-sdk/client-dynamodb';
import { uniqueName } from '@kinesis-ts/local';
import { afterEach } from 'vitest';

/** `createTable()` makes a table with a string partition key `id`; the tables are deleted after each test. */
export function useIdempotencyTables(dynamoDb: DynamoDBClient): () => Promise<string> {
  const created: string[] = [];
  afterEach(async () => {
    await Promise.all(
      created
        .splice(0)
        .map((TableName) => dynamoDb.send(new DeleteTableCommand({ TableName })).catch(() => {})),
    );
  });
  return async () => {
    const TableName = uniqueName('dedupe');
    created.push(TableName);
    await createIdempotencyTable(dynamoDb, TableName);
    return TableName;
  };
}

export async function createIdempotencyTable(dynamoDb: DynamoDBClient, TableName: string): Promise<void> {
  await dynamoDb.send(
    new CreateTableCommand({
      TableName,
      AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
}

/** One item's plain attributes (strings and numbers), or undefined. */
export async function readMark(
  dynamoDb: DynamoDBClient,
  TableName: string,
  id: string,
): Promise<Record<string, string> | undefined> {
  const { Item } = await dynamoDb.send(
    new GetItemCommand({ TableName, Key: { id: { S: id } }, ConsistentRead: true }),
  );
  if (!Item) return undefined;
  return Object.fromEntries(Object.entries(Item).map(([name, value]) => [name, value.S ?? value.N ?? '']));
}

/** Every item's `id` → `status`. */
export async function readStatuses(
  dynamoDb: DynamoDBClient,
  TableName: string,
): Promise<Map<string, string>> {
  const { Items } = await dynamoDb.send(new ScanCommand({ TableName, ConsistentRead: true }));
  return new Map((Items ?? []).map((item) => [item.id?.S ?? '', item.status?.S ?? '']));
}
