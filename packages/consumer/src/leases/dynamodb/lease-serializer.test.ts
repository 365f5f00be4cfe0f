import { describe, expect, it } from 'vitest';
import type { Lease } from '../lease.js';
import { LEASE_ATTRIBUTES, leaseFromItem, leaseToItem } from './lease-serializer.js';

/** A row as the Java KCL 2.x writes it (attribute types from its DynamoDBLeaseSerializer). */
const javaRow = {
  leaseKey: { S: 'shardId-000000000003' },
  leaseOwner: { S: 'worker-a' },
  leaseCounter: { N: '18211' },
  checkpoint: { S: '49631577401484660731866404223772970925544731690085361266' },
  checkpointSubSequenceNumber: { N: '7' },
  ownerSwitchesSinceCheckpoint: { N: '2' },
  parentShardId: { SS: ['shardId-000000000001'] },
  startingHashKey: { S: '170141183460469231731687303715884105728' },
  endingHashKey: { S: '255211775190703847597530955573826158591' },
  throughputKBps: { N: '12.345678' },
};

describe('leaseFromItem', () => {
  it('reads every attribute of a row written by the Java KCL', () => {
    const { lease } = leaseFromItem(javaRow);
    expect(lease).toEqual({
      leaseKey: 'shardId-000000000003',
      leaseOwner: 'worker-a',
      leaseCounter: 18211,
      checkpoint: {
        sequenceNumber: '49631577401484660731866404223772970925544731690085361266',
        subSequenceNumber: 7,
      },
      pendingCheckpoint: undefined,
      pendingCheckpointState: undefined,
      ownerSwitchesSinceCheckpoint: 2,
      parentShardIds: ['shardId-000000000001'],
      childShardIds: [],
      hashKeyRange: {
        startingHashKey: '170141183460469231731687303715884105728',
        endingHashKey: '255211775190703847597530955573826158591',
      },
      checkpointOwner: undefined,
      throughputKBps: 12.345678,
    });
  });

  it('reads a pending checkpoint with its state, and ignores the KCL quirk of the state written as a number', () => {
    const state = new Uint8Array([1, 2, 3]);
    const withState = leaseFromItem({
      ...javaRow,
      pendingCheckpoint: { S: '49631577401484660731866404223772970925544731690085361300' },
      pendingCheckpointSubSequenceNumber: { N: '1' },
      pendingCheckpointState: { B: state },
    }).lease!;
    expect(withState.pendingCheckpoint).toEqual({
      sequenceNumber: '49631577401484660731866404223772970925544731690085361300',
      subSequenceNumber: 1,
    });
    expect(withState.pendingCheckpointState).toEqual(state);
    const quirk = leaseFromItem({ ...javaRow, pendingCheckpointState: { N: '7' } }).lease!;
    expect(quirk.pendingCheckpointState).toBeUndefined();
  });

  it('reads an unowned child lease created at SHARD_END with two parents', () => {
    const { lease } = leaseFromItem({
      leaseKey: { S: 'shardId-000000000007' },
      leaseCounter: { N: '0' },
      ownerSwitchesSinceCheckpoint: { N: '0' },
      checkpoint: { S: 'TRIM_HORIZON' },
      checkpointSubSequenceNumber: { N: '0' },
      parentShardId: { SS: ['shardId-000000000003', 'shardId-000000000004'] },
      entityType: { S: 'LEASE' },
    });
    expect(lease?.leaseOwner).toBeUndefined();
    expect(lease?.checkpoint).toEqual({ sequenceNumber: 'TRIM_HORIZON', subSequenceNumber: 0 });
    expect(lease?.parentShardIds).toEqual(['shardId-000000000003', 'shardId-000000000004']);
  });

  it('skips KCL 3.5 rows that are not leases and reads rows without entityType as leases', () => {
    for (const entityType of [
      'LEADER',
      'WORKER_METRIC_STATS',
      'STREAM',
      'CLIENT_VERSION_MIGRATION',
      'TABLE_MIGRATION',
    ]) {
      expect(leaseFromItem({ leaseKey: { S: 'Leader' }, entityType: { S: entityType } })).toMatchObject({
        skipped: 'not-a-lease',
      });
    }
    expect(leaseFromItem(javaRow).lease).toBeDefined();
    expect(leaseFromItem({ ...javaRow, entityType: { S: 'LEASE' } }).lease).toBeDefined();
  });

  it('skips rows without a key or a valid checkpoint', () => {
    expect(leaseFromItem({ leaseCounter: { N: '1' } })).toMatchObject({ skipped: 'malformed' });
    expect(leaseFromItem({ leaseKey: { S: 'x' } })).toMatchObject({ skipped: 'malformed' });
    expect(leaseFromItem({ leaseKey: { S: 'x' }, checkpoint: { S: 'not-a-number' } })).toMatchObject({
      skipped: 'malformed',
    });
  });

  it('keeps a 3.x checkpointOwner', () => {
    expect(leaseFromItem({ ...javaRow, checkpointOwner: { S: 'worker-b' } }).lease?.checkpointOwner).toBe(
      'worker-b',
    );
  });
});

describe('leaseToItem', () => {
  const lease: Lease = {
    leaseKey: 'shardId-000000000009',
    leaseCounter: 0,
    checkpoint: { sequenceNumber: 'LATEST', subSequenceNumber: 0 },
    ownerSwitchesSinceCheckpoint: 0,
    parentShardIds: [],
    childShardIds: [],
    hashKeyRange: { startingHashKey: '0', endingHashKey: '340282366920938463463374607431768211455' },
  };

  it('writes the KCL attribute names and types, with entityType LEASE', () => {
    expect(leaseToItem(lease)).toEqual({
      leaseKey: { S: 'shardId-000000000009' },
      leaseCounter: { N: '0' },
      ownerSwitchesSinceCheckpoint: { N: '0' },
      checkpoint: { S: 'LATEST' },
      checkpointSubSequenceNumber: { N: '0' },
      startingHashKey: { S: '0' },
      endingHashKey: { S: '340282366920938463463374607431768211455' },
      entityType: { S: 'LEASE' },
    });
  });

  it('never writes empty strings or empty sets, and writes parents as the string set parentShardId', () => {
    const item = leaseToItem({ ...lease, leaseOwner: '', parentShardIds: ['shardId-000000000001'] });
    expect(item[LEASE_ATTRIBUTES.leaseOwner]).toBeUndefined();
    expect(item[LEASE_ATTRIBUTES.childShardIds]).toBeUndefined();
    expect(item[LEASE_ATTRIBUTES.parentShardId]).toEqual({ SS: ['shardId-000000000001'] });
    for (const value of Object.values(item)) {
      if (value.S !== undefined) expect(value.S).not.toBe('');
      if (value.SS !== undefined) expect(value.SS.length).toBeGreaterThan(0);
    }
  });

  it('round-trips through leaseFromItem', () => {
    const full: Lease = {
      ...lease,
      leaseOwner: 'me',
      leaseCounter: 12,
      checkpoint: { sequenceNumber: '123456789012345678901234567890', subSequenceNumber: 4 },
      pendingCheckpoint: { sequenceNumber: '123456789012345678901234567899', subSequenceNumber: 0 },
      pendingCheckpointState: new Uint8Array([9]),
      ownerSwitchesSinceCheckpoint: 1,
      parentShardIds: ['a', 'b'],
      childShardIds: ['c'],
      checkpointOwner: 'other',
    };
    expect(leaseFromItem(leaseToItem(full)).lease).toEqual({ ...full, throughputKBps: undefined });
  });
});

/**
 * A multi-stream row exactly as the Java KCL's DynamoDBMultiStreamLeaseSerializer writes it: the
 * single-stream attributes, plus `streamName` (the serialized stream identifier) and `shardId`.
 */
const javaMultiStreamRow = {
  leaseKey: { S: '123456789012:orders:1700000000:shardId-000000000003' },
  leaseOwner: { S: 'worker-a' },
  leaseCounter: { N: '42' },
  checkpoint: { S: '49631577401484660731866404223772970925544731690085361266' },
  checkpointSubSequenceNumber: { N: '0' },
  ownerSwitchesSinceCheckpoint: { N: '0' },
  parentShardId: { SS: ['shardId-000000000001'] },
  startingHashKey: { S: '170141183460469231731687303715884105728' },
  endingHashKey: { S: '255211775190703847597530955573826158591' },
  streamName: { S: '123456789012:orders:1700000000' },
  shardId: { S: 'shardId-000000000003' },
  entityType: { S: 'LEASE' },
};

describe('multi-stream rows', () => {
  it('reads the stream identifier and shard id of a row written by the Java KCL in multi-stream mode', () => {
    const { lease } = leaseFromItem(javaMultiStreamRow);
    expect(lease?.leaseKey).toBe('123456789012:orders:1700000000:shardId-000000000003');
    expect(lease?.streamIdentifier).toBe('123456789012:orders:1700000000');
    expect(lease?.shardId).toBe('shardId-000000000003');
    expect(lease?.checkpoint.sequenceNumber).toBe('49631577401484660731866404223772970925544731690085361266');
    expect(lease?.parentShardIds).toEqual(['shardId-000000000001']);
  });

  it('writes a multi-stream lease back to exactly the row the Java KCL writes', () => {
    const { lease } = leaseFromItem(javaMultiStreamRow);
    expect(leaseToItem(lease!)).toEqual(javaMultiStreamRow);
  });

  it('writes no multi-stream attribute for a single-stream lease', () => {
    const item = leaseToItem(leaseFromItem(javaRow).lease!);
    expect(item[LEASE_ATTRIBUTES.streamName]).toBeUndefined();
    expect(item[LEASE_ATTRIBUTES.shardId]).toBeUndefined();
  });

  it('skips a row of another entity type even when it carries multi-stream attributes (KCL 3.5.1)', () => {
    expect(leaseFromItem({ ...javaMultiStreamRow, entityType: { S: 'WORKER_METRIC_STATS' } }).skipped).toBe(
      'not-a-lease',
    );
  });
});
