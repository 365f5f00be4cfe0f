import { describe, expect, it } from 'vitest';
import { ValidationError } from './errors.js';
import { partitionKeyToHashKey } from './hash-key.js';
import { MAX_HASH_KEY } from './limits.js';
import { hashKeyInRange, ShardLookup } from './shard-lookup.js';

const TWO_SHARDS = [
  {
    shardId: 'shardId-000000000001',
    startingHashKey: '170141183460469231731687303715884105728',
    endingHashKey: '340282366920938463463374607431768211455',
  },
  {
    shardId: 'shardId-000000000000',
    startingHashKey: '0',
    endingHashKey: '170141183460469231731687303715884105727',
  },
];

describe('ShardLookup', () => {
  it('predicts user-1 to the upper shard and user-2 to the lower one of an even 2-shard split (SC-02)', () => {
    const lookup = new ShardLookup(TWO_SHARDS);
    expect(lookup.find(partitionKeyToHashKey('user-1'))?.shardId).toBe('shardId-000000000001');
    expect(lookup.find(partitionKeyToHashKey('user-2'))?.shardId).toBe('shardId-000000000000');
  });

  it('routes by the explicit hash key when one overrides the partition key', () => {
    const lookup = new ShardLookup(TWO_SHARDS);
    expect(lookup.find(5n)?.shardId).toBe('shardId-000000000000');
    expect(lookup.find(MAX_HASH_KEY)?.shardId).toBe('shardId-000000000001');
  });

  it('puts both ends of every range in that range', () => {
    const lookup = new ShardLookup(TWO_SHARDS);
    expect(lookup.find(0n)?.shardId).toBe('shardId-000000000000');
    expect(lookup.find(170141183460469231731687303715884105727n)?.shardId).toBe('shardId-000000000000');
    expect(lookup.find(170141183460469231731687303715884105728n)?.shardId).toBe('shardId-000000000001');
  });

  it('finds the owner among many shards', () => {
    const count = 37n;
    const width = (MAX_HASH_KEY + 1n) / count;
    const shards = Array.from({ length: Number(count) }, (_, i) => ({
      shardId: `shard-${i}`,
      startingHashKey: BigInt(i) * width,
      endingHashKey: i === Number(count) - 1 ? MAX_HASH_KEY : BigInt(i + 1) * width - 1n,
    }));
    const lookup = new ShardLookup(shards.reverse());
    for (let i = 0; i < Number(count); i++) {
      const inside = BigInt(i) * width + width / 2n;
      expect(lookup.find(inside)?.shardId).toBe(`shard-${i}`);
    }
    expect(lookup.size).toBe(37);
  });

  it('returns undefined for a hash key no shard covers', () => {
    const lookup = new ShardLookup([{ shardId: 'only', startingHashKey: 100n, endingHashKey: 200n }]);
    expect(lookup.find(99n)).toBeUndefined();
    expect(lookup.find(201n)).toBeUndefined();
    expect(lookup.find(150n)?.shardId).toBe('only');
    expect(new ShardLookup([]).find(1n)).toBeUndefined();
  });
});

describe('hashKeyInRange', () => {
  it('is inclusive at both ends', () => {
    const range = { startingHashKey: '10', endingHashKey: '20' };
    expect(hashKeyInRange(10n, range)).toBe(true);
    expect(hashKeyInRange(20n, range)).toBe(true);
    expect(hashKeyInRange(9n, range)).toBe(false);
    expect(hashKeyInRange(21n, range)).toBe(false);
  });
});

describe('ShardLookup input', () => {
  it('refuses a range end that is not a hash key, naming the shard and the field', () => {
    const error = (() => {
      try {
        new ShardLookup([{ shardId: 'shardId-1', startingHashKey: '0', endingHashKey: 'x12' }]);
      } catch (e) {
        return e;
      }
    })() as ValidationError;
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.code).toBe('INVALID_HASH_KEY_RANGE');
    expect(error.field).toBe('shardId-1.endingHashKey');
  });
});
