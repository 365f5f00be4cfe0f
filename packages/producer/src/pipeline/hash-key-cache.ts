import { partitionKeyToHashKey } from '@kinesis-ts/core';

/**
 * Remembers the hash keys of recent partition keys: producers usually see the same keys (device,
 * user, tenant ids) again and again, and an MD5 per record is a good share of the cost of a put.
 * Bounded: when full it starts over, which costs one MD5 per key again.
 */
export class HashKeyCache {
  private readonly hashKeys = new Map<string, bigint>();

  /** @param capacity the most partition keys remembered. @defaultValue 10000 */
  constructor(private readonly capacity = 10_000) {}

  /** The hash key of `partitionKey` (the MD5 of its UTF-8 bytes, as a bigint). */
  of(partitionKey: string): bigint {
    let hashKey = this.hashKeys.get(partitionKey);
    if (hashKey === undefined) {
      hashKey = partitionKeyToHashKey(partitionKey);
      if (this.hashKeys.size >= this.capacity) this.hashKeys.clear();
      this.hashKeys.set(partitionKey, hashKey);
    }
    return hashKey;
  }
}
