import { describe, expect, it } from 'vitest';
import type { Lease } from '../leases/lease.js';
import type { ShardInfo } from '../leases/shard-sync-plan.js';
import { missingAncestors } from './missing-ancestors.js';

const shard = (shardId: string, start: string, parents: string[] = []): ShardInfo => ({
  shardId,
  parentShardId: parents[0],
  adjacentParentShardId: parents[1],
  startingHashKey: '0',
  endingHashKey: '1',
  startingSequenceNumber: start,
});
const lease = (leaseKey: string, parentShardIds: string[]): Lease => ({
  leaseKey,
  leaseCounter: 0,
  checkpoint: { sequenceNumber: 'TRIM_HORIZON', subSequenceNumber: 0 },
  ownerSwitchesSinceCheckpoint: 0,
  parentShardIds,
  childShardIds: [],
});

describe('missingAncestors', () => {
  it('finds every listed ancestor without a lease, parents first, and stops at leased or expired ones', () => {
    const shards = [
      shard('s0', '100'),
      shard('s1', '200', ['s0']),
      shard('s2', '300', ['s1']),
      shard('s3', '300', ['s1']),
      shard('s4', '400', ['s2', 's3']),
    ];
    // s4 is leased; s2 is leased; s3, s1, s0 lost their leases.
    const leases = [lease('s4', ['s2', 's3']), lease('s2', ['s1'])];
    expect(missingAncestors(leases, shards, (l) => l.leaseKey).map((s) => s.shardId)).toEqual([
      's0',
      's1',
      's3',
    ]);
    // Past the retention period (not listed): nothing to recreate.
    expect(missingAncestors([lease('s4', ['s9'])], shards, (l) => l.leaseKey)).toEqual([]);
  });
});
