import { describe, expect, it } from 'vitest';
import { InMemoryLeaseStore } from '../../test/in-memory-lease-store.js';
import type { Lease } from './lease.js';
import { StreamLeaseScope } from './stream-lease-scope.js';

const lease = (leaseKey: string, extra: Partial<Lease> = {}): Lease => ({
  leaseKey,
  leaseCounter: 0,
  checkpoint: { sequenceNumber: 'TRIM_HORIZON', subSequenceNumber: 0 },
  ownerSwitchesSinceCheckpoint: 0,
  parentShardIds: [],
  childShardIds: [],
  ...extra,
});

describe('StreamLeaseScope', () => {
  const orders = new StreamLeaseScope('123456789012:orders:1700000000');

  it('sees its stream’s leases by shard id and nothing of other streams or single-stream rows', () => {
    const rows = [
      lease('123456789012:orders:1700000000:shardId-000000000001', { shardId: 'shardId-000000000001' }),
      lease('123456789012:orders:1700000999:shardId-000000000001'),
      lease('123456789012:orders-2:1700000000:shardId-000000000001'),
      lease('shardId-000000000001'),
    ];
    expect(orders.select(rows).map((l) => l.leaseKey)).toEqual(['shardId-000000000001']);
  });

  it('creates leases with the KCL key and attributes, and reads them back by shard id', async () => {
    const table = new InMemoryLeaseStore();
    const store = orders.syncStore(table);
    expect(
      await store.createLeaseIfNotExists(
        lease('shardId-000000000002', { parentShardIds: ['shardId-000000000000'] }),
      ),
    ).toBe(true);
    const row = await table.getLease('123456789012:orders:1700000000:shardId-000000000002');
    expect(row).toMatchObject({
      streamIdentifier: '123456789012:orders:1700000000',
      shardId: 'shardId-000000000002',
      parentShardIds: ['shardId-000000000000'],
    });
    expect((await store.getLease('shardId-000000000002'))?.leaseKey).toBe('shardId-000000000002');
    expect((await store.listLeases()).map((l) => l.leaseKey)).toEqual(['shardId-000000000002']);
  });
});
