import { describe, expect, it } from 'vitest';
import type { Lease } from './lease.js';
import { SharedLeaseListing, sharedLeaseListingMaxAgeMs } from './shared-lease-listing.js';

const lease = (leaseKey: string) => ({ leaseKey }) as Lease;

/** A table whose scans the test resolves by hand, counting them. */
function fakeTable() {
  const scans: { resolve: (leases: Lease[]) => void; reject: (error: unknown) => void }[] = [];
  return {
    scans,
    scan: () =>
      new Promise<Lease[]>((resolve, reject) => {
        scans.push({ resolve, reject });
      }),
  };
}

function listing(maxAgeMs = 30_000) {
  const table = fakeTable();
  const clock = { nowMs: 1_000_000 };
  const shared = new SharedLeaseListing({ scan: table.scan, maxAgeMs, now: () => clock.nowMs });
  return { table, clock, shared };
}

describe('SharedLeaseListing', () => {
  it('gives every stream’s shard sync the same scan when they ask at once', async () => {
    const { table, shared } = listing();
    const waits = [shared.list(), shared.list(), shared.list()];
    expect(table.scans).toHaveLength(1);
    table.scans[0]!.resolve([lease('a:s:1:shardId-0')]);
    const results = await Promise.all(waits);
    expect(results.map((leases) => leases.map((l) => l.leaseKey))).toEqual([
      ['a:s:1:shardId-0'],
      ['a:s:1:shardId-0'],
      ['a:s:1:shardId-0'],
    ]);
  });

  it('hands out the latest listing while it is at most maxAgeMs old, and scans again after', async () => {
    const { table, clock, shared } = listing(30_000);
    const first = shared.list();
    table.scans[0]!.resolve([lease('one')]);
    await first;

    clock.nowMs += 30_000;
    expect((await shared.list()).map((l) => l.leaseKey)).toEqual(['one']);
    expect(table.scans).toHaveLength(1);

    clock.nowMs += 1;
    const later = shared.list();
    expect(table.scans).toHaveLength(2);
    table.scans[1]!.resolve([lease('one'), lease('two')]);
    expect((await later).map((l) => l.leaseKey)).toEqual(['one', 'two']);
  });

  it('uses a scan the taker recorded instead of scanning, but never an older one over a newer', async () => {
    const { table, clock, shared } = listing(30_000);
    shared.record([lease('taker')], clock.nowMs);
    shared.record([lease('older')], clock.nowMs - 5_000);
    expect((await shared.list()).map((l) => l.leaseKey)).toEqual(['taker']);
    expect(table.scans).toHaveLength(0);
  });

  it('rejects the callers of a failed scan, and the next call scans again', async () => {
    const { table, shared } = listing();
    const failing = shared.list();
    table.scans[0]!.reject(new Error('throttled'));
    await expect(failing).rejects.toThrow('throttled');
    const retry = shared.list();
    expect(table.scans).toHaveLength(2);
    table.scans[1]!.resolve([]);
    await expect(retry).resolves.toEqual([]);
  });

  it('stops one caller’s wait on its signal without failing the scan the others share', async () => {
    const { table, shared } = listing();
    const stopping = new AbortController();
    const aborted = shared.list(stopping.signal);
    const other = shared.list();
    stopping.abort(new Error('stopped'));
    await expect(aborted).rejects.toThrow('stopped');
    table.scans[0]!.resolve([lease('x')]);
    expect((await other).map((l) => l.leaseKey)).toEqual(['x']);
  });

  it('lets a listing serve a sync round for half the shard sync interval', () => {
    expect(sharedLeaseListingMaxAgeMs(60_000)).toBe(30_000);
    expect(sharedLeaseListingMaxAgeMs(1_001)).toBe(500);
  });
});
