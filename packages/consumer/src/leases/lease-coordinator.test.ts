import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { awsError, InMemoryLeaseStore } from '../../test/in-memory-lease-store.js';
import { LeaseCoordinator } from './lease-coordinator.js';

const F = 10_000;

function worker(
  store: InMemoryLeaseStore,
  workerId: string,
  seed: number,
  log: string[] = [],
  maxLeasesForWorker = Number.POSITIVE_INFINITY,
) {
  let state = seed;
  const coordinator = new LeaseCoordinator({
    store,
    workerId,
    failoverTimeMs: F,
    renewalIntervalMs: F / 3 - 25,
    takerIntervalMs: F / 2,
    maxLeasesForWorker,
    maxLeasesToStealAtOneTime: 1,
    enablePriorityLeaseAssignment: true,
    now: () => Date.now(),
    random: () => {
      state = (state * 1103515245 + 12345) % 2 ** 31;
      return state / 2 ** 31;
    },
    onLeaseTaken: ({ lease, stolen }) =>
      log.push(`${workerId} took ${lease.leaseKey}${stolen ? ' (stolen)' : ''}`),
    onLeaseLost: (lease, reason) => log.push(`${workerId} lost ${lease.leaseKey}: ${reason}`),
  });
  coordinator.startRenewing();
  coordinator.startTaking();
  return coordinator;
}

function owners(store: InMemoryLeaseStore): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const lease of store.rows.values()) {
    if (lease.leaseOwner) counts[lease.leaseOwner] = (counts[lease.leaseOwner] ?? 0) + 1;
  }
  return counts;
}

function leases(store: InMemoryLeaseStore, count: number): void {
  for (let i = 0; i < count; i++) store.put({ leaseKey: `shardId-${String(i).padStart(12, '0')}` });
}

const running: LeaseCoordinator[] = [];

beforeEach(() => {
  vi.useFakeTimers();
});

afterEach(async () => {
  for (const c of running.splice(0)) {
    await c.stopTaking();
    await c.stopRenewing();
  }
  vi.useRealTimers();
});

describe('LeaseCoordinator (several workers on one table)', () => {
  it('settles 10 leases over 5 workers at exactly 2 each, every lease with one owner', async () => {
    const store = new InMemoryLeaseStore();
    leases(store, 10);
    const workers = ['w1', 'w2', 'w3', 'w4', 'w5'].map((id, i) => worker(store, id, i + 1));
    running.push(...workers);
    await Promise.all(workers.map((w) => w.runTaker()));
    await vi.advanceTimersByTimeAsync(20 * F);
    expect(Object.values(owners(store)).sort()).toEqual([2, 2, 2, 2, 2]);
    const held = workers.flatMap((w) => w.renewer.heldLeases().map((l) => l.leaseKey));
    expect(new Set(held).size).toBe(10);
    expect(held).toHaveLength(10);
  });

  it('rebalances when workers join: 5/5 becomes 2 each with three new workers', async () => {
    const store = new InMemoryLeaseStore();
    leases(store, 10);
    const first = [worker(store, 'a', 11), worker(store, 'b', 12)];
    running.push(...first);
    await vi.advanceTimersByTimeAsync(10 * F);
    expect(owners(store)).toEqual({ a: 5, b: 5 });
    const joiners = ['c', 'd', 'e'].map((id, i) => worker(store, id, 20 + i));
    running.push(...joiners);
    await vi.advanceTimersByTimeAsync(20 * F);
    expect(owners(store)).toEqual({ a: 2, b: 2, c: 2, d: 2, e: 2 });
  });

  it("takes over a dead worker's leases within 2 × the failover time of its last renewal", async () => {
    const store = new InMemoryLeaseStore();
    leases(store, 10);
    const a = worker(store, 'a', 1);
    const b = worker(store, 'b', 2);
    running.push(a, b);
    await vi.advanceTimersByTimeAsync(10 * F);
    expect(owners(store)).toEqual({ a: 5, b: 5 });
    // a dies: its timers stop, nothing is released.
    await a.stopTaking();
    await a.stopRenewing();
    const diedAt = Date.now();
    let takenOverAt: number | undefined;
    for (let t = 0; t < 3 * F && takenOverAt === undefined; t += 100) {
      await vi.advanceTimersByTimeAsync(100);
      if (owners(store).b === 10) takenOverAt = Date.now();
    }
    expect(takenOverAt).toBeDefined();
    expect(takenOverAt! - diedAt).toBeGreaterThan(F);
    expect(takenOverAt! - diedAt).toBeLessThanOrEqual(2 * F);
  });

  it('lets another worker take a released lease at its next taker run', async () => {
    const store = new InMemoryLeaseStore();
    leases(store, 4);
    const a = worker(store, 'a', 1);
    const b = worker(store, 'b', 2);
    running.push(a, b);
    await vi.advanceTimersByTimeAsync(10 * F);
    expect(owners(store)).toEqual({ a: 2, b: 2 });
    await a.stopTaking();
    const releasedAt = Date.now();
    for (const lease of a.renewer.heldLeases()) await a.renewer.release(lease.leaseKey);
    await a.stopRenewing();
    let takenAt: number | undefined;
    for (let t = 0; t < 2 * F && takenAt === undefined; t += 100) {
      await vi.advanceTimersByTimeAsync(100);
      if (owners(store).b === 4) takenAt = Date.now();
    }
    expect(takenAt! - releasedAt).toBeLessThanOrEqual(F / 2 + 100);
  });

  it('never takes finished (SHARD_END) leases and does not count them in the fair share', async () => {
    const store = new InMemoryLeaseStore();
    leases(store, 4);
    for (let i = 0; i < 4; i++) {
      store.put({
        leaseKey: `finished-${i}`,
        checkpoint: { sequenceNumber: 'SHARD_END', subSequenceNumber: 0 },
      });
    }
    const a = worker(store, 'a', 1);
    const b = worker(store, 'b', 2);
    running.push(a, b);
    await vi.advanceTimersByTimeAsync(10 * F);
    expect(owners(store)).toEqual({ a: 2, b: 2 });
    expect(a.tableView()).toMatchObject({ totalLeases: 4, finishedLeases: 4 });
  });

  it('takes back its own leases after a restart, but never more than maxLeasesForWorker', async () => {
    const store = new InMemoryLeaseStore();
    for (let i = 0; i < 5; i++) store.put({ leaseKey: `shardId-${i}`, leaseOwner: 'w1', leaseCounter: 7 });
    const restarted = worker(store, 'w1', 1, [], 3);
    running.push(restarted);
    await restarted.runTaker();
    expect(restarted.renewer.heldLeases()).toHaveLength(3);
  });

  it('never holds more than maxLeasesForWorker after its renewals fail for 2 × the failover time while unowned leases wait', async () => {
    const store = new InMemoryLeaseStore();
    leases(store, 5);
    const log: string[] = [];
    const w1 = worker(store, 'w1', 1, log, 3);
    running.push(w1);
    await w1.runTaker();
    expect(w1.renewer.heldLeases()).toHaveLength(3);
    // DynamoDB throttles every renewal for 2 × the failover time: w1 loses its leases locally while
    // its rows still name it, and the 2 spillover leases are still unowned (very old) when it retries.
    let throttled = true;
    store.beforeOperation = (operation) => {
      if (throttled && operation === 'renew') throw awsError('ProvisionedThroughputExceededException');
    };
    let mostHeld = 0;
    let mostOwned = 0;
    const sample = () => {
      mostHeld = Math.max(mostHeld, w1.renewer.heldLeases().length);
      mostOwned = Math.max(mostOwned, owners(store).w1 ?? 0);
    };
    for (let t = 0; t < 2 * F; t += 100) {
      await vi.advanceTimersByTimeAsync(100);
      sample();
    }
    throttled = false;
    for (let t = 0; t < 6 * F; t += 100) {
      await vi.advanceTimersByTimeAsync(100);
      sample();
    }
    expect(log.filter((line) => line.endsWith(': expired')).length).toBeGreaterThanOrEqual(3);
    expect(mostHeld).toBeLessThanOrEqual(3);
    expect(mostOwned).toBeLessThanOrEqual(3);
    expect(w1.renewer.heldLeases()).toHaveLength(3);
    expect(owners(store)).toEqual({ w1: 3 });
  });

  it('never holds more than maxLeasesForWorker after an event loop blocked for 2 × the failover time', async () => {
    const store = new InMemoryLeaseStore();
    leases(store, 5);
    const log: string[] = [];
    const w1 = worker(store, 'w1', 1, log, 3);
    running.push(w1);
    await w1.runTaker();
    expect(w1.renewer.heldLeases()).toHaveLength(3);
    // The clock jumps 2 × the failover time with no timer run in between (a blocked event loop).
    vi.setSystemTime(Date.now() + 2 * F);
    let mostHeld = 0;
    for (let t = 0; t < 6 * F; t += 100) {
      await vi.advanceTimersByTimeAsync(100);
      mostHeld = Math.max(mostHeld, w1.renewer.heldLeases().length);
    }
    expect(log.filter((line) => line.endsWith(': expired'))).toHaveLength(3);
    expect(mostHeld).toBeLessThanOrEqual(3);
    expect(owners(store)).toEqual({ w1: 3 });
  });

  it('releases the leases it holds over maxLeasesForWorker, the most recently taken first, for other workers to take', async () => {
    const store = new InMemoryLeaseStore();
    leases(store, 5);
    const log: string[] = [];
    const w1 = worker(store, 'w1', 1, log, 3);
    running.push(w1);
    await w1.runTaker();
    const first = w1.renewer
      .heldLeases()
      .map((l) => l.leaseKey)
      .sort();
    expect(first).toHaveLength(3);
    // However it happened (a race, a bug), w1 now holds the other two leases as well.
    await vi.advanceTimersByTimeAsync(1_000);
    for (const row of [...store.rows.values()].filter((l) => l.leaseOwner === undefined)) {
      const taken = await store.takeLease(row, 'w1');
      w1.renewer.add(taken!, Date.now());
    }
    expect(w1.renewer.heldLeases()).toHaveLength(5);
    await w1.runTaker();
    expect(
      w1.renewer
        .heldLeases()
        .map((l) => l.leaseKey)
        .sort(),
    ).toEqual(first);
    expect(log.filter((line) => line.endsWith(': over-max-leases'))).toHaveLength(2);
    expect(owners(store)).toEqual({ w1: 3 });
    // Another worker takes the released leases at once; w1 never takes them back.
    const w2 = worker(store, 'w2', 2, log);
    running.push(w2);
    await w2.runTaker();
    await vi.advanceTimersByTimeAsync(10 * F);
    expect(owners(store)).toEqual({ w1: 3, w2: 2 });
  });

  it('leaves multi-stream leases alone', async () => {
    const store = new InMemoryLeaseStore();
    leases(store, 2);
    store.put({ leaseKey: '123456789012:other-stream:1700000000:shardId-000000000000' });
    const a = worker(store, 'a', 1);
    running.push(a);
    await a.runTaker();
    expect(a.renewer.heldLeases().map((l) => l.leaseKey)).toHaveLength(2);
    expect(
      store.rows.get('123456789012:other-stream:1700000000:shardId-000000000000')?.leaseOwner,
    ).toBeUndefined();
  });

  it('keeps renewing while the lease table is slow to scan (renewal is never blocked by the taker)', async () => {
    const store = new InMemoryLeaseStore();
    leases(store, 2);
    const log: string[] = [];
    const a = worker(store, 'a', 1, log);
    running.push(a);
    await a.runTaker();
    store.beforeOperation = (operation) =>
      operation === 'list' ? new Promise((resolve) => setTimeout(resolve, 3 * F)) : undefined;
    await vi.advanceTimersByTimeAsync(4 * F);
    expect(log.filter((line) => line.includes('lost'))).toEqual([]);
    expect(store.count('renew')).toBeGreaterThanOrEqual(2 * 10);
    store.beforeOperation = undefined;
    await vi.advanceTimersByTimeAsync(3 * F);
  });

  it('runTakerSoon() takes leases created while a scan was running, without waiting for the next interval', async () => {
    const store = new InMemoryLeaseStore();
    leases(store, 1);
    const log: string[] = [];
    const c = worker(store, 'w1', 7, log);
    running.push(c);
    // The child lease is written after the running scan read the table (while it takes shard 0).
    store.beforeOperation = (operation) => {
      if (operation === 'take' && !store.rows.has('shardId-child')) store.put({ leaseKey: 'shardId-child' });
    };
    const scanning = c.runTaker();
    await c.runTakerSoon();
    await scanning;
    expect(log).toContain('w1 took shardId-child');
  });
});
