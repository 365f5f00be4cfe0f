import { describe, expect, it } from 'vitest';
import { planShardSync, type ShardInfo } from './shard-sync-plan.js';

/**
 * The KCL's worked example (HierarchicalShardSyncer javadoc, docs/lease-lifecycle.md):
 * shards 0 1 2 3 4 5 → 6(0,1) 7(2,3) 4 5 → 8(6,7) 4 9(5) 10(5). Open: 8, 4, 9, 10.
 */
function shard(id: number, parents: number[] = [], open = true): ShardInfo {
  return {
    shardId: `shard-${id}`,
    parentShardId: parents[0] === undefined ? undefined : `shard-${parents[0]}`,
    adjacentParentShardId: parents[1] === undefined ? undefined : `shard-${parents[1]}`,
    startingHashKey: String(id * 10),
    endingHashKey: String(id * 10 + 9),
    startingSequenceNumber: String(1000 + id),
    endingSequenceNumber: open ? undefined : String(2000 + id),
  };
}

const example: ShardInfo[] = [
  shard(0, [], false),
  shard(1, [], false),
  shard(2, [], false),
  shard(3, [], false),
  shard(4),
  shard(5, [], false),
  shard(6, [0, 1], false),
  shard(7, [2, 3], false),
  shard(8, [6, 7]),
  shard(9, [5]),
  shard(10, [5]),
];

const keys = (...ids: number[]) => ids.map((id) => ({ leaseKey: `shard-${id}`, finished: false }));
const finished = (...ids: number[]) => ids.map((id) => ({ leaseKey: `shard-${id}`, finished: true }));
const created = (plan: ReturnType<typeof planShardSync>) =>
  plan.map((lease) => [lease.leaseKey, lease.checkpoint.sequenceNumber]);

describe('planShardSync', () => {
  it('with leases for 4, 5 and 7 and LATEST, creates shard 6 at TRIM_HORIZON (the KCL example)', () => {
    expect(created(planShardSync(example, keys(4, 5, 7), 'LATEST'))).toEqual([['shard-6', 'TRIM_HORIZON']]);
  });

  it('with leases for 4, 5 and 7 and TRIM_HORIZON, creates shards 0 and 1 (the KCL example)', () => {
    expect(created(planShardSync(example, keys(4, 5, 7), 'TRIM_HORIZON'))).toEqual([
      ['shard-0', 'TRIM_HORIZON'],
      ['shard-1', 'TRIM_HORIZON'],
    ]);
  });

  it('with leases for 4, 5 and 7 and a timestamp, creates shards 0 and 1 at AT_TIMESTAMP (the KCL example)', () => {
    expect(created(planShardSync(example, keys(4, 5, 7), { timestamp: 200 }))).toEqual([
      ['shard-0', 'AT_TIMESTAMP'],
      ['shard-1', 'AT_TIMESTAMP'],
    ]);
  });

  it('on an empty table with LATEST, creates a lease for each open shard only', () => {
    expect(created(planShardSync(example, keys(), 'LATEST'))).toEqual([
      ['shard-4', 'LATEST'],
      ['shard-8', 'LATEST'],
      ['shard-9', 'LATEST'],
      ['shard-10', 'LATEST'],
    ]);
  });

  it('on an empty table with TRIM_HORIZON, creates leases for the oldest ancestors so history is read in order', () => {
    expect(created(planShardSync(example, keys(), 'TRIM_HORIZON'))).toEqual([
      ['shard-0', 'TRIM_HORIZON'],
      ['shard-1', 'TRIM_HORIZON'],
      ['shard-2', 'TRIM_HORIZON'],
      ['shard-3', 'TRIM_HORIZON'],
      ['shard-4', 'TRIM_HORIZON'],
      ['shard-5', 'TRIM_HORIZON'],
    ]);
  });

  it('leaves the children of a leased shard to its SHARD_END, whatever the initial position', () => {
    const shards = [shard(0, [], false), shard(1, [0]), shard(2, [0])];
    expect(planShardSync(shards, keys(0), 'LATEST')).toEqual([]);
    expect(planShardSync(shards, keys(0), 'TRIM_HORIZON')).toEqual([]);
  });

  it('creates the missing children of finished parents at TRIM_HORIZON, whatever the initial position', () => {
    const shards = [shard(0, [], false), shard(1, [], false), shard(2, [0, 1]), shard(3)];
    expect(created(planShardSync(shards, [...finished(0, 1), ...keys(3)], 'LATEST'))).toEqual([
      ['shard-2', 'TRIM_HORIZON'],
    ]);
  });

  it('creates nothing when every open shard has a lease', () => {
    expect(planShardSync(example, keys(4, 8, 9, 10), 'TRIM_HORIZON')).toEqual([]);
  });

  it('records parents and hash ranges on new leases, with no owner and a zero counter', () => {
    const [lease] = planShardSync(example, [...finished(0, 1), ...keys(2, 3, 4, 5, 7)], 'LATEST');
    expect(lease).toMatchObject({
      leaseKey: 'shard-6',
      leaseCounter: 0,
      parentShardIds: ['shard-0', 'shard-1'],
      hashKeyRange: { startingHashKey: '60', endingHashKey: '69' },
    });
    expect(lease?.leaseOwner).toBeUndefined();
  });
});
