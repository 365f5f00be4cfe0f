import {
  ConditionalCheckFailedException,
  CreateTableCommand,
  GetItemCommand,
  ProvisionedThroughputExceededException,
  PutItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { uniqueName } from './connection';
import { injectDynamoDbFaults } from './dynamodb-faults';
import { useLocalStack } from './vitest';

const local = useLocalStack();

async function createTable(): Promise<string> {
  const tableName = uniqueName('faults');
  await local.dynamoDbClient().send(
    new CreateTableCommand({
      TableName: tableName,
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
  return tableName;
}

describe('injectDynamoDbFaults against dynalite', () => {
  it('fails a conditional write with ConditionalCheckFailedException without writing it', async () => {
    const tableName = await createTable();
    const dynamoDb = local.dynamoDbClient();
    const faults = injectDynamoDbFaults(dynamoDb, { conditionalCheckFailures: { firstCalls: 1 } });
    const put = (pk: string, conditional: boolean) =>
      dynamoDb.send(
        new PutItemCommand({
          TableName: tableName,
          Item: { pk: { S: pk } },
          ...(conditional ? { ConditionExpression: 'attribute_not_exists(pk)' } : {}),
        }),
      );
    const get = async (pk: string) =>
      (await dynamoDb.send(new GetItemCommand({ TableName: tableName, Key: { pk: { S: pk } } }))).Item;

    await put('unconditional', false); // never failed: it has no condition
    const error = await put('a', true).catch((failure: unknown) => failure);
    expect(error).toBeInstanceOf(ConditionalCheckFailedException);
    expect(error).toMatchObject({ $fault: 'client', $metadata: { httpStatusCode: 400 } });
    expect(await get('a')).toBeUndefined();
    await put('a', true);
    expect(await get('a')).toEqual({ pk: { S: 'a' } });
    expect(faults.stats()).toMatchObject({ conditionalCheckFailures: 1, callErrors: 1 });
  });

  it('throws ProvisionedThroughputExceededException on the chosen operations only', async () => {
    const tableName = await createTable();
    const dynamoDb = local.dynamoDbClient({ maxAttempts: 1 });
    injectDynamoDbFaults(dynamoDb, {
      callErrors: [{ operations: ['UpdateItem'], error: 'ProvisionedThroughputExceededException' }],
    });
    await dynamoDb.send(
      new PutItemCommand({ TableName: tableName, Item: { pk: { S: 'k' }, n: { N: '1' } } }),
    );
    await expect(
      dynamoDb.send(
        new UpdateItemCommand({
          TableName: tableName,
          Key: { pk: { S: 'k' } },
          UpdateExpression: 'SET n = :two',
          ExpressionAttributeValues: { ':two': { N: '2' } },
        }),
      ),
    ).rejects.toBeInstanceOf(ProvisionedThroughputExceededException);
    const { Item } = await dynamoDb.send(
      new GetItemCommand({ TableName: tableName, Key: { pk: { S: 'k' } } }),
    );
    expect(Item?.n).toEqual({ N: '1' });
  });
});
