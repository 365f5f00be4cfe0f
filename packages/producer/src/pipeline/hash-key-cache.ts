import { partitionKeyToHashKey } from '@kinesis-ts/core';
import { KeyReuse } from './key-reuse.js';

/** What the producer remembers of a partition key it has validated once. */
export interface KeyFacts {
  /**
   * The key as first seen. Records of the key carry this one string rather than each its own copy:
   * the packer and the aggregate's key table then compare the key by identity, and read a string
   * already in the processor's cache instead of one per record.
   */
  readonly partitionKey: string;
  /** The MD5 of the key's UTF-8 bytes, as a bigint: decides the shard. */
  readonly hashKey: bigint;
  /** The key's length in UTF-8 bytes: counts against the record size limit. */
  readonly utf8Bytes: number;
}

/**
 * Remembers the hash keys (and UTF-8 lengths) of recent partition keys: producers usually see the
 * same keys (device, user, tenant ids) again and again, and an MD5 per record is a good share of the
 * cost of a put. Only keys that passed validation are remembered, so a key found here needs no
 * validation again (`known`). Bounded: when full it starts over, which costs one MD5 and one
 * validation per key again. While keys do not come back, only some new ones are remembered (see
 * `KeyReuse`).
 */
export class HashKeyCache {
  private readonly hashKeys = new Map<string, KeyFacts>();
  private readonly reuse = new KeyReuse();

  /** @param capacity the most partition keys remembered. @defaultValue 10000 */
  constructor(private readonly capacity = 10_000) {}

  /** The hash key of `partitionKey` (the MD5 of its UTF-8 bytes, as a bigint). */
  of(partitionKey: string): bigint {
    return this.facts(partitionKey).hashKey;
  }

  /** What is known of a key already remembered (so valid), or undefined. */
  known(partitionKey: string): KeyFacts | undefined {
    const facts = this.hashKeys.get(partitionKey);
    this.reuse.looked(facts !== undefined);
    return facts;
  }

  /** The facts of a valid partition key, worked out and remembered when it is new. */
  facts(partitionKey: string): KeyFacts {
    let facts = this.hashKeys.get(partitionKey);
    if (facts === undefined) {
      facts = {
        partitionKey,
        hashKey: partitionKeyToHashKey(partitionKey),
        utf8Bytes: Buffer.byteLength(partitionKey, 'utf8'),
      };
      if (this.reuse.shouldRemember()) {
        if (this.hashKeys.size >= this.capacity) this.hashKeys.clear();
        this.hashKeys.set(partitionKey, facts);
      }
    }
    return facts;
  }
}
