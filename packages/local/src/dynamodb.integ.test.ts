import {
  ConditionalCheckFailedException,
  CreateTableCommand,
  GetItemCommand,
  PutItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { uniqueName } from './connection';
import { useLocalStack } from './vitest';

const local = useLocalStack();
const dynamoDb = local.dynamoDbClient();

async function createLeaseTable(): Promise<string> {
  const tableName = uniqueName('leases');
  await dynamoDb.send(
    new CreateTableCommand({
      TableName: tableName,
      AttributeDefinitions: [{ AttributeName: 'leaseKey', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'leaseKey', KeyType: 'HASH' }],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
  return tableName;
}

describe('the local DynamoDB (dynalite)', () => {
  it('accepts the first conditional put and rejects the second with ConditionalCheckFailedException', async () => {
    const tableName = await createLeaseTable();
    const put = () =>
      dynamoDb.send(
        new PutItemCommand({
          TableName: tableName,
          Item: { leaseKey: { S: 'shardId-000000000000' }, leaseCounter: { N: '1' } },
          ConditionExpression: 'attribute_not_exists(leaseKey)',
        }),
      );
    await put();
    const error = await put().catch((failure: unknown) => failure);
    expect(error).toBeInstanceOf(ConditionalCheckFailedException);
    expect(error).toMatchObject({
      name: 'ConditionalCheckFailedException',
      $metadata: { httpStatusCode: 400 },
    });
  });

  it('applies a conditional UpdateItem only while the expected counter matches', async () => {
    const tableName = await createLeaseTable();
    const key = { leaseKey: { S: 'shardId-000000000001' } };
    await dynamoDb.send(
      new PutItemCommand({ TableName: tableName, Item: { ...key, leaseCounter: { N: '1' } } }),
    );
    const renew = (expected: string) =>
      dynamoDb.send(
        new UpdateItemCommand({
          TableName: tableName,
          Key: key,
          UpdateExpression: 'SET leaseCounter = leaseCounter + :one',
          ConditionExpression: 'leaseCounter = :expected',
          ExpressionAttributeValues: { ':one': { N: '1' }, ':expected': { N: expected } },
          ReturnValues: 'ALL_NEW',
        }),
      );
    const renewed = await renew('1');
    expect(renewed.Attributes?.leaseCounter).toEqual({ N: '2' });
    await expect(renew('1')).rejects.toBeInstanceOf(ConditionalCheckFailedException);
    const { Item } = await dynamoDb.send(
      new GetItemCommand({ TableName: tableName, Key: key, ConsistentRead: true }),
    );
    expect(Item?.leaseCounter).toEqual({ N: '2' });
  });
});
