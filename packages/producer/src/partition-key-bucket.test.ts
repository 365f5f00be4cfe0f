import { randomUUID } from 'node:crypto';
import { ValidationError } from '@kinesis-ts/core';
import { describe, expect, it } from 'vitest';
import { bucketedPartitionKey } from './partition-key-bucket.js';

describe('bucketedPartitionKey (SC-04)', () => {
  it('builds d1#bNN with NN in b00..b15', () => {
    expect(bucketedPartitionKey('d1', 'E')).toMatch(/^d1#b(0\d|1[0-5])$/);
  });

  it('always gives the same key for the same event id', () => {
    expect(bucketedPartitionKey('d1', 'event-42')).toBe(bucketedPartitionKey('d1', 'event-42'));
  });

  it('uses all 16 buckets over 10,000 random event ids', () => {
    const seen = new Set(Array.from({ length: 10_000 }, () => bucketedPartitionKey('d1', randomUUID())));
    expect(seen.size).toBe(16);
  });

  it('takes a per-tenant bucket count and pads to its width', () => {
    const keys = new Set(
      Array.from({ length: 5000 }, () => bucketedPartitionKey('tenant-9', randomUUID(), 120)),
    );
    expect(keys.size).toBe(120);
    expect([...keys].every((k) => /^tenant-9#b\d{3}$/.test(k))).toBe(true);
    expect(bucketedPartitionKey('t', 'e', 1)).toBe('t#b00');
  });

  it('refuses a bad bucket count or a key that would be too long', () => {
    expect(() => bucketedPartitionKey('d1', 'E', 0)).toThrow(ValidationError);
    expect(() => bucketedPartitionKey('k'.repeat(253), 'E')).toThrow(/partitionKey/);
  });
});
