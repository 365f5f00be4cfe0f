import { GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { uniqueName } from '@kinesis-ts/local';
import { beforeAll, describe, expect, it } from 'vitest';
import { useLocalStack } from '../../../test/local-stack.js';
import { multiStreamLeaseKey } from '../stream-identifier.js';
import { LeaseTable } from './lease-table.js';

const local = useLocalStack();
const tableName = uniqueName('ms-leases');
const table = new LeaseTable({ client: local.dynamoDbClient(), tableName, requestTimeoutMs: 5_000 });

/** A row exactly as the Java KCL's DynamoDBMultiStreamLeaseSerializer writes it (no entityType: KCL 2.x). */
function javaRow(shardId: string, checkpoint: string) {
  return {
    leaseKey: { S: `123456789012:orders:1700000000:${shardId}` },
    leaseOwner: { S: 'java-worker-1' },
    leaseCounter: { N: '7' },
    checkpoint: { S: checkpoint },
    checkpointSubSequenceNumber: { N: '3' },
    ownerSwitchesSinceCheckpoint: { N: '0' },
    startingHashKey: { S: '0' },
    endingHashKey: { S: '170141183460469231731687303715884105727' },
    streamName: { S: '123456789012:orders:1700000000' },
    shardId: { S: shardId },
  };
}

beforeAll(async () => {
  await table.create();
  expect(await table.waitUntilActive(10_000, 100)).toBe(true);
});

describe('multi-stream rows in DynamoDB', () => {
  it('reads a row the Java KCL wrote in multi-stream mode, takes it and checkpoints it without losing its stream attributes', async () => {
    const client = local.dynamoDbClient();
    const key = multiStreamLeaseKey('123456789012:orders:1700000000', 'shardId-000000000001');
    await client.send(
      new PutItemCommand({
        TableName: tableName,
        Item: javaRow('shardId-000000000001', '4963157740148466073186'),
      }),
    );
    const seen = await table.getLease(key);
    expect(seen).toMatchObject({
      leaseKey: key,
      leaseOwner: 'java-worker-1',
      leaseCounter: 7,
      checkpoint: { sequenceNumber: '4963157740148466073186', subSequenceNumber: 3 },
      streamIdentifier: '123456789012:orders:1700000000',
      shardId: 'shardId-000000000001',
    });
    const mine = (await table.takeLease(seen!, 'ts-worker'))!;
    await table.updateCheckpoint(mine, {
      checkpoint: { sequenceNumber: '4963157740148466073999', subSequenceNumber: 0 },
    });
    const raw = await client.send(
      new GetItemCommand({ TableName: tableName, Key: { leaseKey: { S: key } }, ConsistentRead: true }),
    );
    expect(raw.Item?.streamName).toEqual({ S: '123456789012:orders:1700000000' });
    expect(raw.Item?.shardId).toEqual({ S: 'shardId-000000000001' });
    expect(raw.Item?.checkpoint).toEqual({ S: '4963157740148466073999' });
    expect(raw.Item?.leaseOwner).toEqual({ S: 'ts-worker' });
  });

  it('creates multi-stream leases with the attributes the Java KCL reads', async () => {
    const key = multiStreamLeaseKey('123456789012:payments:1700000500', 'shardId-000000000000');
    const created = await table.createLeaseIfNotExists({
      leaseKey: key,
      leaseCounter: 0,
      checkpoint: { sequenceNumber: 'TRIM_HORIZON', subSequenceNumber: 0 },
      ownerSwitchesSinceCheckpoint: 0,
      parentShardIds: [],
      childShardIds: [],
      streamIdentifier: '123456789012:payments:1700000500',
      shardId: 'shardId-000000000000',
    });
    expect(created).toBe(true);
    const raw = await local
      .dynamoDbClient()
      .send(
        new GetItemCommand({ TableName: tableName, Key: { leaseKey: { S: key } }, ConsistentRead: true }),
      );
    expect(raw.Item).toEqual({
      leaseKey: { S: key },
      leaseCounter: { N: '0' },
      ownerSwitchesSinceCheckpoint: { N: '0' },
      checkpoint: { S: 'TRIM_HORIZON' },
      checkpointSubSequenceNumber: { N: '0' },
      entityType: { S: 'LEASE' },
      streamName: { S: '123456789012:payments:1700000500' },
      shardId: { S: 'shardId-000000000000' },
    });
  });
});
