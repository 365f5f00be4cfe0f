import { MAX_HASH_KEY } from '@kinesis-ts/core';
import { describe, expect, it } from 'vitest';
import {
  adjacentOpenPairs,
  hashRangeMidpoint,
  planMerge,
  planSplit,
  type ShardRange,
} from './shard-ranges.js';

const shard = (shardId: string, start: bigint, end: bigint, open = true): ShardRange => ({
  shardId,
  startingHashKey: start,
  endingHashKey: end,
  open,
});

const HALF = MAX_HASH_KEY / 2n; // 170141183460469231731687303715884105727
const stream = [
  shard('shardId-000000000000', 0n, MAX_HASH_KEY, false),
  shard('shardId-000000000001', 0n, HALF),
  shard('shardId-000000000002', HALF + 1n, MAX_HASH_KEY),
];

describe('hashRangeMidpoint (SC-26)', () => {
  it('splits the full range at 170141183460469231731687303715884105727, in BigInt integer division', () => {
    expect(hashRangeMidpoint('0', '340282366920938463463374607431768211455')).toBe(
      170141183460469231731687303715884105727n,
    );
    expect(hashRangeMidpoint(10n, 13n)).toBe(11n);
  });

  it('refuses something that is not a hash range', () => {
    expect(() => hashRangeMidpoint(5n, 4n)).toThrow(/Not a hash range/);
    expect(() => hashRangeMidpoint(0n, MAX_HASH_KEY + 1n)).toThrow(/Not a hash range/);
  });
});

describe('planSplit', () => {
  it('splits an open shard at its midpoint: the upper child starts there', () => {
    expect(planSplit(stream, 'shardId-000000000001')).toEqual({
      shardToSplit: 'shardId-000000000001',
      newStartingHashKey: (HALF / 2n).toString(),
      lowerRange: [0n, HALF / 2n - 1n],
      upperRange: [HALF / 2n, HALF],
    });
  });

  it('splits at a given hash key inside the range, and refuses one outside', () => {
    expect(planSplit(stream, 'shardId-000000000001', '1000').newStartingHashKey).toBe('1000');
    expect(() => planSplit(stream, 'shardId-000000000001', '0')).toThrow(
      expect.objectContaining({ code: 'CLI_INVALID_SPLIT' }),
    );
    expect(() => planSplit(stream, 'shardId-000000000001', (HALF + 1n).toString())).toThrow(/outside/);
  });

  it('refuses a closed shard and an unknown one, naming the open shards', () => {
    expect(() => planSplit(stream, 'shardId-000000000000')).toThrow(
      expect.objectContaining({ code: 'CLI_SHARD_CLOSED' }),
    );
    expect(() => planSplit(stream, 'shardId-000000000009')).toThrow(
      expect.objectContaining({
        code: 'CLI_SHARD_NOT_FOUND',
        message: expect.stringContaining('shardId-000000000001, shardId-000000000002'),
      }),
    );
  });

  it('splits a two-key shard between its keys and refuses a one-key shard', () => {
    expect(planSplit([shard('s', 4n, 5n)], 's').newStartingHashKey).toBe('5');
    expect(() => planSplit([shard('s', 4n, 4n)], 's')).toThrow(/single hash key/);
  });
});

describe('planMerge', () => {
  it('merges two adjacent open shards, lower one first, in either order', () => {
    const plan = planMerge(stream, 'shardId-000000000002', 'shardId-000000000001');
    expect(plan).toEqual({
      shardToMerge: 'shardId-000000000001',
      adjacentShardToMerge: 'shardId-000000000002',
      mergedRange: [0n, MAX_HASH_KEY],
    });
  });

  it('refuses shards whose ranges do not touch, closed shards and a shard with itself', () => {
    const three = [shard('a', 0n, 9n), shard('b', 10n, 19n), shard('c', 20n, 29n)];
    expect(() => planMerge(three, 'a', 'c')).toThrow(
      expect.objectContaining({ code: 'CLI_SHARDS_NOT_ADJACENT' }),
    );
    expect(() => planMerge(stream, 'shardId-000000000000', 'shardId-000000000001')).toThrow(
      expect.objectContaining({ code: 'CLI_SHARD_CLOSED' }),
    );
    expect(() => planMerge(three, 'a', 'a')).toThrow(/itself/);
  });

  it('lists the adjacent open pairs, the merge candidates', () => {
    const three = [
      shard('c', 20n, 29n),
      shard('a', 0n, 9n),
      shard('b', 10n, 19n),
      shard('x', 0n, 29n, false),
    ];
    expect(adjacentOpenPairs(three).map(([lower, upper]) => `${lower.shardId}+${upper.shardId}`)).toEqual([
      'a+b',
      'b+c',
    ]);
  });
});
