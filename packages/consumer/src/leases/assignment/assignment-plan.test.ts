import { describe, expect, it } from 'vitest';
import {
  type AssignmentLease,
  type AssignmentPlanInput,
  cpuCostPerKBps,
  pickLeasesToShed,
  planLeaseAssignment,
} from './assignment-plan.js';

const lease = (
  leaseKey: string,
  owner: string | undefined,
  throughputKBps = 0,
  assignable = owner === undefined,
): AssignmentLease => ({
  leaseKey,
  owner,
  assignable,
  throughputKBps,
});

function input(over: Partial<AssignmentPlanInput>): AssignmentPlanInput {
  return {
    workers: [],
    leases: [],
    maxLeasesForWorker: Number.MAX_SAFE_INTEGER,
    rebalanceThresholdPercent: 10,
    dampeningPercent: 60,
    allowThroughputOvershoot: true,
    rebalance: true,
    round: 3,
    recentMoves: new Map(),
    moveCooldownRounds: 10,
    random: () => 0.5,
    ...over,
  };
}

const settled = (workerId: string, cpuPercent?: number) => ({ workerId, cpuPercent, settled: true });

describe('planLeaseAssignment', () => {
  it('spreads new leases of unknown throughput evenly over idle workers', () => {
    const plan = planLeaseAssignment(
      input({
        workers: [settled('a', 20), settled('b', 20.4), settled('c', 19.8)],
        leases: ['s0', 's1', 's2', 's3', 's4', 's5'].map((k) => lease(k, undefined)),
        rebalance: false,
      }),
    );
    const counts = new Map<string, number>();
    for (const a of plan.assignments) counts.set(a.to, (counts.get(a.to) ?? 0) + 1);
    expect([...counts.values()]).toEqual([2, 2, 2]);
    expect(plan.assignments.every((a) => a.reason === 'unassigned' && a.from === undefined)).toBe(true);
  });

  it('gives expired leases to the least loaded worker, busiest lease first, and reports their old owner', () => {
    const plan = planLeaseAssignment(
      input({
        workers: [settled('a'), settled('b')],
        leases: [lease('s0', 'a', 100), lease('s1', 'gone', 500, true), lease('s2', 'gone', 50, true)],
        rebalance: false,
      }),
    );
    expect(plan.metric).toBe('throughput');
    expect(plan.assignments).toEqual([
      { leaseKey: 's1', from: 'gone', to: 'b', reason: 'unassigned' },
      { leaseKey: 's2', from: 'gone', to: 'a', reason: 'unassigned' },
    ]);
  });

  it('respects maxLeasesForWorker and leaves the rest unassigned', () => {
    const plan = planLeaseAssignment(
      input({
        workers: [settled('a'), settled('b')],
        leases: ['s0', 's1', 's2', 's3', 's4'].map((k) => lease(k, undefined)),
        maxLeasesForWorker: 2,
        rebalance: false,
      }),
    );
    expect(plan.assignments).toHaveLength(4);
  });

  it('moves a hot lease off a worker holding two when the move lowers the imbalance', () => {
    const plan = planLeaseAssignment(
      input({
        workers: [settled('a', 62), settled('b', 25.4), settled('c', 25.4), settled('d', 25.4)],
        leases: [
          lease('hot0', 'a', 1000),
          lease('hot1', 'a', 1000),
          lease('c0', 'b', 83),
          lease('c1', 'b', 83),
          lease('c2', 'c', 83),
          lease('c3', 'c', 83),
          lease('c4', 'd', 83),
          lease('c5', 'd', 83),
        ],
      }),
    );
    expect(plan.metric).toBe('cpu');
    expect(plan.assignments).toHaveLength(1);
    expect(plan.assignments[0]).toMatchObject({ from: 'a', reason: 'rebalance' });
    expect(['hot0', 'hot1']).toContain(plan.assignments[0]?.leaseKey);
  });

  it('does not make a move that only swaps which worker is above (hysteresis margin)', () => {
    // Throughput only: a = 110, b = 122, mean 116. Moving b's 10 KB/s lease makes a 120 and b 112,
    // which would invite the move back; the margin (5 % of the mean) refuses it.
    const plan = planLeaseAssignment(
      input({
        workers: [settled('a'), settled('b')],
        leases: [
          lease('a0', 'a', 100),
          lease('a1', 'a', 10),
          lease('b0', 'b', 100),
          lease('b1', 'b', 10),
          lease('b2', 'b', 12),
        ],
        rebalanceThresholdPercent: 5,
      }),
    );
    expect(plan.metric).toBe('throughput');
    expect(plan.assignments).toEqual([]);
  });

  it('never moves a lease within its cooldown, nor back to the worker it left', () => {
    const workers = [settled('a', 62), settled('b', 25), settled('c', 26)];
    const leases = [
      lease('hot0', 'a', 1000),
      lease('hot1', 'a', 1000),
      lease('c0', 'b', 80),
      lease('c1', 'c', 80),
    ];
    const cooled = planLeaseAssignment(
      input({
        workers,
        leases,
        round: 5,
        recentMoves: new Map([
          ['hot0', { from: 'b', round: 1 }],
          ['hot1', { from: 'b', round: 1 }],
        ]),
      }),
    );
    expect(cooled.assignments).toEqual([]);
    const later = planLeaseAssignment(
      input({
        workers,
        leases,
        round: 11,
        recentMoves: new Map([
          ['hot0', { from: 'b', round: 1 }],
          ['hot1', { from: 'b', round: 1 }],
        ]),
      }),
    );
    expect(later.assignments).toHaveLength(1);
    expect(later.assignments[0]?.to).toBe('c');
  });

  it('leaves unsettled workers out of rebalancing (their load is not known yet)', () => {
    const plan = planLeaseAssignment(
      input({
        workers: [{ workerId: 'a', cpuPercent: 62, settled: false }, settled('b', 25), settled('c', 25)],
        leases: [
          lease('hot0', 'a', 1000),
          lease('hot1', 'a', 1000),
          lease('c0', 'b', 80),
          lease('c1', 'c', 80),
        ],
      }),
    );
    expect(plan.assignments).toEqual([]);
  });

  it('only assigns when the round does not rebalance', () => {
    const plan = planLeaseAssignment(
      input({
        workers: [settled('a', 62), settled('b', 25)],
        leases: [lease('hot0', 'a', 1000), lease('hot1', 'a', 1000)],
        rebalance: false,
      }),
    );
    expect(plan.assignments).toEqual([]);
  });
});

describe('cpuCostPerKBps', () => {
  it('is the slope of CPU over throughput, so the fixed cost of a process is not counted as movable', () => {
    // CPU = 20 + 0.02 × KB/s on every worker.
    const cost = cpuCostPerKBps([
      { load: 20 + 0.02 * 2000, throughputKBps: 2000 },
      { load: 20 + 0.02 * 166, throughputKBps: 166 },
      { load: 20 + 0.02 * 166, throughputKBps: 166 },
    ]);
    expect(cost).toBeCloseTo(0.02);
  });

  it('is 0 without throughput and the plain ratio when throughputs do not differ', () => {
    expect(cpuCostPerKBps([{ load: 30, throughputKBps: 0 }])).toBe(0);
    expect(
      cpuCostPerKBps([
        { load: 30, throughputKBps: 100 },
        { load: 20, throughputKBps: 100 },
      ]),
    ).toBe(0.25);
  });
});

describe('pickLeasesToShed', () => {
  const leases = [lease('a', 'w', 100), lease('b', 'w', 50), lease('c', 'w', 10)];
  it('picks leases that sum to less than the amount', () => {
    const picked = pickLeasesToShed(leases, 70, true, () => 0);
    expect(picked.reduce((s, l) => s + l.throughputKBps, 0)).toBeLessThan(70);
    expect(picked.length).toBeGreaterThan(0);
  });

  it('overshoots with the smallest lease when none fits, only if allowed', () => {
    expect(pickLeasesToShed(leases, 5, true, () => 0).map((l) => l.leaseKey)).toEqual(['c']);
    expect(pickLeasesToShed(leases, 5, false, () => 0)).toEqual([]);
  });

  it('moves one lease of a worker whose leases have no measured throughput', () => {
    expect(pickLeasesToShed([lease('x', 'w'), lease('y', 'w')], 10, true, () => 0)).toHaveLength(1);
  });
});
