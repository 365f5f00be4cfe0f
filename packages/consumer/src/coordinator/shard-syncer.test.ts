import { describe, expect, it, vi } from 'vitest';
import { awsError, InMemoryLeaseStore } from '../../test/in-memory-lease-store.js';
import type { ShardInfo } from '../leases/shard-sync-plan.js';
import { SHARD_LIST_MAX_AGE_MS, ShardSyncer, type ShardSyncerOptions } from './shard-syncer.js';

const HALF = String(2n ** 127n - 1n);
const HALF_PLUS_ONE = String(2n ** 127n);
const MAX = String(2n ** 128n - 1n);

function shard(shardId: string, extra: Partial<ShardInfo> = {}): ShardInfo {
  return {
    shardId,
    startingHashKey: '0',
    endingHashKey: MAX,
    startingSequenceNumber: '100',
    ...extra,
  };
}

/** A fake shard list the test can change, counting the listings. */
function fakeShards(initial: ShardInfo[]) {
  const list = {
    shards: initial,
    calls: 0,
    failWith: undefined as unknown,
    listShards: async (_signal: AbortSignal): Promise<ShardInfo[]> => {
      list.calls++;
      if (list.failWith !== undefined) throw list.failWith;
      return list.shards;
    },
  };
  return list;
}

function syncer(
  store: InMemoryLeaseStore,
  list: ReturnType<typeof fakeShards>,
  overrides: Partial<ShardSyncerOptions> = {},
) {
  let nowMs = 1_000_000;
  const clock = {
    advance: (ms: number) => {
      nowMs += ms;
    },
  };
  const instance = new ShardSyncer({
    store,
    listShards: list.listShards,
    initialPosition: 'TRIM_HORIZON',
    intervalMs: 60_000,
    signal: new AbortController().signal,
    now: () => nowMs,
    ...overrides,
  });
  return { syncer: instance, clock };
}

describe('ShardSyncer', () => {
  it('creates a lease for each listed shard that has none, and leaves existing leases alone', async () => {
    const store = new InMemoryLeaseStore();
    store.put({ leaseKey: 'shardId-0', leaseOwner: 'w1', leaseCounter: 7 });
    const list = fakeShards([shard('shardId-0'), shard('shardId-1')]);
    const { syncer: s } = syncer(store, list);

    await s.sync();

    expect([...store.rows.keys()].sort()).toEqual(['shardId-0', 'shardId-1']);
    expect(store.rows.get('shardId-0')).toMatchObject({ leaseOwner: 'w1', leaseCounter: 7 });
    expect(store.rows.get('shardId-1')).toMatchObject({
      checkpoint: { sequenceNumber: 'TRIM_HORIZON', subSequenceNumber: 0 },
      hashKeyRange: { startingHashKey: '0', endingHashKey: MAX },
    });
  });

  it('runs one shard sync at a time: requests while one runs share it', async () => {
    const store = new InMemoryLeaseStore();
    const list = fakeShards([shard('shardId-0')]);
    const { syncer: s } = syncer(store, list);

    await Promise.all([s.requestSync('a'), s.requestSync('b'), s.requestSync('c')]);

    expect(list.calls).toBe(1);
    expect(store.count('list')).toBe(1);
  });

  it('reports a failed background sync once, without rejecting, and tries again on the next request', async () => {
    const store = new InMemoryLeaseStore();
    const list = fakeShards([shard('shardId-0')]);
    const onSyncError = vi.fn();
    const { syncer: s } = syncer(store, list, { onSyncError });
    list.failWith = awsError('LimitExceededException');

    await expect(s.requestSync('interval')).resolves.toBeUndefined();
    expect(onSyncError).toHaveBeenCalledTimes(1);
    expect(store.rows.size).toBe(0);

    list.failWith = undefined;
    await s.requestSync('interval');
    expect(store.rows.has('shardId-0')).toBe(true);
  });

  it('does not report a sync that failed because stop() aborted it', async () => {
    const store = new InMemoryLeaseStore();
    const list = fakeShards([shard('shardId-0')]);
    const stop = new AbortController();
    const onSyncError = vi.fn();
    const { syncer: s } = syncer(store, list, { onSyncError, signal: stop.signal });
    stop.abort(new Error('stop() was called'));
    list.failWith = stop.signal.reason;

    await s.requestSync('interval');

    expect(onSyncError).not.toHaveBeenCalled();
  });

  it('reuses a listing younger than the age asked for, and lists again when it is older', async () => {
    const list = fakeShards([shard('shardId-0')]);
    const { syncer: s, clock } = syncer(new InMemoryLeaseStore(), list);

    await s.listedShards(0);
    await s.listedShards(SHARD_LIST_MAX_AGE_MS);
    expect(list.calls).toBe(1);

    clock.advance(SHARD_LIST_MAX_AGE_MS + 1);
    list.shards = [shard('shardId-0'), shard('shardId-1')];
    const shards = await s.listedShards(SHARD_LIST_MAX_AGE_MS);
    expect(list.calls).toBe(2);
    expect([...shards.keys()]).toEqual(['shardId-0', 'shardId-1']);
    expect(s.shard('shardId-1')?.shardId).toBe('shardId-1');
  });

  it('says whether a shard is open, closed or gone, and gone when the stream itself is', async () => {
    const list = fakeShards([shard('shardId-0'), shard('shardId-1', { endingSequenceNumber: '900' })]);
    const { syncer: s } = syncer(new InMemoryLeaseStore(), list);

    expect(await s.shardStatus('shardId-0')(0)).toBe('open');
    expect(await s.shardStatus('shardId-1')(0)).toBe('closed');
    expect(await s.shardStatus('shardId-2')(0)).toBe('gone');
    list.failWith = awsError('ResourceNotFoundException');
    expect(await s.shardStatus('shardId-0')(0)).toBe('gone');
    list.failWith = awsError('LimitExceededException');
    await expect(s.shardStatus('shardId-0')(0)).rejects.toThrow('LimitExceededException');
  });

  it("creates a split's child leases at TRIM_HORIZON with their parent, then asks for a taker run", async () => {
    const store = new InMemoryLeaseStore();
    const parent = store.put({ leaseKey: 'shardId-0' });
    const onChildLeasesCreated = vi.fn();
    const { syncer: s } = syncer(store, fakeShards([]), { onChildLeasesCreated });

    const outcome = await s.createChildLeases(parent, [
      { shardId: 'shardId-1', parentShardIds: ['shardId-0'], startingHashKey: '0', endingHashKey: HALF },
      { shardId: 'shardId-2', parentShardIds: [], startingHashKey: HALF_PLUS_ONE, endingHashKey: MAX },
    ]);

    expect(outcome).toBe('created');
    expect(store.rows.get('shardId-1')).toMatchObject({
      parentShardIds: ['shardId-0'],
      checkpoint: { sequenceNumber: 'TRIM_HORIZON' },
      hashKeyRange: { startingHashKey: '0', endingHashKey: HALF },
    });
    expect(store.rows.get('shardId-2')?.parentShardIds).toEqual(['shardId-0']);
    expect(onChildLeasesCreated).toHaveBeenCalledTimes(1);
  });

  it("syncs shards before creating a merge's child when the other parent is listed without a lease", async () => {
    const store = new InMemoryLeaseStore();
    const parent = store.put({ leaseKey: 'shardId-0' });
    const list = fakeShards([
      shard('shardId-0', { endingHashKey: HALF, endingSequenceNumber: '500' }),
      shard('shardId-1', { startingHashKey: HALF_PLUS_ONE, endingSequenceNumber: '500' }),
      shard('shardId-2', { parentShardId: 'shardId-0', adjacentParentShardId: 'shardId-1' }),
    ]);
    const { syncer: s } = syncer(store, list);
    const merge = {
      shardId: 'shardId-2',
      parentShardIds: ['shardId-0', 'shardId-1'],
      startingHashKey: '0',
      endingHashKey: MAX,
    };

    expect(await s.createChildLeases(parent, [merge])).toBe('created');

    expect(store.rows.has('shardId-1')).toBe(true); // created by the shard sync first
    expect(store.rows.get('shardId-2')?.parentShardIds).toEqual(['shardId-0', 'shardId-1']);
  });

  it("reports 'blocked' when the merge's other parent still has no lease after the sync", async () => {
    const store = new InMemoryLeaseStore();
    const parent = store.put({ leaseKey: 'shardId-0' });
    const list = fakeShards([shard('shardId-1', { endingSequenceNumber: '500' })]);
    const { syncer: s } = syncer(store, list); // a closed shard without open descendants gets no lease
    const merge = {
      shardId: 'shardId-2',
      parentShardIds: ['shardId-0', 'shardId-1'],
      startingHashKey: '0',
      endingHashKey: MAX,
    };

    expect(await s.createChildLeases(parent, [merge])).toBe('blocked');
    expect(store.rows.has('shardId-2')).toBe(false);
  });

  it("creates a merge's child at once when the other parent is no longer listed (trimmed)", async () => {
    const store = new InMemoryLeaseStore();
    const parent = store.put({ leaseKey: 'shardId-0' });
    const { syncer: s } = syncer(store, fakeShards([]));
    const merge = {
      shardId: 'shardId-2',
      parentShardIds: ['shardId-0', 'shardId-1'],
      startingHashKey: '0',
      endingHashKey: MAX,
    };

    expect(await s.createChildLeases(parent, [merge])).toBe('created');
    expect(store.rows.has('shardId-2')).toBe(true);
  });

  it('runs a shard sync on its timer until stopped', async () => {
    vi.useFakeTimers();
    try {
      const store = new InMemoryLeaseStore();
      const list = fakeShards([shard('shardId-0')]);
      const { syncer: s } = syncer(store, list, { intervalMs: 1_000 });
      s.startTimer();
      await vi.advanceTimersByTimeAsync(3_500);
      const runs = list.calls;
      expect(runs).toBeGreaterThanOrEqual(3);
      await s.stopTimer();
      await vi.advanceTimersByTimeAsync(5_000);
      expect(list.calls).toBe(runs);
    } finally {
      vi.useRealTimers();
    }
  });

  it('skips the periodic sync while periodicSyncAllowed says no (a follower), and runs requested ones', async () => {
    vi.useFakeTimers();
    try {
      const store = new InMemoryLeaseStore();
      const list = fakeShards([shard('shardId-0')]);
      let leader = false;
      const { syncer: s } = syncer(store, list, { intervalMs: 1_000, periodicSyncAllowed: () => leader });
      s.startTimer();
      await vi.advanceTimersByTimeAsync(3_500);
      expect(list.calls).toBe(0); // not the leader: no ListShards, no scan, no lease written
      expect(store.rows.size).toBe(0);

      await s.requestSync('hash-range hole');
      expect(store.rows.has('shardId-0')).toBe(true); // a sync asked for a reason runs anyway

      const afterRequest = list.calls;
      leader = true;
      await vi.advanceTimersByTimeAsync(2_500);
      expect(list.calls).toBeGreaterThan(afterRequest); // leader now: the timer's syncs run
      await s.stopTimer();
    } finally {
      vi.useRealTimers();
    }
  });
});
