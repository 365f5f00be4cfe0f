import { describe, expect, it } from 'vitest';
import type { Lease } from './lease.js';
import { planLeaseCleanup } from './lease-cleanup-plan.js';

function lease(leaseKey: string, checkpoint: string, parents: string[] = [], children: string[] = []): Lease {
  return {
    leaseKey,
    leaseCounter: 1,
    checkpoint: { sequenceNumber: checkpoint, subSequenceNumber: 0 },
    ownerSwitchesSinceCheckpoint: 0,
    parentShardIds: parents,
    childShardIds: children,
  };
}

const keys = (leases: Lease[]) => leases.map((l) => l.leaseKey).sort();

describe('planLeaseCleanup (the KCL LeaseCleanupManager rules)', () => {
  it('deletes a finished parent once every child has checkpointed past TRIM_HORIZON', () => {
    const parent = lease('p', 'SHARD_END', [], ['c1', 'c2']);
    expect(keys(planLeaseCleanup([parent, lease('c1', '100', ['p']), lease('c2', '200', ['p'])]))).toEqual([
      'p',
    ]);
  });

  it('keeps it while a child has not started (TRIM_HORIZON, LATEST, AT_TIMESTAMP) or has no lease', () => {
    for (const notStarted of ['TRIM_HORIZON', 'LATEST', 'AT_TIMESTAMP']) {
      const leases = [
        lease('p', 'SHARD_END', [], ['c1', 'c2']),
        lease('c1', '100', ['p']),
        lease('c2', notStarted, ['p']),
      ];
      expect(planLeaseCleanup(leases)).toEqual([]);
    }
    expect(planLeaseCleanup([lease('p', 'SHARD_END', [], ['c1', 'c2']), lease('c1', '100', ['p'])])).toEqual(
      [],
    );
  });

  it('cleans from the top: a finished child waits until its own parents are deleted', () => {
    const leases = [
      lease('g', 'SHARD_END', [], ['p']),
      lease('p', 'SHARD_END', ['g'], ['c']),
      lease('c', 'SHARD_END', ['p'], ['d']),
      lease('d', '5', ['c']),
    ];
    expect(keys(planLeaseCleanup(leases))).toEqual(['g']);
    expect(keys(planLeaseCleanup(leases.slice(1)))).toEqual(['p']);
  });

  it('counts a finished child as started', () => {
    const leases = [lease('a', 'SHARD_END', [], ['c']), lease('c', 'SHARD_END', ['a'], [])];
    expect(keys(planLeaseCleanup(leases))).toEqual(['a']);
  });

  it('finds the children of rows written without childShardIds through their parentShardId', () => {
    const leases = [lease('a', 'SHARD_END'), lease('b', 'SHARD_END'), lease('m', '7', ['a', 'b'])];
    expect(keys(planLeaseCleanup(leases))).toEqual(['a', 'b']);
  });

  it('keeps finished leases without any known child, unfinished ones and multi-stream ones', () => {
    expect(planLeaseCleanup([lease('gone', 'SHARD_END')])).toEqual([]);
    expect(planLeaseCleanup([lease('p', '100', [], ['c']), lease('c', '5', ['p'])])).toEqual([]);
    const multi = lease('1:s:1:shardId-0', 'SHARD_END', [], ['c']);
    expect(planLeaseCleanup([multi, lease('c', '5')])).toEqual([]);
  });
});
