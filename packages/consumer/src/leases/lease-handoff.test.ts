import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { InMemoryLeaseStore } from '../../test/in-memory-lease-store.js';
import { LeaseLostError } from '../errors.js';
import type { Lease } from './lease.js';
import { LeaseCoordinator } from './lease-coordinator.js';
import { LeaseRenewer } from './lease-renewer.js';

const CHECKPOINT = {
  checkpoint: {
    sequenceNumber: '49590338271490256608559692538361571095921575989136588898',
    subSequenceNumber: 0,
  },
};

function renewerSetup() {
  const store = new InMemoryLeaseStore();
  let now = 0;
  const lost: string[] = [];
  const requested: Lease[] = [];
  const renewer = new LeaseRenewer({
    table: store,
    workerId: 'me',
    failoverTimeMs: 10_000,
    renewalIntervalMs: 3_308,
    maxConcurrentRenewals: 20,
    now: () => now,
    random: () => 0,
    onLeaseLost: (lease, reason) => lost.push(`${lease.leaseKey}:${reason}`),
    onHandoffRequested: (lease) => requested.push(lease),
  });
  const token = renewer.add(store.put({ leaseKey: 'a', leaseOwner: 'me', leaseCounter: 3 }), now);
  return { store, renewer, lost, requested, token, advance: (ms: number) => (now += ms) };
}

describe('graceful lease handoff, old owner side (LeaseRenewer)', () => {
  it('notices a handoff at its next renewal, keeps the lease alive and asks for it to be handed over', async () => {
    const { store, renewer, lost, requested, advance } = renewerSetup();
    await store.initiateLeaseHandoff(store.rows.get('a')!, 'next');
    advance(3_308);
    await renewer.renewAll();
    expect(lost).toEqual([]);
    expect(requested.map((l) => [l.leaseKey, l.leaseOwner, l.checkpointOwner])).toEqual([
      ['a', 'next', 'me'],
    ]);
    // Renewed without the checkpointOwner condition: the counter moved, the handoff is untouched.
    expect(store.rows.get('a')).toMatchObject({ leaseOwner: 'next', checkpointOwner: 'me', leaseCounter: 4 });
    expect(renewer.holds('a')).toBe(true);
    advance(3_308);
    await renewer.renewAll();
    expect(store.rows.get('a')?.leaseCounter).toBe(5);
    expect(requested).toHaveLength(1);
  });

  it('checkpoints during the handoff, then transfers, and can never checkpoint that lease again', async () => {
    const { store, renewer, token, advance } = renewerSetup();
    await store.initiateLeaseHandoff(store.rows.get('a')!, 'next');
    advance(3_308);
    await renewer.renewAll();
    await renewer.checkpoint('a', token, CHECKPOINT);
    expect(store.rows.get('a')?.checkpoint).toEqual(CHECKPOINT.checkpoint);
    expect(await renewer.release('a')).toBe(true);
    expect(store.rows.get('a')).toMatchObject({
      leaseOwner: 'next',
      checkpointOwner: undefined,
      leaseCounter: 6,
      ownerSwitchesSinceCheckpoint: 1,
    });
    await expect(renewer.checkpoint('a', token, CHECKPOINT)).rejects.toBeInstanceOf(LeaseLostError);
    expect(store.count('transfer')).toBe(1);
    expect(store.count('evict')).toBe(0);
  });

  it('loses the lease when the new owner took it after the timeout, before the transfer', async () => {
    const { store, renewer, lost, advance } = renewerSetup();
    await store.initiateLeaseHandoff(store.rows.get('a')!, 'next');
    advance(3_308);
    await renewer.renewAll();
    await store.takeLease(store.rows.get('a')!, 'next');
    advance(3_308);
    await renewer.renewAll();
    expect(lost).toEqual(['a:taken-by-another-worker']);
    expect(await renewer.release('a')).toBe(false);
  });

  it('without a listener hands the lease over at once', async () => {
    const store = new InMemoryLeaseStore();
    let now = 0;
    const renewer = new LeaseRenewer({
      table: store,
      workerId: 'me',
      failoverTimeMs: 10_000,
      renewalIntervalMs: 3_308,
      maxConcurrentRenewals: 20,
      now: () => now,
      random: () => 0,
      onLeaseLost: () => {},
    });
    renewer.add(store.put({ leaseKey: 'a', leaseOwner: 'me', leaseCounter: 3 }), now);
    await store.initiateLeaseHandoff(store.rows.get('a')!, 'next');
    now += 3_308;
    await renewer.renewAll();
    await vi.waitFor(() => expect(store.rows.get('a')?.checkpointOwner).toBeUndefined());
    expect(store.rows.get('a')?.leaseOwner).toBe('next');
    expect(renewer.holds('a')).toBe(false);
  });
});

const F = 10_000;
const TIMEOUT = 30_000;

function coordinator(store: InMemoryLeaseStore, workerId: string, log: string[], handoff = true) {
  const c = new LeaseCoordinator({
    store,
    workerId,
    failoverTimeMs: F,
    renewalIntervalMs: F / 3 - 25,
    takerIntervalMs: F / 2,
    maxLeasesForWorker: Number.POSITIVE_INFINITY,
    maxLeasesToStealAtOneTime: 1,
    enablePriorityLeaseAssignment: true,
    gracefulLeaseHandoff: handoff,
    gracefulLeaseHandoffTimeoutMs: TIMEOUT,
    now: () => Date.now(),
    random: () => 0.5,
    onLeaseTaken: ({ lease, previousOwner, stolen }) =>
      log.push(
        `${workerId} took ${lease.leaseKey} from ${previousOwner ?? 'nobody'}${stolen ? ' (moved)' : ''}`,
      ),
    onLeaseLost: (lease, reason) => log.push(`${workerId} lost ${lease.leaseKey}: ${reason}`),
  });
  return c;
}

/** A KCL 2.x worker: renews on the counter alone, never looks at checkpointOwner. */
function kcl2Renew(store: InMemoryLeaseStore, leaseKey: string): void {
  const row = store.rows.get(leaseKey)!;
  store.rows.set(leaseKey, { ...row, leaseCounter: row.leaseCounter + 1 });
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

describe('graceful lease handoff, new owner side (LeaseCoordinator)', () => {
  it('moves a lease for balance by a handoff, and takes it only once the old owner handed it over', async () => {
    const store = new InMemoryLeaseStore();
    for (const key of ['s0', 's1', 's2', 's3'])
      store.put({ leaseKey: key, leaseOwner: 'old', leaseCounter: 1 });
    const log: string[] = [];
    const c = coordinator(store, 'new', log);
    started.push(c);
    await c.runTaker();
    const moving = [...store.rows.values()].filter((l) => l.checkpointOwner === 'old');
    expect(moving).toHaveLength(1);
    const key = moving[0]!.leaseKey;
    expect(store.rows.get(key)).toMatchObject({ leaseOwner: 'new', leaseCounter: 1 });
    expect(store.count('take')).toBe(0);
    // The old owner keeps renewing while it finishes: the new owner waits.
    kcl2Renew(store, key);
    await c.runTaker();
    expect(c.renewer.holds(key)).toBe(false);
    // The old owner transfers; the next run takes the lease.
    await store.transferLease({ ...store.rows.get(key)! });
    await c.runTaker();
    expect(c.renewer.holds(key)).toBe(true);
    expect(log).toEqual([`new took ${key} from old (moved)`]);
  });

  it('takes a lease in a handoff after gracefulLeaseHandoffTimeoutMs when a KCL 2.x old owner ignores it', async () => {
    const store = new InMemoryLeaseStore();
    store.put({ leaseKey: 's0', leaseOwner: 'new', checkpointOwner: 'kcl2', leaseCounter: 7 });
    const log: string[] = [];
    const c = coordinator(store, 'new', log);
    started.push(c);
    await c.runTaker();
    for (let t = 0; t < TIMEOUT - F; t += F / 2) {
      kcl2Renew(store, 's0');
      await vi.advanceTimersByTimeAsync(F / 2);
      await c.runTaker();
      expect(c.renewer.holds('s0')).toBe(false);
    }
    await vi.advanceTimersByTimeAsync(F);
    kcl2Renew(store, 's0');
    await c.runTaker();
    expect(c.renewer.holds('s0')).toBe(true);
    expect(store.rows.get('s0')).toMatchObject({ leaseOwner: 'new', checkpointOwner: undefined });
  });

  it('takes a lease in a handoff whose old owner stopped renewing once it expires, not stranding it', async () => {
    const store = new InMemoryLeaseStore();
    store.put({ leaseKey: 's0', leaseOwner: 'new', checkpointOwner: 'dead', leaseCounter: 7 });
    const c = coordinator(store, 'new', []);
    started.push(c);
    await c.runTaker();
    expect(c.renewer.holds('s0')).toBe(false);
    await vi.advanceTimersByTimeAsync(F + 1);
    await c.runTaker();
    expect(c.renewer.holds('s0')).toBe(true);
  });

  it('with gracefulLeaseHandoff off, steals at once as the KCL 2.x does', async () => {
    const store = new InMemoryLeaseStore();
    for (const key of ['s0', 's1', 's2', 's3'])
      store.put({ leaseKey: key, leaseOwner: 'old', leaseCounter: 1 });
    const log: string[] = [];
    const c = coordinator(store, 'new', log, false);
    started.push(c);
    await c.runTaker();
    expect(store.count('handoff')).toBe(0);
    expect(c.renewer.heldLeases()).toHaveLength(1);
  });
});
