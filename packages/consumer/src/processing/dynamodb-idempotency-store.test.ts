import {
  DeleteItemCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  type PutItemCommandInput,
} from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { DynamoDbIdempotencyStore } from './dynamodb-idempotency-store.js';

const dynamoDb = mockClient(DynamoDBClient);
afterEach(() => dynamoDb.reset());

const NOW = 1_700_000_000_123;
const store = (options: Partial<ConstructorParameters<typeof DynamoDbIdempotencyStore>[0]> = {}) =>
  new DynamoDbIdempotencyStore({
    client: new DynamoDBClient({ region: 'us-east-1' }),
    tableName: 'dedupe',
    now: () => NOW,
    ...options,
  });

const conditionFailed = (item?: object) =>
  Object.assign(new Error('The conditional request failed'), {
    name: 'ConditionalCheckFailedException',
    ...(item ? { Item: item } : {}),
  });

describe('DynamoDbIdempotencyStore', () => {
  it('claims with one conditional put: in progress, a lease, a token and a TTL in epoch seconds (SC-20)', async () => {
    dynamoDb.on(PutItemCommand).resolves({});
    const result = await store({ keyPrefix: 'orders:' }).claim('e1');
    expect(result.status).toBe('claimed');
    const input = dynamoDb.commandCalls(PutItemCommand)[0]!.args[0].input as PutItemCommandInput;
    expect(input.Item).toMatchObject({
      id: { S: 'orders:e1' },
      status: { S: 'IN_PROGRESS' },
      leaseExpiresAtMs: { N: String(NOW + 30_000) },
      expiresAt: { N: String(1_700_000_000 + 691_200) },
    });
    expect(input.Item!.claimToken!.S).toMatch(/^[0-9a-f-]{36}$/);
    expect(input.ConditionExpression).toBe(
      'attribute_not_exists(#key) OR (#status = :inProgress AND #lease < :now)',
    );
    expect(input.ExpressionAttributeValues![':now']).toEqual({ N: String(NOW) });
  });

  it('tells done from in progress with the item DynamoDB returns with the failed condition', async () => {
    dynamoDb.on(PutItemCommand).rejectsOnce(conditionFailed({ status: { S: 'DONE' } }));
    expect(await store().claim('e1')).toEqual({ status: 'done' });
    dynamoDb.reset();
    dynamoDb
      .on(PutItemCommand)
      .rejectsOnce(
        conditionFailed({ status: { S: 'IN_PROGRESS' }, leaseExpiresAtMs: { N: String(NOW + 10) } }),
      );
    expect(await store().claim('e1')).toEqual({ status: 'in-progress', leaseExpiresAtMs: NOW + 10 });
    expect(dynamoDb.commandCalls(GetItemCommand)).toHaveLength(0);
  });

  it('reads the item (strongly consistent) when the failure does not carry it', async () => {
    dynamoDb.on(PutItemCommand).rejects(conditionFailed());
    dynamoDb.on(GetItemCommand).resolves({ Item: { status: { S: 'DONE' } } });
    expect(await store().claim('e1')).toEqual({ status: 'done' });
    expect(dynamoDb.commandCalls(GetItemCommand)[0]!.args[0].input).toMatchObject({
      Key: { id: { S: 'e1' } },
      ConsistentRead: true,
    });
  });

  it('tries again when the item vanished between the failed put and the read', async () => {
    dynamoDb.on(PutItemCommand).rejectsOnce(conditionFailed()).resolves({});
    dynamoDb.on(GetItemCommand).resolves({});
    expect((await store().claim('e1')).status).toBe('claimed');
    expect(dynamoDb.commandCalls(PutItemCommand)).toHaveLength(2);
  });

  it('marks done with a fresh TTL in epoch seconds, with custom attribute names', async () => {
    dynamoDb.on(PutItemCommand).resolves({});
    const custom = store({ keyAttribute: 'pk', ttlAttribute: 'ttl', ttlSeconds: 3_600 });
    await custom.complete({ eventId: 'e1', token: 't', leaseExpiresAtMs: 0 });
    const input = dynamoDb.commandCalls(PutItemCommand)[0]!.args[0].input;
    expect(input.Item).toEqual({
      pk: { S: 'e1' },
      status: { S: 'DONE' },
      claimToken: { S: 't' },
      completedAtMs: { N: String(NOW) },
      ttl: { N: String(1_700_000_000 + 3_600) },
    });
    expect(input.ConditionExpression).toBeUndefined();
  });

  it('releases only its own in-progress claim, and ignores a claim that is no longer its own', async () => {
    dynamoDb.on(DeleteItemCommand).rejects(conditionFailed());
    await store().release({ eventId: 'e1', token: 'tok', leaseExpiresAtMs: 0 });
    const input = dynamoDb.commandCalls(DeleteItemCommand)[0]!.args[0].input;
    expect(input.ConditionExpression).toBe('#status = :inProgress AND #token = :token');
    expect(input.ExpressionAttributeValues![':token']).toEqual({ S: 'tok' });
  });

  it('passes other DynamoDB errors on', async () => {
    dynamoDb.on(PutItemCommand).rejects(Object.assign(new Error('slow'), { name: 'ThrottlingException' }));
    await expect(store().claim('e1')).rejects.toThrow('slow');
  });

  it('rejects with a transient RequestTimeout when DynamoDB gives no answer within requestTimeoutMs', async () => {
    dynamoDb.on(PutItemCommand).callsFake(() => new Promise(() => undefined)); // never answers
    dynamoDb.on(DeleteItemCommand).callsFake(() => new Promise(() => undefined));
    const timed = store({ requestTimeoutMs: 100 });
    await expect(timed.claim('e1')).rejects.toMatchObject({ name: 'RequestTimeout', retryable: true });
    await expect(
      timed.release({ eventId: 'e1', token: 't', leaseExpiresAtMs: NOW + 1_000 }),
    ).rejects.toMatchObject({ name: 'RequestTimeout' });
  });

  it('validates its options, naming them', () => {
    expect(() => store({ ttlSeconds: 0 })).toThrow(/ttlSeconds/);
    expect(() => store({ leaseDurationMs: 10 })).toThrow(/leaseDurationMs/);
    expect(() => store({ keyAttribute: 'status' })).toThrow(/keyAttribute/);
    expect(() => store({ ttlAttribute: 'id' })).toThrow(/ttlAttribute/);
    expect(() => store({ tableName: '' })).toThrow(/tableName/);
    expect(() => store({ requestTimeoutMs: 0 })).toThrow(/requestTimeoutMs/);
  });
});
