import { CreateTableCommand } from '@aws-sdk/client-dynamodb';
import { uniqueName } from '@kinesis-ts/local';
import { beforeAll, describe, expect, it } from 'vitest';
import { useLocalStack } from '../../../test/local-stack.js';
import type { Lease } from '../lease.js';
import { discoverAssignedLeases } from '../lease-discovery.js';
import { LeaseTable } from './lease-table.js';

const local = useLocalStack();
const client = local.dynamoDbClient();
const table = new LeaseTable({ client, tableName: uniqueName('indexed'), requestTimeoutMs: 5_000 });

const lease = (leaseKey: string, leaseOwner?: string): Lease => ({
  leaseKey,
  leaseOwner,
  leaseCounter: 1,
  checkpoint: { sequenceNumber: 'TRIM_HORIZON', subSequenceNumber: 0 },
  ownerSwitchesSinceCheckpoint: 0,
  parentShardIds: [],
  childShardIds: [],
});

beforeAll(async () => {
  expect(await table.create()).toBe(true);
  expect(await table.waitUntilActive(10_000, 100)).toBe(true);
});

describe('the LeaseOwnerToLeaseKeyIndex (dynalite)', () => {
  it('is created with a new lease table, keys only, and is not created twice', async () => {
    expect(await table.leaseOwnerIndexStatus()).toBe('ACTIVE');
    expect(await table.createLeaseOwnerIndex()).toBe(false);
  });

  it("lists a worker's lease keys with a Query and ignores unowned rows", async () => {
    for (let i = 0; i < 120; i++) {
      await table.createLeaseIfNotExists(
        lease(`shardId-${String(i).padStart(12, '0')}`, i % 2 === 0 ? 'w1' : undefined),
      );
    }
    await table.createLeaseIfNotExists(lease('other', 'w2'));
    const keys = await table.listLeaseKeysForWorker('w1');
    expect(keys).toHaveLength(60);
    expect(await table.listLeaseKeysForWorker('w2')).toEqual(['other']);
  });

  it('discovers the leases assigned to a worker, skipping those still in a handoff', async () => {
    await table.createLeaseIfNotExists(lease('assigned', 'w3'));
    await table.createLeaseIfNotExists({ ...lease('moving', 'w3'), checkpointOwner: 'w9' });
    const found = await discoverAssignedLeases({ store: table, workerId: 'w3', heldKeys: new Set() });
    expect(found.assigned.map((l) => l.leaseKey)).toEqual(['assigned']);
    expect(found.pendingHandoffs.map((l) => l.leaseKey)).toEqual(['moving']);
  });

  it('reports no index on a table created without it (a KCL 2.x table)', async () => {
    const name = uniqueName('kcl2');
    await client.send(
      new CreateTableCommand({
        TableName: name,
        KeySchema: [{ AttributeName: 'leaseKey', KeyType: 'HASH' }],
        AttributeDefinitions: [{ AttributeName: 'leaseKey', AttributeType: 'S' }],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
    const old = new LeaseTable({ client, tableName: name, requestTimeoutMs: 5_000 });
    await old.waitUntilActive(10_000, 100);
    expect(await old.leaseOwnerIndexStatus()).toBeUndefined();
  });
});
