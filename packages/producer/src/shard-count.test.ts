import { describe, expect, it } from 'vitest';
import { checkReadCapacity, requiredShards } from './shard-count.js';

describe('requiredShards (SC-40)', () => {
  it('needs 5 shards for 5 MiB/s at 1,000 records/s', () => {
    expect(requiredShards({ mibPerSecond: 5, recordsPerSecond: 1000, headroom: 0 })).toBe(5);
  });

  it('needs 100 shards for 100,000 records/s of 1,000 bytes, 120 with 20 % headroom', () => {
    expect(requiredShards({ recordsPerSecond: 100_000, recordBytes: 1000 })).toBe(100);
    expect(requiredShards({ recordsPerSecond: 100_000, recordBytes: 1000, headroom: 0.2 })).toBe(120);
  });

  it('lets the records limit bind when records are small, and the bytes limit when they are large', () => {
    expect(requiredShards({ recordsPerSecond: 3000, recordBytes: 200 })).toBe(3);
    expect(requiredShards({ recordsPerSecond: 100, recordBytes: 100 * 1024 })).toBe(10);
  });

  it('never answers less than one shard, and refuses negative loads', () => {
    expect(requiredShards({})).toBe(1);
    expect(() => requiredShards({ recordsPerSecond: -1 })).toThrow(/recordsPerSecond/);
  });

  it('says what a load field got, quoting a string so "5" is not taken for 5', () => {
    expect(() => requiredShards({ mibPerSecond: '5' as never })).toThrow(
      'Invalid mibPerSecond: got the string "5" (allowed: a finite number ≥ 0)',
    );
    expect(() => requiredShards({ headroom: Number.NaN })).toThrow('Invalid headroom: got NaN');
  });
});

describe('checkReadCapacity', () => {
  it('flags more than 2 MiB/s of polling reads per shard, and suggests fan-out', () => {
    expect(checkReadCapacity(4, 4, 2)).toEqual({ demandMibPerShard: 2, exceeded: false });
    expect(checkReadCapacity(4, 4, 3)).toEqual({
      demandMibPerShard: 3,
      exceeded: true,
      advice: 'use enhanced fan-out or add shards',
    });
  });
});
