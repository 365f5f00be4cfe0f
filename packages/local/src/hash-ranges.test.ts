import { partitionKeyToHashKey } from '@kinesis-ts/core';
import { describe, expect, it } from 'vitest';
import { openShardRanges, recordHashKey, shardForHashKey } from './hash-ranges';

const MAX = 2n ** 128n - 1n;
const HALF = 2n ** 127n;

/** ListShards' shards after shard 0 of a two-shard stream was split in two. */
const listed = [
  {
    ShardId: 'shardId-000000000000',
    HashKeyRange: { StartingHashKey: '0', EndingHashKey: String(HALF - 1n) },
    SequenceNumberRange: { StartingSequenceNumber: '1', EndingSequenceNumber: '9' },
  },
  {
    ShardId: 'shardId-000000000001',
    HashKeyRange: { StartingHashKey: String(HALF), EndingHashKey: String(MAX) },
    SequenceNumberRange: { StartingSequenceNumber: '1', EndingSequenceNumber: null },
  },
  {
    ShardId: 'shardId-000000000003',
    HashKeyRange: { StartingHashKey: String(HALF / 2n), EndingHashKey: String(HALF - 1n) },
    SequenceNumberRange: { StartingSequenceNumber: '10' },
  },
  {
    ShardId: 'shardId-000000000002',
    HashKeyRange: { StartingHashKey: '0', EndingHashKey: String(HALF / 2n - 1n) },
    SequenceNumberRange: { StartingSequenceNumber: '10' },
  },
];

describe('openShardRanges', () => {
  it('keeps the open shards only, sorted by their first hash key', () => {
    expect(openShardRanges(listed).map((range) => range.shardId)).toEqual([
      'shardId-000000000002',
      'shardId-000000000003',
      'shardId-000000000001',
    ]);
  });

  it('leaves out what it cannot read', () => {
    expect(openShardRanges(undefined)).toEqual([]);
    expect(
      openShardRanges([{ ShardId: 'x' }, { ShardId: 'y', HashKeyRange: { StartingHashKey: 'a' } }]),
    ).toEqual([]);
  });
});

describe('shardForHashKey', () => {
  const ranges = openShardRanges(listed);
  it('finds the shard whose range holds the key, ends included', () => {
    expect(shardForHashKey(ranges, 0n)).toBe('shardId-000000000002');
    expect(shardForHashKey(ranges, HALF / 2n - 1n)).toBe('shardId-000000000002');
    expect(shardForHashKey(ranges, HALF / 2n)).toBe('shardId-000000000003');
    expect(shardForHashKey(ranges, HALF)).toBe('shardId-000000000001');
    expect(shardForHashKey(ranges, MAX)).toBe('shardId-000000000001');
  });

  it('finds none in a gap or an empty map', () => {
    expect(shardForHashKey(ranges.slice(1), 0n)).toBeUndefined();
    expect(shardForHashKey([], 5n)).toBeUndefined();
  });
});

describe('recordHashKey', () => {
  it('is the explicit hash key when given, else the MD5 of the partition key', () => {
    expect(recordHashKey({ PartitionKey: 'a', ExplicitHashKey: '42' })).toBe(42n);
    expect(recordHashKey({ PartitionKey: 'a' })).toBe(partitionKeyToHashKey('a'));
  });

  it('is undefined for a record the service refuses anyway', () => {
    expect(recordHashKey({})).toBeUndefined();
    expect(recordHashKey({ PartitionKey: 'a', ExplicitHashKey: '-1' })).toBeUndefined();
  });
});
