import { MAX_HASH_KEY } from '@kinesis-ts/core';
import { describe, expect, it } from 'vitest';
import { pending } from '../../test/pending.js';
import type { OpenShard } from './list-shards.js';
import { Router } from './router.js';
import { ShardMap } from './shard-map.js';

const HALF = (MAX_HASH_KEY + 1n) / 2n;

/** A router over a shard map whose `ListShards` answers are `maps`, one per fetch. */
async function routerOver(...maps: OpenShard[][]) {
  let fetches = 0;
  const shardMap = new ShardMap({
    fetchShards: async () => maps[Math.min(fetches++, maps.length - 1)]!,
    onChange: () => undefined,
    onError: () => undefined,
  });
  shardMap.start();
  await new Promise((resolve) => setImmediate(resolve));
  const router = new Router(shardMap, { rateLimitPercent: 100, maxRecordSizeBytes: 1024 * 1024 });
  return { shardMap, router, refreshed: () => new Promise((resolve) => setImmediate(resolve)) };
}

describe('Router', () => {
  it("routes a key it has seen to the new map's shard once the lanes are rebuilt from it", async () => {
    const key = 'device-1';
    const hashKey = pending(key).hashKey;
    // First one shard holds every key; then the stream is two shards and the key is in the second one.
    const owner = hashKey < HALF ? 'lower' : 'upper';
    const { shardMap, router, refreshed } = await routerOver(
      [{ shardId: 'single', startingHashKey: 0n, endingHashKey: MAX_HASH_KEY }],
      [
        { shardId: 'lower', startingHashKey: 0n, endingHashKey: HALF - 1n },
        { shardId: 'upper', startingHashKey: HALF, endingHashKey: MAX_HASH_KEY },
      ],
    );
    router.rebucket(shardMap.generation);
    expect(router.route(pending(key)).shardId).toBe('single');
    expect(router.route(pending(key)).shardId).toBe('single');

    shardMap.invalidate(shardMap.generation);
    await refreshed();
    // A new map, the lanes not rebuilt yet: the key no longer goes to the old map's lane.
    expect(router.route(pending(key)).shardId).toBe(owner);
    router.rebucket(shardMap.generation);
    expect(router.route(pending(key)).shardId).toBe(owner);
    expect([...router.allLanes()].map((lane) => [lane.shardId, lane.queue.length])).toEqual(
      expect.arrayContaining([[owner, 4]]),
    );
  });

  it('routes a record with an explicit hash key by that hash key, not by what its partition key did before', async () => {
    const { shardMap, router } = await routerOver([
      { shardId: 'lower', startingHashKey: 0n, endingHashKey: HALF - 1n },
      { shardId: 'upper', startingHashKey: HALF, endingHashKey: MAX_HASH_KEY },
    ]);
    router.rebucket(shardMap.generation);
    const first = router.route(pending('k')).shardId;
    const other = first === 'lower' ? 'upper' : 'lower';
    const explicit = other === 'lower' ? 0n : MAX_HASH_KEY;
    const record = pending('k', 'x', { explicitHashKey: explicit.toString(), hashKey: explicit });
    expect(router.route(record).shardId).toBe(other);
    expect(router.route(pending('k')).shardId).toBe(first);
  });
});
