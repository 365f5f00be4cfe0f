import { partitionKeyToHashKey } from '@kinesis-ts/core';
import { describe, expect, it } from 'vitest';
import { HashKeyCache } from './hash-key-cache.js';

describe('HashKeyCache', () => {
  it('answers the MD5 hash key, remembered or not, and stays within its capacity', () => {
    const cache = new HashKeyCache(3);
    for (const key of ['a', 'b', 'a', 'c', 'd', 'e', 'a'])
      expect(cache.of(key)).toBe(partitionKeyToHashKey(key));
    expect((cache as unknown as { hashKeys: Map<string, bigint> }).hashKeys.size).toBeLessThanOrEqual(3);
  });
});
