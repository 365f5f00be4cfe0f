import { uniqueName } from '@kinesis-ts/local';
import { beforeAll, describe, expect, it } from 'vitest';
import { useLocalStack } from '../../../test/local-stack.js';
import type { Lease } from '../lease.js';
import { LeaseTable } from './lease-table.js';

const local = useLocalStack();
const table = new LeaseTable({
  client: local.dynamoDbClient(),
  tableName: uniqueName('leases'),
  requestTimeoutMs: 5_000,
});

const base = (leaseKey: string): Lease => ({
  leaseKey,
  leaseCounter: 0,
  checkpoint: { sequenceNumber: 'TRIM_HORIZON', subSequenceNumber: 0 },
  ownerSwitchesSinceCheckpoint: 0,
  parentShardIds: ['shardId-000000000000'],
  childShardIds: [],
  hashKeyRange: { startingHashKey: '0', endingHashKey: '99' },
});

beforeAll(async () => {
  expect(await table.describeStatus()).toBeUndefined();
  expect(await table.create()).toBe(true);
  expect(await table.create()).toBe(false);
  expect(await table.waitUntilActive(10_000, 100)).toBe(true);
});

describe('LeaseTable against DynamoDB (dynalite)', () => {
  it('creates a lease only when none exists with its key', async () => {
    expect(await table.createLeaseIfNotExists(base('a'))).toBe(true);
    expect(await table.createLeaseIfNotExists({ ...base('a'), leaseOwner: 'x' })).toBe(false);
    expect((await table.getLease('a'))?.leaseOwner).toBeUndefined();
  });

  it('takes a lease only at the counter seen, and counts owner switches', async () => {
    await table.createLeaseIfNotExists(base('b'));
    const seen = (await table.getLease('b'))!;
    const mine = await table.takeLease(seen, 'w1');
    expect(mine).toMatchObject({ leaseOwner: 'w1', leaseCounter: 1 });
    expect(await table.takeLease(seen, 'w2')).toBeUndefined();
    const stolen = await table.takeLease(mine!, 'w2');
    expect(stolen).toMatchObject({ leaseOwner: 'w2', leaseCounter: 2, ownerSwitchesSinceCheckpoint: 1 });
    expect(await table.getLease('b')).toEqual(stolen);
  });

  it('renews only while the counter is unchanged', async () => {
    await table.createLeaseIfNotExists(base('c'));
    const held = (await table.takeLease((await table.getLease('c'))!, 'w1'))!;
    const renewed = (await table.renewLease(held))!;
    expect(renewed.leaseCounter).toBe(2);
    expect(await table.renewLease(held)).toBeUndefined();
  });

  it('checkpoints with the counter as the only fence, clearing the pending checkpoint', async () => {
    await table.createLeaseIfNotExists(base('d'));
    let lease = (await table.takeLease((await table.getLease('d'))!, 'w1'))!;
    lease = (await table.updatePendingCheckpoint(lease, {
      pendingCheckpoint: { sequenceNumber: '500', subSequenceNumber: 1 },
      pendingCheckpointState: new Uint8Array([7, 7]),
    }))!;
    expect(await table.getLease('d')).toMatchObject({
      pendingCheckpoint: { sequenceNumber: '500', subSequenceNumber: 1 },
      pendingCheckpointState: new Uint8Array([7, 7]),
    });
    lease = (await table.updateCheckpoint(lease, {
      checkpoint: { sequenceNumber: '500', subSequenceNumber: 1 },
    }))!;
    const row = await table.getLease('d');
    expect(row).toMatchObject({
      checkpoint: { sequenceNumber: '500', subSequenceNumber: 1 },
      ownerSwitchesSinceCheckpoint: 0,
    });
    expect(row?.pendingCheckpoint).toBeUndefined();
    expect(row?.pendingCheckpointState).toBeUndefined();
    expect(
      await table.updateCheckpoint({ ...lease, leaseCounter: 1 }, { checkpoint: lease.checkpoint }),
    ).toBeUndefined();
  });

  it('writes child shard ids at SHARD_END as a string set', async () => {
    await table.createLeaseIfNotExists(base('e'));
    const lease = (await table.takeLease((await table.getLease('e'))!, 'w1'))!;
    await table.updateCheckpoint(lease, {
      checkpoint: { sequenceNumber: 'SHARD_END', subSequenceNumber: 0 },
      childShardIds: ['x', 'y'],
    });
    expect((await table.getLease('e'))?.childShardIds.slice().sort()).toEqual(['x', 'y']);
    expect(await table.updateChildShardIds('missing', ['z'])).toBe(false);
  });

  it('releases a lease only for its owner at the counter seen', async () => {
    await table.createLeaseIfNotExists(base('f'));
    const lease = (await table.takeLease((await table.getLease('f'))!, 'w1'))!;
    expect(await table.evictLease(lease, 'w2')).toBeUndefined();
    const released = await table.evictLease(lease, 'w1');
    expect(released).toMatchObject({ leaseOwner: undefined, leaseCounter: 2 });
    expect((await table.getLease('f'))?.leaseOwner).toBeUndefined();
  });

  it('lists every lease across scan pages and deletes leases', async () => {
    const before = (await table.listLeases()).length;
    await table.createLeaseIfNotExists(base('g'));
    expect(await table.listLeases()).toHaveLength(before + 1);
    await table.deleteLease('g');
    expect(await table.getLease('g')).toBeUndefined();
  });
});
