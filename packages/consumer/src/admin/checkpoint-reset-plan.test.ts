import { ValidationError } from '@kinesis-ts/core';
import { describe, expect, it } from 'vitest';
import type { Lease } from '../leases/lease.js';
import {
  describeResetTarget,
  planCheckpointReset,
  type ResolvedResetPosition,
  staticResetPosition,
  validateResetTarget,
} from './checkpoint-reset-plan.js';

const lease = (leaseKey: string, checkpoint: string, extra: Partial<Lease> = {}): Lease => ({
  leaseKey,
  leaseCounter: 7,
  checkpoint: { sequenceNumber: checkpoint, subSequenceNumber: 0 },
  ownerSwitchesSinceCheckpoint: 0,
  parentShardIds: [],
  childShardIds: [],
  ...extra,
});

const at = (sequenceNumber: string, subSequenceNumber = 0): ResolvedResetPosition => ({
  checkpoint: { sequenceNumber, subSequenceNumber },
});

describe('validateResetTarget', () => {
  it('refuses a reset without a target, naming what is allowed', () => {
    expect(() => validateResetTarget(undefined, undefined)).toThrow(ValidationError);
    expect(() => validateResetTarget(undefined, undefined)).toThrow(/no target given/);
  });

  it('accepts TRIM_HORIZON, LATEST and timestamps for the whole application', () => {
    expect(() => validateResetTarget('TRIM_HORIZON', undefined)).not.toThrow();
    expect(() => validateResetTarget('LATEST', undefined)).not.toThrow();
    expect(() =>
      validateResetTarget({ timestamp: new Date('2026-01-01T00:00:00Z') }, undefined),
    ).not.toThrow();
    expect(() =>
      validateResetTarget({ timestamp: 1_700_000_000_000 }, ['shardId-000000000000']),
    ).not.toThrow();
  });

  it('refuses sentinels a reset cannot mean and invalid dates', () => {
    expect(() => validateResetTarget('SHARD_END' as never, undefined)).toThrow(/TRIM_HORIZON/);
    expect(() => validateResetTarget({ timestamp: new Date('nope') }, undefined)).toThrow(/target.timestamp/);
    expect(() => validateResetTarget({ foo: 1 } as never, undefined)).toThrow(/keys foo/);
  });

  it('requires exactly one shard and decimal digits for sequence-number targets', () => {
    expect(() => validateResetTarget({ atSequenceNumber: '123' }, undefined)).toThrow(/exactly one shard/);
    expect(() => validateResetTarget({ afterSequenceNumber: '123' }, ['a', 'b'])).toThrow(
      /exactly one shard/,
    );
    expect(() => validateResetTarget({ atSequenceNumber: '12x' }, ['a'])).toThrow(/target.atSequenceNumber/);
    expect(() => validateResetTarget({ afterSequenceNumber: '1', subSequenceNumber: -1 }, ['a'])).toThrow(
      /subSequenceNumber/,
    );
    expect(() =>
      validateResetTarget({ afterSequenceNumber: '1', subSequenceNumber: 3 }, ['a']),
    ).not.toThrow();
  });
});

describe('staticResetPosition', () => {
  it('maps TRIM_HORIZON and LATEST to their sentinels and leaves finished shards at LATEST', () => {
    expect(staticResetPosition(lease('a', '5'), 'TRIM_HORIZON')).toEqual(at('TRIM_HORIZON'));
    expect(staticResetPosition(lease('a', 'SHARD_END'), 'TRIM_HORIZON')).toEqual(at('TRIM_HORIZON'));
    expect(staticResetPosition(lease('a', '5'), 'LATEST')).toEqual(at('LATEST'));
    expect(staticResetPosition(lease('a', 'SHARD_END'), 'LATEST')).toEqual({
      unchanged: 'finished shard: nothing new will arrive in it',
    });
  });

  it('writes an after-sequence-number target as is and needs the stream for the others', () => {
    expect(staticResetPosition(lease('a', '5'), { afterSequenceNumber: '42', subSequenceNumber: 3 })).toEqual(
      at('42', 3),
    );
    expect(staticResetPosition(lease('a', '5'), { atSequenceNumber: '42' })).toBeUndefined();
    expect(staticResetPosition(lease('a', '5'), { timestamp: 0 })).toBeUndefined();
  });
});

describe('planCheckpointReset', () => {
  it('lists what moves, what stays and why, and which moving leases live workers hold', () => {
    const leases = [
      lease('shardId-2', '900', { leaseOwner: 'w2' }),
      lease('shardId-1', '500'),
      lease('shardId-3', 'TRIM_HORIZON'),
      lease('shardId-4', 'SHARD_END'),
    ];
    const positions = new Map<string, ResolvedResetPosition>([
      ['shardId-1', at('100')],
      ['shardId-2', at('TRIM_HORIZON')],
      ['shardId-3', at('TRIM_HORIZON')],
      ['shardId-4', { unchanged: 'finished shard with no record at or after the timestamp' }],
    ]);
    const plan = planCheckpointReset(leases, positions, new Map([['shardId-2', 'w2']]));
    expect(plan.changes).toEqual([
      {
        leaseKey: 'shardId-1',
        shardId: 'shardId-1',
        from: { sequenceNumber: '500', subSequenceNumber: 0 },
        to: { sequenceNumber: '100', subSequenceNumber: 0 },
        leaseOwner: undefined,
        leaseCounter: 7,
      },
      {
        leaseKey: 'shardId-2',
        shardId: 'shardId-2',
        from: { sequenceNumber: '900', subSequenceNumber: 0 },
        to: { sequenceNumber: 'TRIM_HORIZON', subSequenceNumber: 0 },
        leaseOwner: 'w2',
        leaseCounter: 7,
      },
    ]);
    expect(plan.unchanged.map((u) => [u.leaseKey, u.reason])).toEqual([
      ['shardId-3', 'already there'],
      ['shardId-4', 'finished shard with no record at or after the timestamp'],
    ]);
    expect(plan.heldLeases).toEqual([
      { leaseKey: 'shardId-2', leaseOwner: 'w2', detail: 'held by live worker w2' },
    ]);
  });

  it('rewrites a lease already at the target when a stale owner or a pending checkpoint must go', () => {
    const plan = planCheckpointReset(
      [
        lease('a', 'TRIM_HORIZON', { leaseOwner: 'dead' }),
        lease('b', 'TRIM_HORIZON', { pendingCheckpoint: { sequenceNumber: '9', subSequenceNumber: 0 } }),
      ],
      new Map([
        ['a', at('TRIM_HORIZON')],
        ['b', at('TRIM_HORIZON')],
      ]),
      new Map(),
    );
    expect(plan.changes.map((c) => c.leaseKey)).toEqual(['a', 'b']);
    expect(plan.heldLeases).toEqual([]);
  });

  it('describes targets for people', () => {
    expect(describeResetTarget('LATEST')).toBe('LATEST');
    expect(describeResetTarget({ timestamp: Date.UTC(2026, 0, 2, 3, 4, 5) })).toBe(
      'timestamp 2026-01-02T03:04:05.000Z',
    );
    expect(describeResetTarget({ atSequenceNumber: '77' })).toBe('at sequence number 77');
    expect(describeResetTarget({ afterSequenceNumber: '77', subSequenceNumber: 2 })).toBe(
      'after sequence number 77/2',
    );
  });
});
