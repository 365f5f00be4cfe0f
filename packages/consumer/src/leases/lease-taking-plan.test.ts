import { describe, expect, it } from 'vitest';
import type { Lease } from './lease.js';
import { type ObservedLease, planLeaseTaking } from './lease-taking-plan.js';

function lease(key: string, owner?: string): Lease {
  return {
    leaseKey: key,
    leaseOwner: owner,
    leaseCounter: 1,
    checkpoint: { sequenceNumber: 'TRIM_HORIZON', subSequenceNumber: 0 },
    ownerSwitchesSinceCheckpoint: 0,
    parentShardIds: [],
    childShardIds: [],
  };
}

function live(key: string, owner: string): ObservedLease {
  return { lease: lease(key, owner), expired: false, veryOld: false };
}

function expired(key: string, owner?: string, veryOld = false): ObservedLease {
  return { lease: lease(key, owner), expired: true, veryOld };
}

/** Leases `shard-0..n-1`, the i-th owned by owners[i]. */
function owned(owners: string[]): ObservedLease[] {
  return owners.map((owner, i) => live(`shard-${i}`, owner));
}

const first = () => 0;

const base = {
  workerId: 'me',
  maxLeasesForWorker: Number.POSITIVE_INFINITY,
  maxLeasesToStealAtOneTime: 1,
  enablePriorityLeaseAssignment: true,
  random: first,
};

describe('planLeaseTaking', () => {
  it('aims at ceil(leases / workers) per worker, counting this worker even when it holds nothing', () => {
    const plan = planLeaseTaking({
      ...base,
      leases: owned(['a', 'a', 'a', 'b', 'b', 'b', 'b', 'b', 'b', 'b']),
    });
    expect(plan.workerCount).toBe(3);
    expect(plan.target).toBe(4);
    expect(plan.needed).toBe(4);
  });

  it('aims at one lease each when there are at least as many workers as leases', () => {
    const plan = planLeaseTaking({ ...base, leases: [live('s0', 'a'), live('s1', 'b'), expired('s2')] });
    expect(plan.target).toBe(1);
  });

  it('takes expired leases up to the target and no more', () => {
    const leases = [
      ...owned(['a', 'a', 'a']),
      expired('x1', 'dead'),
      expired('x2', 'dead'),
      expired('x3', 'dead'),
    ];
    const plan = planLeaseTaking({ ...base, leases });
    // 6 leases, workers {me, a}: target 3; nothing very old, so expired leases only up to the target.
    expect(plan.target).toBe(3);
    expect(plan.toTake.map((l) => l.leaseKey).sort()).toEqual(['x1', 'x2', 'x3']);
    const smaller = planLeaseTaking({
      ...base,
      leases: [...owned(['a', 'a', 'a', 'a']), expired('x1'), expired('x2')],
    });
    // 6 leases, workers {me, a}: target 3, a holds 4: take 2 expired (not a steal).
    expect(smaller.toTake).toHaveLength(2);
    expect(smaller.toSteal).toHaveLength(0);
  });

  it('takes very old leases first, ignoring the target, up to maxLeasesForWorker', () => {
    const leases = [
      live('s0', 'a'),
      ...['n1', 'n2', 'n3', 'n4', 'n5'].map((k) => expired(k, undefined, true)),
    ];
    const plan = planLeaseTaking({ ...base, leases });
    expect(plan.target).toBe(3);
    expect(plan.toTake).toHaveLength(5);
    const capped = planLeaseTaking({ ...base, maxLeasesForWorker: 2, leases });
    expect(capped.toTake).toHaveLength(2);
  });

  it('does not take very old leases first when priority assignment is disabled', () => {
    const leases = [
      live('s0', 'a'),
      ...['n1', 'n2', 'n3', 'n4', 'n5'].map((k) => expired(k, undefined, true)),
    ];
    const plan = planLeaseTaking({ ...base, enablePriorityLeaseAssignment: false, leases });
    expect(plan.toTake).toHaveLength(3);
  });

  it('steals one lease from the most loaded worker when nothing is expired', () => {
    const plan = planLeaseTaking({
      ...base,
      leases: owned(['a', 'a', 'a', 'a', 'a', 'b', 'b', 'b', 'b', 'b']),
    });
    // workers {me, a, b}: target ceil(10/3) = 4; a and b hold 5 each.
    expect(plan.target).toBe(4);
    expect(plan.toTake).toHaveLength(0);
    expect(plan.toSteal).toHaveLength(1);
    expect(['a', 'b']).toContain(plan.toSteal[0]!.leaseOwner);
  });

  it('steals from the most loaded worker, never from a lighter one', () => {
    const plan = planLeaseTaking({ ...base, leases: owned(['a', 'a', 'a', 'a', 'a', 'a', 'b', 'b', 'b']) });
    expect(plan.toSteal.map((l) => l.leaseOwner)).toEqual(['a']);
  });

  it('steals up to maxLeasesToStealAtOneTime and never more than the most loaded worker is above target', () => {
    const leases = owned(['a', 'a', 'a', 'a', 'a', 'a', 'a', 'a', 'a', 'a']);
    // workers {me, a}: target 5, a is 5 above target, I need 5.
    expect(planLeaseTaking({ ...base, maxLeasesToStealAtOneTime: 3, leases }).toSteal).toHaveLength(3);
    expect(planLeaseTaking({ ...base, maxLeasesToStealAtOneTime: 10, leases }).toSteal).toHaveLength(5);
    expect(planLeaseTaking({ ...base, maxLeasesToStealAtOneTime: 0, leases }).toSteal).toHaveLength(0);
  });

  it('steals one lease from a worker exactly at target only when this worker needs more than one', () => {
    // 10 leases, workers {me, a, b}: target 4. a 4, b 4, me 2 → need 2, most loaded is at target: steal 1.
    const needTwo = owned(['a', 'a', 'a', 'a', 'b', 'b', 'b', 'b', 'me', 'me']);
    expect(planLeaseTaking({ ...base, leases: needTwo }).toSteal).toHaveLength(1);
    // a 4, b 3, me 3 → need 1, most loaded at target: stable, nothing stolen (no thrash).
    const needOne = owned(['a', 'a', 'a', 'a', 'b', 'b', 'b', 'me', 'me', 'me']);
    const plan = planLeaseTaking({ ...base, leases: needOne });
    expect(plan.needed).toBe(1);
    expect(plan.toSteal).toHaveLength(0);
  });

  it('takes nothing once this worker holds its share', () => {
    const plan = planLeaseTaking({ ...base, leases: owned(['me', 'me', 'a', 'a', 'b', 'b']) });
    expect(plan).toMatchObject({ target: 2, needed: 0, toTake: [], toSteal: [] });
  });

  it('respects maxLeasesForWorker and reports the spillover', () => {
    const plan = planLeaseTaking({
      ...base,
      maxLeasesForWorker: 2,
      leases: owned(['a', 'a', 'a', 'a', 'a', 'a']),
    });
    // workers {me, a}: 6 leases, ceil = 3 > 2 → target 2, spillover 6 − 2×2 = 2.
    expect(plan.target).toBe(2);
    expect(plan.spillover).toBe(2);
    expect(plan.toSteal).toHaveLength(1);
  });

  it('does not count expired leases towards their owner when choosing whom to steal from', () => {
    const leases = [
      live('s0', 'a'),
      live('s1', 'a'),
      expired('s2', 'b'),
      expired('s3', 'b'),
      expired('s4', 'b'),
    ];
    const plan = planLeaseTaking({ ...base, leases });
    expect(plan.workerCount).toBe(2);
    expect(plan.toTake.every((l) => l.leaseOwner === 'b')).toBe(true);
    expect(plan.toSteal).toHaveLength(0);
  });

  it('takes back its own expired leases first and takes no unowned lease beyond maxLeasesForWorker', () => {
    // The worker gave its 3 leases up locally (renewals failed for 2 × the failover time): the rows
    // still name it and are expired; 2 spillover leases are unowned and very old.
    const leases = [
      expired('own-1', 'me'),
      expired('own-2', 'me'),
      expired('own-3', 'me'),
      expired('n1', undefined, true),
      expired('n2', undefined, true),
    ];
    const plan = planLeaseTaking({ ...base, maxLeasesForWorker: 3, held: [], leases });
    expect(plan.toReclaim.map((l) => l.leaseKey)).toEqual(['own-1', 'own-2', 'own-3']);
    expect(plan.toTake).toEqual([]);
    expect(plan.toSteal).toEqual([]);
  });

  it('counts held, taken back, taken and stolen leases against one maxLeasesForWorker', () => {
    // Every mix of held leases, own rows not held (expired or not), unowned (very old or not) and
    // other workers' live leases: held + taken back + taken + stolen never exceeds the cap.
    for (let max = 1; max <= 4; max++) {
      for (let heldCount = 0; heldCount <= max; heldCount++) {
        for (let own = 0; own <= 4; own++) {
          for (let unowned = 0; unowned <= 4; unowned++) {
            for (const ownExpired of [false, true]) {
              for (const veryOld of [false, true]) {
                for (const others of [0, 3, 8]) {
                  const leases: ObservedLease[] = [
                    ...Array.from({ length: heldCount }, (_, i) => live(`held-${i}`, 'me')),
                    ...Array.from({ length: own }, (_, i) =>
                      ownExpired ? expired(`own-${i}`, 'me', veryOld) : live(`own-${i}`, 'me'),
                    ),
                    ...Array.from({ length: unowned }, (_, i) => expired(`n-${i}`, undefined, veryOld)),
                    ...Array.from({ length: others }, (_, i) => live(`o-${i}`, i % 2 ? 'a' : 'b')),
                  ];
                  const held = Array.from({ length: heldCount }, (_, i) => ({
                    leaseKey: `held-${i}`,
                    acquiredAtMs: i,
                  }));
                  const plan = planLeaseTaking({
                    ...base,
                    maxLeasesToStealAtOneTime: 5,
                    maxLeasesForWorker: max,
                    held,
                    leases,
                  });
                  const total = heldCount + plan.toReclaim.length + plan.toTake.length + plan.toSteal.length;
                  expect(total).toBeLessThanOrEqual(max);
                  expect(plan.toShed).toEqual([]);
                  const planned = [...plan.toReclaim, ...plan.toTake, ...plan.toSteal].map((l) => l.leaseKey);
                  expect(planned.some((key) => key.startsWith('held-'))).toBe(false);
                  // Own rows are taken back before anything else is taken.
                  if (plan.toTake.length + plan.toSteal.length > 0) expect(plan.toReclaim).toHaveLength(own);
                }
              }
            }
          }
        }
      }
    }
  });

  it('sheds the most recently taken leases when this worker holds more than maxLeasesForWorker, and takes nothing', () => {
    const leases = [
      ...owned(['me', 'me', 'me', 'me', 'me']),
      expired('n1', undefined, true),
      expired('mine-not-held', 'me'),
    ];
    const held = [0, 1, 2, 3, 4].map((i) => ({
      leaseKey: `shard-${i}`,
      acquiredAtMs: [50, 10, 40, 20, 30][i]!,
    }));
    const plan = planLeaseTaking({ ...base, maxLeasesForWorker: 3, held, leases });
    // Taken at 50 (shard-0) and 40 (shard-2) are the most recent.
    expect(plan.toShed).toEqual(['shard-0', 'shard-2']);
    expect(plan).toMatchObject({ toReclaim: [], toTake: [], toSteal: [], heldCount: 5 });
    expect(planLeaseTaking({ ...base, maxLeasesForWorker: 5, held, leases }).toShed).toEqual([]);
  });

  it('takes back its own rows up to maxLeasesForWorker after a restart (nothing held yet)', () => {
    const leases = owned(['me', 'me', 'me', 'me', 'me']);
    const plan = planLeaseTaking({ ...base, maxLeasesForWorker: 3, held: [], leases });
    expect(plan.toReclaim).toHaveLength(3);
    expect(plan.toTake).toHaveLength(0);
  });

  it('settles 10 leases over 5 workers at exactly 2 each when every worker plans in turn', () => {
    // Simulates rounds of taking on a shared table: each worker plans against the current owners.
    const owners = new Map<string, string | undefined>(
      Array.from({ length: 10 }, (_, i) => [`shard-${i}`, undefined]),
    );
    const workers = ['w1', 'w2', 'w3', 'w4', 'w5'];
    let seed = 7;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const seen = new Set<string>();
    for (let round = 0; round < 30; round++) {
      for (const workerId of workers) {
        const leases: ObservedLease[] = [...owners].map(([key, owner]) => ({
          lease: lease(key, owner),
          expired: owner === undefined,
          veryOld: owner === undefined && !seen.has(key),
        }));
        const plan = planLeaseTaking({ ...base, workerId, random, leases });
        for (const l of [...plan.toTake, ...plan.toSteal]) {
          owners.set(l.leaseKey, workerId);
          seen.add(l.leaseKey);
        }
      }
    }
    const counts = workers.map((w) => [...owners.values()].filter((o) => o === w).length);
    expect(counts).toEqual([2, 2, 2, 2, 2]);
  });
});
