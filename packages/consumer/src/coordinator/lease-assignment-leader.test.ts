import { describe, expect, it } from 'vitest';
import type { LeaseMoveFunction } from '../leases/dynamodb/lease-mover.js';
import type { WorkerMetricsRow, WorkerMetricsStore } from '../leases/dynamodb/worker-metrics-table.js';
import type { Lease } from '../leases/lease.js';
import { LeaseAssignmentLeader } from './lease-assignment-leader.js';

function lease(
  leaseKey: string,
  leaseOwner: string | undefined,
  leaseCounter = 1,
  extra: Partial<Lease> = {},
): Lease {
  return {
    leaseKey,
    leaseOwner,
    leaseCounter,
    checkpoint: { sequenceNumber: 'TRIM_HORIZON', subSequenceNumber: 0 },
    ownerSwitchesSinceCheckpoint: 0,
    parentShardIds: [],
    childShardIds: [],
    ...extra,
  };
}

function setup(initial: Lease[], workers: string[]) {
  const rows = new Map(initial.map((l) => [l.leaseKey, l]));
  let now = 1_000_000;
  let failListing = false;
  let resigned = 0;
  const writes: string[] = [];
  const metrics: WorkerMetricsStore = {
    writeWorkerMetrics: async () => {},
    listWorkerMetrics: async (): Promise<WorkerMetricsRow[]> =>
      workers.map((workerId) => ({
        workerId,
        lastUpdateMs: now,
        stats: { C: [30] },
        operatingRange: { C: 100 },
      })),
  };
  const write =
    (kind: string): LeaseMoveFunction =>
    async (l, to) => {
      const row = rows.get(l.leaseKey);
      if (!row || row.leaseCounter !== l.leaseCounter) return undefined;
      const next = { ...row, leaseOwner: to, leaseCounter: row.leaseCounter + 1 };
      rows.set(l.leaseKey, next);
      writes.push(`${kind} ${l.leaseKey} -> ${to}`);
      return next;
    };
  const leader = new LeaseAssignmentLeader({
    listLeases: async () => {
      if (failListing) throw new Error('throttled');
      return [...rows.values()];
    },
    metrics,
    assignLease: write('assign'),
    moveLease: write('move'),
    failoverTimeMs: 10_000,
    maxLeasesForWorker: Number.MAX_SAFE_INTEGER,
    workerMetricsReportIntervalMs: 30_000,
    now: () => now,
    wallClock: () => now,
    random: () => 0.5,
    resign: async () => {
      resigned += 1;
    },
  });
  return {
    rows,
    leader,
    writes,
    advance: (ms: number) => (now += ms),
    failListing: (fail: boolean) => (failListing = fail),
    resigned: () => resigned,
  };
}

describe('LeaseAssignmentLeader', () => {
  it('assigns unowned leases at once, spread over the workers that report metrics', async () => {
    const t = setup(
      [lease('s0', undefined), lease('s1', undefined), lease('s2', undefined), lease('s3', undefined)],
      ['a', 'b'],
    );
    await t.leader.runRound();
    const owners = [...t.rows.values()].map((l) => l.leaseOwner);
    expect(owners.filter((o) => o === 'a')).toHaveLength(2);
    expect(owners.filter((o) => o === 'b')).toHaveLength(2);
  });

  it('reassigns the leases of a worker that stopped renewing once their counters stand still for the failover time', async () => {
    const t = setup([lease('s0', 'a', 5), lease('s1', 'gone', 9)], ['a', 'b']);
    await t.leader.runRound();
    expect(t.writes).toEqual([]);
    t.advance(10_001);
    t.rows.set('s0', { ...t.rows.get('s0')!, leaseCounter: 6 }); // a renews; gone does not
    await t.leader.runRound();
    expect(t.writes).toEqual(['assign s1 -> b']);
  });

  it('leaves a lease in a graceful handoff alone until it expires', async () => {
    const t = setup([lease('s0', 'b', 3, { checkpointOwner: 'a' })], ['a', 'b']);
    await t.leader.runRound();
    t.advance(5_000);
    t.rows.set('s0', { ...t.rows.get('s0')!, leaseCounter: 4 });
    await t.leader.runRound();
    expect(t.writes).toEqual([]);
  });

  it('resigns leadership after three failed rounds in a row', async () => {
    const t = setup([lease('s0', undefined)], ['a']);
    t.failListing(true);
    await t.leader.runRound();
    await t.leader.runRound();
    expect(t.resigned()).toBe(0);
    await t.leader.runRound();
    expect(t.resigned()).toBe(1);
  });
});
