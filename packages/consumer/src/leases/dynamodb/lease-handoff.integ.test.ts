import { GetItemCommand, PutItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { uniqueName } from '@kinesis-ts/local';
import { beforeAll, describe, expect, it } from 'vitest';
import { useLocalStack } from '../../../test/local-stack.js';
import type { Lease } from '../lease.js';
import { LeaseTable } from './lease-table.js';

const local = useLocalStack();
const client = local.dynamoDbClient();
const tableName = uniqueName('handoff');
const table = new LeaseTable({ client, tableName, requestTimeoutMs: 5_000 });

const base = (leaseKey: string, owner: string): Lease => ({
  leaseKey,
  leaseOwner: owner,
  leaseCounter: 5,
  checkpoint: { sequenceNumber: 'TRIM_HORIZON', subSequenceNumber: 0 },
  ownerSwitchesSinceCheckpoint: 0,
  parentShardIds: [],
  childShardIds: [],
});

beforeAll(async () => {
  await table.create();
  expect(await table.waitUntilActive(10_000, 100)).toBe(true);
});

describe('graceful handoff writes against DynamoDB (dynalite)', () => {
  it('starts a handoff without moving the counter, only from the owner and only once', async () => {
    await table.createLeaseIfNotExists(base('a', 'w1'));
    const seen = (await table.getLease('a'))!;
    expect(await table.initiateLeaseHandoff({ ...seen, leaseOwner: 'other' }, 'w2')).toBeUndefined();
    const moved = await table.initiateLeaseHandoff(seen, 'w2');
    expect(moved).toMatchObject({ leaseOwner: 'w2', checkpointOwner: 'w1', leaseCounter: 5 });
    expect(await table.initiateLeaseHandoff(seen, 'w3')).toBeUndefined();
    expect(await table.getLease('a')).toEqual(moved);
  });

  it("fails the old owner's plain renewal during a handoff, and accepts its renewal that knows of it", async () => {
    await table.createLeaseIfNotExists(base('b', 'w1'));
    const held = (await table.getLease('b'))!;
    await table.initiateLeaseHandoff(held, 'w2');
    expect(await table.renewLease(held)).toBeUndefined();
    const inHandoff = { ...held, leaseOwner: 'w2', checkpointOwner: 'w1' };
    expect(await table.renewLease(inHandoff)).toMatchObject({ leaseCounter: 6 });
    // Checkpoints during the handoff keep the counter condition alone.
    const checkpointed = await table.updateCheckpoint(
      { ...inHandoff, leaseCounter: 6 },
      { checkpoint: { sequenceNumber: '4959', subSequenceNumber: 0 } },
    );
    expect(checkpointed?.leaseCounter).toBe(7);
  });

  it('transfers only while the handoff is the one seen, moving the counter and the owner switches', async () => {
    await table.createLeaseIfNotExists(base('c', 'w1'));
    const held = (await table.getLease('c'))!;
    const moved = (await table.initiateLeaseHandoff(held, 'w2'))!;
    expect(await table.transferLease({ ...moved, checkpointOwner: 'w9' })).toBeUndefined();
    const done = await table.transferLease(moved);
    expect(done).toMatchObject({
      leaseOwner: 'w2',
      checkpointOwner: undefined,
      leaseCounter: 6,
      ownerSwitchesSinceCheckpoint: 1,
    });
    expect(await table.transferLease(moved)).toBeUndefined();
  });

  it('keeps attributes it does not know (a Java KCL 3.x row) through handoff, renewal and transfer', async () => {
    await client.send(
      new PutItemCommand({
        TableName: tableName,
        Item: {
          leaseKey: { S: 'd' },
          leaseOwner: { S: 'w1' },
          leaseCounter: { N: '5' },
          checkpoint: { S: 'TRIM_HORIZON' },
          checkpointSubSequenceNumber: { N: '0' },
          ownerSwitchesSinceCheckpoint: { N: '0' },
          throughputKBps: { N: '12.5' },
          entityType: { S: 'LEASE' },
          futureAttribute: { S: 'kept' },
        },
      }),
    );
    const held = (await table.getLease('d'))!;
    const moved = (await table.initiateLeaseHandoff(held, 'w2'))!;
    await table.renewLease(moved);
    await table.transferLease({ ...moved, leaseCounter: 6 });
    const item = (
      await client.send(new GetItemCommand({ TableName: tableName, Key: { leaseKey: { S: 'd' } } }))
    ).Item!;
    expect(item.futureAttribute).toEqual({ S: 'kept' });
    expect(item.throughputKBps).toEqual({ N: '12.5' });
    expect(item.entityType).toEqual({ S: 'LEASE' });
    expect(item.leaseCounter).toEqual({ N: '7' });
  });

  it('reads a handoff written exactly as the Java KCL 3.x initiateGracefulLeaseHandoff sends it', async () => {
    await table.createLeaseIfNotExists(base('e', 'w1'));
    // The Java KCL uses the legacy Expected/AttributeUpdates form.
    await client.send(
      new UpdateItemCommand({
        TableName: tableName,
        Key: { leaseKey: { S: 'e' } },
        AttributeUpdates: {
          leaseOwner: { Value: { S: 'java-worker' }, Action: 'PUT' },
          checkpointOwner: { Value: { S: 'w1' }, Action: 'PUT' },
        },
        Expected: {
          leaseOwner: { Value: { S: 'w1' } },
          checkpointOwner: { Exists: false },
          leaseKey: { Value: { S: 'e' } },
        },
        ReturnValues: 'ALL_NEW',
      }),
    );
    const held = base('e', 'w1');
    expect(await table.renewLease(held)).toBeUndefined();
    const row = (await table.getLease('e'))!;
    expect(row).toMatchObject({ leaseOwner: 'java-worker', checkpointOwner: 'w1', leaseCounter: 5 });
    expect(await table.transferLease(row)).toMatchObject({
      leaseOwner: 'java-worker',
      checkpointOwner: undefined,
    });
  });
});
