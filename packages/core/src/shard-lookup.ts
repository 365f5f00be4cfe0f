import { parseHashKeyBound } from './hash-key.js';

/** A shard's place in the hash space, as `ListShards` reports it (decimal strings or bigints). */
export interface ShardHashRange {
  readonly shardId: string;
  readonly startingHashKey: string | bigint;
  readonly endingHashKey: string | bigint;
}

/**
 * Finds which of a set of open shards owns a hash key. Built once from `ListShards`; each lookup is a
 * binary search over the shards' ending hash keys (O(log n)).
 */
export class ShardLookup<T extends ShardHashRange = ShardHashRange> {
  private readonly shards: readonly T[];
  private readonly starts: readonly bigint[];
  private readonly ends: readonly bigint[];

  /**
   * @param shards the open shards; their hash ranges must not overlap (order does not matter).
   * @throws ValidationError (`INVALID_HASH_KEY_RANGE`) when a range end is not a hash key.
   */
  constructor(shards: readonly T[]) {
    const parsed = shards.map((shard) => ({
      shard,
      start: parseHashKeyBound(shard.startingHashKey, `${shard.shardId}.startingHashKey`),
      end: parseHashKeyBound(shard.endingHashKey, `${shard.shardId}.endingHashKey`),
    }));
    parsed.sort((a, b) => compareBigInt(a.end, b.end));
    this.shards = parsed.map((p) => p.shard);
    this.starts = parsed.map((p) => p.start);
    this.ends = parsed.map((p) => p.end);
  }

  /** The number of shards in the lookup. */
  get size(): number {
    return this.shards.length;
  }

  /** The shards, sorted by hash range. */
  list(): readonly T[] {
    return this.shards;
  }

  /** The shard whose hash range contains `hashKey`, or `undefined` when no shard covers it. */
  find(hashKey: bigint): T | undefined {
    let low = 0;
    let high = this.ends.length - 1;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (this.ends[middle]! < hashKey) low = middle + 1;
      else high = middle;
    }
    if (low >= this.ends.length) return undefined;
    if (hashKey > this.ends[low]! || hashKey < this.starts[low]!) return undefined;
    return this.shards[low];
  }
}

/** Whether `hashKey` lies in the inclusive range `[startingHashKey, endingHashKey]`. */
export function hashKeyInRange(
  hashKey: bigint,
  range: { readonly startingHashKey: string | bigint; readonly endingHashKey: string | bigint },
): boolean {
  return hashKey >= BigInt(range.startingHashKey) && hashKey <= BigInt(range.endingHashKey);
}

function compareBigInt(a: bigint, b: bigint): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
