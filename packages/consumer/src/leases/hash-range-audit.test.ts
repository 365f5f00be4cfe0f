import { MAX_HASH_KEY } from '@kinesis-ts/core';
import { describe, expect, it } from 'vitest';
import { findHashRangeHoles, HashRangeAuditor, leaseHashRangeHoles } from './hash-range-audit.js';
import type { Lease } from './lease.js';

const MAX = String(MAX_HASH_KEY);
const HALF = String(MAX_HASH_KEY / 2n);
const HALF_PLUS_ONE = String(MAX_HASH_KEY / 2n + 1n);
const range = (startingHashKey: string, endingHashKey: string) => ({ startingHashKey, endingHashKey });

function lease(leaseKey: string, start: string, end: string, checkpoint = 'TRIM_HORIZON'): Lease {
  return {
    leaseKey,
    leaseCounter: 1,
    checkpoint: { sequenceNumber: checkpoint, subSequenceNumber: 0 },
    ownerSwitchesSinceCheckpoint: 0,
    parentShardIds: [],
    childShardIds: [],
    hashKeyRange: range(start, end),
  };
}

describe('findHashRangeHoles', () => {
  it('finds none when the ranges cover 0 … 2^128 − 1, in any order and overlapping', () => {
    expect(findHashRangeHoles([range(HALF_PLUS_ONE, MAX), range('0', HALF)])).toEqual([]);
    expect(findHashRangeHoles([range('0', MAX), range('10', '20')])).toEqual([]);
  });

  it('finds the gaps at the start, in the middle and at the end, with exact bounds', () => {
    expect(findHashRangeHoles([range('10', '19'), range('30', '39')])).toEqual([
      range('0', '9'),
      range('20', '29'),
      range('40', MAX),
    ]);
  });

  it('finds the whole space when there are no ranges', () => {
    expect(findHashRangeHoles([])).toEqual([range('0', MAX)]);
  });

  it('compares hash keys as integers, not strings', () => {
    expect(findHashRangeHoles([range('0', '9'), range('10', MAX)])).toEqual([]);
  });
});

describe('leaseHashRangeHoles', () => {
  it('ignores finished leases: a split parent at SHARD_END leaves no hole once its children exist', () => {
    const leases = [
      lease('p', '0', MAX, 'SHARD_END'),
      lease('c1', '0', HALF),
      lease('c2', HALF_PLUS_ONE, MAX),
    ];
    expect(leaseHashRangeHoles(leases)).toEqual([]);
    expect(leaseHashRangeHoles(leases.slice(0, 2))).toEqual([range(HALF_PLUS_ONE, MAX)]);
  });

  it('cannot tell when a lease has no hash range (old KCL rows) or no lease is open', () => {
    const noRange = { ...lease('x', '0', MAX), hashKeyRange: undefined };
    expect(leaseHashRangeHoles([noRange])).toBeUndefined();
    expect(leaseHashRangeHoles([lease('p', '0', MAX, 'SHARD_END')])).toBeUndefined();
  });
});

describe('HashRangeAuditor', () => {
  it('asks for a shard sync only after the same holes in 3 consecutive audits', () => {
    const auditor = new HashRangeAuditor(3);
    const hole = [range('0', '9')];
    expect(auditor.audit(hole)).toBe(false);
    expect(auditor.audit(hole)).toBe(false);
    expect(auditor.audit(hole)).toBe(true);
    // Reset after triggering: three more are needed.
    expect(auditor.audit(hole)).toBe(false);
  });

  it('starts over when the holes change or disappear', () => {
    const auditor = new HashRangeAuditor(3);
    expect(auditor.audit([range('0', '9')])).toBe(false);
    expect(auditor.audit([range('0', '9')])).toBe(false);
    expect(auditor.audit([range('0', '19')])).toBe(false);
    expect(auditor.audit([range('0', '19')])).toBe(false);
    expect(auditor.audit([])).toBe(false);
    expect(auditor.audit([range('0', '19')])).toBe(false);
    expect(auditor.audit(undefined)).toBe(false);
    expect(auditor.audit([range('0', '19')])).toBe(false);
  });
});
