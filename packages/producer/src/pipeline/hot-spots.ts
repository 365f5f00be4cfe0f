import type { RandomSource } from '@kinesis-ts/core';
import { HotKeyDetector, type HotSpot } from '../hot-key-detector.js';

/** Where hot spots are reported. */
export interface HotSpotCallbacks {
  readonly hotKey: (hot: HotSpot) => void;
  readonly hotShard: (hot: HotSpot) => void;
}

/**
 * Watches the routed records for a partition key above `share` of a window's records (`hot-key`),
 * and for a shard above three times its fair share, at most 90% (`hot-shard`).
 */
export class HotSpotMonitor {
  private readonly keys: HotKeyDetector;
  private readonly shards: HotKeyDetector;

  constructor(
    share: number,
    windowMs: number,
    now: number,
    random: RandomSource,
    private readonly callbacks: HotSpotCallbacks,
  ) {
    this.keys = new HotKeyDetector(share, windowMs, now, 100, random);
    this.shards = new HotKeyDetector(share, windowMs, now, 100, random);
  }

  /** A record of `partitionKey` arrived at `now` for `shardId` (undefined: unpredicted) of `shardCount` shards. */
  observe(partitionKey: string, shardId: string | undefined, now: number, shardCount: number): void {
    // Indexed loops: almost every call returns the shared empty list, and an iterator per call is garbage.
    const hotKeys = this.keys.observe(partitionKey, now);
    for (let i = 0; i < hotKeys.length; i++) this.callbacks.hotKey(hotKeys[i]!);
    const hotShards = this.shards.observe(shardId ?? 'unpredicted', now);
    if (hotShards.length === 0) return;
    // A shard is hot when it takes more than three times its fair share (at most 90%).
    const hotShareFloor = shardCount >= 2 ? Math.min(0.9, 3 / shardCount) : Number.POSITIVE_INFINITY;
    for (const hot of hotShards) if (hot.share > hotShareFloor) this.callbacks.hotShard(hot);
  }
}
