import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { InMemoryLeaseStore } from '../../test/in-memory-lease-store.js';
import { type LeaseAcquisition, LeaseCoordinator } from './lease-coordinator.js';
import type { LeaseDiscoveryStore } from './lease-discovery.js';

const F = 10_000;

/** The index over the in-memory rows; `lagging` keys are still listed under their previous owner. */
function index(store: InMemoryLeaseStore, lagging: Record<string, string> = {}) {
  const calls = { query: 0, get: 0 };
  const discovery: LeaseDiscoveryStore = {
    listLeaseKeysForWorker: async (workerId) => {
      calls.query++;
      return [...store.rows.values()]
        .filter((l) => (lagging[l.leaseKey] ?? l.leaseOwner) === workerId)
        .map((l) => l.leaseKey);
    },
    getLease: async (leaseKey) => {
      calls.get++;
      return store.rows.get(leaseKey);
    },
  };
  return { discovery, calls };
}

function coordinator(
  store: InMemoryLeaseStore,
  workerId: string,
  discovery: LeaseDiscoveryStore,
  isLeader: () => boolean,
  onLeaseTaken: (acquisition: LeaseAcquisition) => void = () => {},
  leaderless?: () => boolean,
) {
  return new LeaseCoordinator({
    store,
    workerId,
    failoverTimeMs: F,
    renewalIntervalMs: F / 3 - 25,
    takerIntervalMs: F / 2,
    maxLeasesForWorker: Number.POSITIVE_INFINITY,
    maxLeasesToStealAtOneTime: 1,
    enablePriorityLeaseAssignment: true,
    gracefulLeaseHandoffTimeoutMs: 30_000,
    discovery: { store: discovery, isLeader, leaderScanIntervalMs: 2 * F, leaderless },
    now: () => Date.now(),
    random: () => 0.5,
    onLeaseTaken,
    onLeaseLost: () => {},
  });
}

const started: LeaseCoordinator[] = [];
beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(async () => {
  for (const c of started.splice(0)) {
    await c.stopTaking();
    await c.stopRenewing();
  }
  vi.useRealTimers();
});

describe('lease discovery through the LeaseOwnerToLeaseKeyIndex', () => {
  it('takes the leases assigned to this worker with one Query and a GetItem each, never scanning', async () => {
    const store = new InMemoryLeaseStore();
    store.put({ leaseKey: 's0', leaseOwner: 'w2', leaseCounter: 4 });
    store.put({ leaseKey: 's1', leaseOwner: 'w2', leaseCounter: 9 });
    store.put({ leaseKey: 's2', leaseOwner: 'w1', leaseCounter: 2 });
    const { discovery, calls } = index(store);
    const c = coordinator(store, 'w2', discovery, () => false);
    started.push(c);
    await c.runTaker();
    expect(
      c.renewer
        .heldLeases()
        .map((l) => l.leaseKey)
        .sort(),
    ).toEqual(['s0', 's1']);
    expect(store.count('list')).toBe(0);
    expect(calls).toEqual({ query: 1, get: 2 });
    // Held leases are not read again.
    await c.runTaker();
    expect(calls).toEqual({ query: 2, get: 2 });
  });

  it('lets only the leader scan, at most every leaderScanIntervalMs, and discovers in between', async () => {
    const store = new InMemoryLeaseStore();
    store.put({ leaseKey: 's0' });
    const { discovery, calls } = index(store);
    const c = coordinator(store, 'leader', discovery, () => true);
    started.push(c);
    await c.runTaker();
    expect(store.count('list')).toBe(1);
    await vi.advanceTimersByTimeAsync(F / 2);
    await c.runTaker();
    expect(store.count('list')).toBe(1);
    expect(calls.query).toBe(1);
    await vi.advanceTimersByTimeAsync(2 * F);
    await c.runTaker();
    expect(store.count('list')).toBe(2);
  });

  it('drops a key the index still lists under this worker after the row moved to another', async () => {
    const store = new InMemoryLeaseStore();
    store.put({ leaseKey: 's0', leaseOwner: 'w3', leaseCounter: 4 });
    const { discovery } = index(store, { s0: 'w2' });
    const c = coordinator(store, 'w2', discovery, () => false);
    started.push(c);
    await c.runTaker();
    expect(c.renewer.heldLeases()).toEqual([]);
    expect(store.count('take')).toBe(0);
  });

  it('waits for a lease in a handoff to this worker until the old owner hands it over', async () => {
    const store = new InMemoryLeaseStore();
    store.put({ leaseKey: 's0', leaseOwner: 'w2', checkpointOwner: 'w1', leaseCounter: 4 });
    const { discovery } = index(store);
    const c = coordinator(store, 'w2', discovery, () => false);
    started.push(c);
    await c.runTaker();
    expect(c.renewer.holds('s0')).toBe(false);
    await store.transferLease(store.rows.get('s0')!);
    await c.runTaker();
    expect(c.renewer.holds('s0')).toBe(true);
  });

  it('takes a lease in a handoff to this worker after the handoff timeout when nobody hands it over', async () => {
    const store = new InMemoryLeaseStore();
    store.put({ leaseKey: 's0', leaseOwner: 'w2', checkpointOwner: 'dead', leaseCounter: 4 });
    const { discovery } = index(store);
    const c = coordinator(store, 'w2', discovery, () => false);
    started.push(c);
    await c.runTaker();
    await vi.advanceTimersByTimeAsync(29_000);
    await c.runTaker();
    expect(c.renewer.holds('s0')).toBe(false);
    await vi.advanceTimersByTimeAsync(1_000);
    await c.runTaker();
    expect(c.renewer.holds('s0')).toBe(true);
  });

  it('names the old owner of a lease handed over to it when it takes it from the index', async () => {
    const store = new InMemoryLeaseStore();
    store.put({ leaseKey: 's0', leaseOwner: 'w2', checkpointOwner: 'w1', leaseCounter: 4 });
    const { discovery } = index(store);
    const taken: LeaseAcquisition[] = [];
    const c = coordinator(
      store,
      'w2',
      discovery,
      () => false,
      (a) => taken.push(a),
    );
    started.push(c);
    await c.runTaker();
    await store.transferLease(store.rows.get('s0')!);
    await c.runTaker();
    expect(taken).toMatchObject([{ lease: { leaseKey: 's0' }, previousOwner: 'w1', stolen: true }]);
  });

  it('scans on every run while no leader seems alive, not only every leaderScanIntervalMs', async () => {
    const store = new InMemoryLeaseStore();
    store.put({ leaseKey: 's0', leaseOwner: 'dead', leaseCounter: 4 });
    const { discovery, calls } = index(store);
    let leaderless = false;
    const c = coordinator(
      store,
      'w2',
      discovery,
      () => true,
      undefined,
      () => leaderless,
    );
    started.push(c);
    await c.runTaker(); // a scan
    await c.runTaker(); // within leaderScanIntervalMs: the index
    expect(store.count('list')).toBe(1);
    expect(calls.query).toBe(1);
    leaderless = true;
    await c.runTaker();
    await c.runTaker();
    expect(store.count('list')).toBe(3);
    expect(calls.query).toBe(1);
  });
});
