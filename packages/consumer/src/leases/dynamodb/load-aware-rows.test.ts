import { describe, expect, it } from 'vitest';
import { leaderLockFromItem, leaderLockWriteExpression } from './leader-lock-table.js';
import { leaseAssignmentExpression } from './lease-mover.js';
import { leaseFromItem } from './lease-serializer.js';
import { workerMetricsFromItem, workerMetricsUpdate } from './worker-metrics-table.js';

const lease = {
  leaseKey: 'shardId-000000000001',
  leaseOwner: 'a',
  leaseCounter: 7,
  checkpoint: { sequenceNumber: 'TRIM_HORIZON', subSequenceNumber: 0 },
  ownerSwitchesSinceCheckpoint: 0,
  parentShardIds: [],
  childShardIds: [],
};

describe('the leader lock row', () => {
  it('is written with the lock client attributes and entityType LEADER, created only when absent', () => {
    const created = leaderLockWriteExpression('w1', 'v1', 120_000, undefined);
    expect(created.ConditionExpression).toBe('attribute_not_exists(#key)');
    expect(created.ExpressionAttributeNames).toMatchObject({
      '#owner': 'ownerName',
      '#duration': 'leaseDuration',
      '#version': 'recordVersionNumber',
      '#released': 'isReleased',
      '#type': 'entityType',
    });
    expect(created.ExpressionAttributeValues).toMatchObject({
      ':owner': { S: 'w1' },
      ':duration': { S: '120000' },
      ':version': { S: 'v1' },
      ':type': { S: 'LEADER' },
    });
    const taken = leaderLockWriteExpression('w2', 'v2', 120_000, 'v1');
    expect(taken.ConditionExpression).toBe('attribute_exists(#key) AND #version = :expected');
    expect(taken.ExpressionAttributeValues[':expected']).toEqual({ S: 'v1' });
  });

  it('is read as the Java lock client writes it, and is never read as a lease', () => {
    const item = {
      leaseKey: { S: 'Leader' },
      ownerName: { S: 'java-worker' },
      leaseDuration: { S: '120000' },
      recordVersionNumber: { S: 'b5a1-uuid' },
      entityType: { S: 'LEADER' },
    };
    expect(leaderLockFromItem(item)).toEqual({
      ownerName: 'java-worker',
      recordVersionNumber: 'b5a1-uuid',
      leaseDurationMs: 120_000,
      isReleased: false,
    });
    expect(leaderLockFromItem({ ...item, isReleased: { S: '1' } }).isReleased).toBe(true);
    expect(leaseFromItem(item).skipped).toBe('not-a-lease');
  });
});

describe('worker metrics rows', () => {
  it('round-trip in the KCL 3.x format (lut in seconds, sts and opr keyed by the metric short name)', () => {
    const update = workerMetricsUpdate({
      workerId: 'w1',
      lastUpdateMs: 1_700_000_000_999,
      stats: { C: [12.5, -1, 40] },
      operatingRange: { C: 100 },
    });
    expect(update.ExpressionAttributeValues).toEqual({
      ':type': { S: 'WORKER_METRIC_STATS' },
      ':lut': { N: '1700000000' },
      ':sts': { M: { C: { L: [{ N: '12.5' }, { N: '-1' }, { N: '40' }] } } },
      ':opr': { M: { C: { L: [{ N: '100' }] } } },
    });
    const item = {
      leaseKey: { S: 'w1' },
      entityType: update.ExpressionAttributeValues[':type']!,
      lut: update.ExpressionAttributeValues[':lut']!,
      sts: update.ExpressionAttributeValues[':sts']!,
      opr: update.ExpressionAttributeValues[':opr']!,
    };
    expect(workerMetricsFromItem(item)).toEqual({
      workerId: 'w1',
      lastUpdateMs: 1_700_000_000_000,
      stats: { C: [12.5, -1, 40] },
      operatingRange: { C: 100 },
    });
    expect(leaseFromItem(item).skipped).toBe('not-a-lease');
    expect(
      workerMetricsFromItem({ leaseKey: { S: 'shardId-1' }, checkpoint: { S: 'LATEST' } }),
    ).toBeUndefined();
  });
});

describe('the leader assignment writes', () => {
  it('assign an expired or unowned lease on the counter seen, removing any handoff', () => {
    const e = leaseAssignmentExpression(lease, 'b', 'counter');
    expect(e.UpdateExpression).toBe(
      'SET #owner = :to, #counter = :next REMOVE #checkpointOwner ADD #switches :one',
    );
    expect(e.ConditionExpression).toBe('attribute_exists(#key) AND #counter = :seen');
    expect(e.ExpressionAttributeValues).toMatchObject({
      ':to': { S: 'b' },
      ':next': { N: '8' },
      ':seen': { N: '7' },
    });
  });

  it('move a live lease on its owner (whatever the counter), bumping the counter so the old owner stops', () => {
    const e = leaseAssignmentExpression(lease, 'b', 'owner');
    expect(e.UpdateExpression).toBe(
      'SET #owner = :to REMOVE #checkpointOwner ADD #counter :one, #switches :one',
    );
    expect(e.ConditionExpression).toBe(
      'attribute_exists(#key) AND #owner = :from AND attribute_not_exists(#checkpointOwner)',
    );
    expect(e.ExpressionAttributeValues).toMatchObject({ ':from': { S: 'a' } });
  });
});
