import { describe, expect, it, vi } from 'vitest';
import { awsError, InMemoryLeaseStore } from '../../test/in-memory-lease-store.js';
import type { Lease } from '../leases/lease.js';
import type { ShardInfo } from '../leases/shard-sync-plan.js';
import {
  HASH_RANGE_BACKFILL_INTERVAL_MS,
  HOLE_CONFIDENCE_THRESHOLD,
  LeaseTableMaintenance,
  type LeaseTableMaintenanceOptions,
} from './lease-table-maintenance.js';

const HALF = String(2n ** 127n - 1n);
const HALF_PLUS_ONE = String(2n ** 127n);
const MAX = String(2n ** 128n - 1n);
const CLEANUP_INTERVAL_MS = 10_000;
const SHARD_END = { sequenceNumber: 'SHARD_END', subSequenceNumber: 0 };
const STARTED = {
  sequenceNumber: '49590338271490256608559692538361571095921575989136588898',
  subSequenceNumber: 0,
};

function shard(shardId: string, startingHashKey: string, endingHashKey: string): ShardInfo {
  return { shardId, startingHashKey, endingHashKey, startingSequenceNumber: '100' };
}

function maintenance(store: InMemoryLeaseStore, overrides: Partial<LeaseTableMaintenanceOptions> = {}) {
  const syncs: string[] = [];
  const deleted: string[] = [];
  const errors: unknown[] = [];
  let running = true;
  const listedShards = vi.fn(
    async (_maxAgeMs: number) =>
      new Map([
        ['shardId-0', shard('shardId-0', '0', HALF)],
        ['shardId-1', shard('shardId-1', HALF_PLUS_ONE, MAX)],
      ]),
  );
  const instance = new LeaseTableMaintenance({
    store,
    listedShards,
    requestShardSync: (reason) => syncs.push(reason),
    isRunning: () => running,
    cleanupLeasesUponShardCompletion: true,
    leaseCleanupIntervalMs: CLEANUP_INTERVAL_MS,
    signal: new AbortController().signal,
    onLeaseDeleted: (leaseKey) => deleted.push(leaseKey),
    onError: (_operation, error) => errors.push(error),
    ...overrides,
  });
  /** A scan of the store's rows at `atMs`, then what it started. */
  const scan = async (atMs: number) => {
    instance.onScan([...store.rows.values()], atMs);
    await Promise.all(instance.inFlight());
  };
  return {
    instance,
    scan,
    syncs,
    deleted,
    errors,
    listedShards,
    stop: () => {
      running = false;
    },
  };
}

/** A finished parent whose two children have started. */
function finishedSplit(store: InMemoryLeaseStore): Lease {
  const parent = store.put({
    leaseKey: 'shardId-0',
    checkpoint: SHARD_END,
    childShardIds: ['shardId-1', 'shardId-2'],
  });
  const range = (startingHashKey: string, endingHashKey: string) => ({ startingHashKey, endingHashKey });
  store.put({
    leaseKey: 'shardId-1',
    parentShardIds: ['shardId-0'],
    checkpoint: STARTED,
    hashKeyRange: range('0', HALF),
  });
  store.put({
    leaseKey: 'shardId-2',
    parentShardIds: ['shardId-0'],
    checkpoint: STARTED,
    hashKeyRange: range(HALF_PLUS_ONE, MAX),
  });
  return parent;
}

describe('LeaseTableMaintenance', () => {
  it('asks for a shard sync when a scan finds the table empty', async () => {
    const m = maintenance(new InMemoryLeaseStore());
    await m.scan(0);
    expect(m.syncs).toEqual(['empty lease table']);
  });

  it(`asks for a shard sync only once the same hash-range holes showed up ${HOLE_CONFIDENCE_THRESHOLD} scans running`, async () => {
    const store = new InMemoryLeaseStore();
    store.put({ leaseKey: 'shardId-0', hashKeyRange: { startingHashKey: '0', endingHashKey: HALF } });
    const m = maintenance(store);
    for (let scan = 1; scan < HOLE_CONFIDENCE_THRESHOLD; scan++) await m.scan(scan);
    expect(m.syncs).toEqual([]);
    await m.scan(HOLE_CONFIDENCE_THRESHOLD);
    expect(m.syncs).toEqual(['hash range holes']);
  });

  it('deletes a finished lease whose children have started, and reports it', async () => {
    const store = new InMemoryLeaseStore();
    finishedSplit(store);
    const m = maintenance(store);
    await m.scan(0);
    expect(store.rows.has('shardId-0')).toBe(false);
    expect(m.deleted).toEqual(['shardId-0']);
  });

  it('cleans up at most once per leaseCleanupIntervalMs', async () => {
    const store = new InMemoryLeaseStore();
    const m = maintenance(store);
    await m.scan(0); // the table is empty: nothing to delete, but the interval starts
    finishedSplit(store);
    await m.scan(CLEANUP_INTERVAL_MS - 1);
    expect(store.rows.has('shardId-0')).toBe(true);
    await m.scan(CLEANUP_INTERVAL_MS);
    expect(store.rows.has('shardId-0')).toBe(false);
  });

  it('leaves finished leases alone when cleanupLeasesUponShardCompletion is false', async () => {
    const store = new InMemoryLeaseStore();
    finishedSplit(store);
    const m = maintenance(store, { cleanupLeasesUponShardCompletion: false });
    await m.scan(0);
    expect(store.rows.has('shardId-0')).toBe(true);
    expect(store.count('delete')).toBe(0);
  });

  it('reports a failed deletion and tries again at the next cleanup', async () => {
    const store = new InMemoryLeaseStore();
    finishedSplit(store);
    store.failNext('delete', awsError('ProvisionedThroughputExceededException'));
    const m = maintenance(store);
    await m.scan(0);
    expect(m.errors).toHaveLength(1);
    expect(store.rows.has('shardId-0')).toBe(true);
    await m.scan(CLEANUP_INTERVAL_MS);
    expect(store.rows.has('shardId-0')).toBe(false);
  });

  it('writes the listed hash ranges onto leases without one, skipping finished and multi-stream leases', async () => {
    const store = new InMemoryLeaseStore();
    store.put({ leaseKey: 'shardId-0' });
    store.put({ leaseKey: 'shardId-1' });
    store.put({ leaseKey: 'shardId-9', checkpoint: SHARD_END });
    store.put({ leaseKey: '123456789012:other:1:shardId-0' });
    const m = maintenance(store);
    await m.scan(0);
    expect(store.rows.get('shardId-0')?.hashKeyRange).toEqual({ startingHashKey: '0', endingHashKey: HALF });
    expect(store.rows.get('shardId-1')?.hashKeyRange).toEqual({
      startingHashKey: HALF_PLUS_ONE,
      endingHashKey: MAX,
    });
    expect(store.rows.get('shardId-9')?.hashKeyRange).toBeUndefined();
    expect(store.rows.get('123456789012:other:1:shardId-0')?.hashKeyRange).toBeUndefined();
  });

  it(`fills in hash ranges at most once per ${HASH_RANGE_BACKFILL_INTERVAL_MS} ms`, async () => {
    const store = new InMemoryLeaseStore();
    store.put({ leaseKey: 'shardId-7' }); // not listed: stays without a range
    const m = maintenance(store);
    await m.scan(0);
    await m.scan(HASH_RANGE_BACKFILL_INTERVAL_MS - 1);
    expect(m.listedShards).toHaveBeenCalledTimes(1);
    await m.scan(HASH_RANGE_BACKFILL_INTERVAL_MS);
    expect(m.listedShards).toHaveBeenCalledTimes(2);
  });

  it('ignores scans while the consumer is not running', async () => {
    const store = new InMemoryLeaseStore();
    finishedSplit(store);
    const m = maintenance(store);
    m.stop();
    await m.scan(0);
    expect(m.syncs).toEqual([]);
    expect(store.count('delete')).toBe(0);
  });
});
