import { describe, expect, it } from 'vitest';
import { InMemoryLeaseStore } from '../../test/in-memory-lease-store.js';
import { LeaseCoordinator } from './lease-coordinator.js';

function coordinator(store: InMemoryLeaseStore, mode: 'all' | 'no-steal' | 'reclaim-only', taken: string[]) {
  return new LeaseCoordinator({
    store,
    workerId: 'me',
    failoverTimeMs: 10_000,
    renewalIntervalMs: 3_308,
    takerIntervalMs: 5_000,
    maxLeasesForWorker: Number.POSITIVE_INFINITY,
    maxLeasesToStealAtOneTime: 1,
    enablePriorityLeaseAssignment: true,
    now: () => 0,
    random: () => 0.5,
    takingMode: () => mode,
    onLeaseTaken: ({ lease, stolen }) => taken.push(`${lease.leaseKey}${stolen ? ' (stolen)' : ''}`),
    onLeaseLost: () => {},
  });
}

function table(withUnowned = true): InMemoryLeaseStore {
  const store = new InMemoryLeaseStore();
  store.put({ leaseKey: 'assigned-to-me', leaseOwner: 'me', leaseCounter: 2 });
  if (withUnowned) store.put({ leaseKey: 'unowned' });
  for (let i = 0; i < 4; i++) store.put({ leaseKey: `busy-${i}`, leaseOwner: 'other', leaseCounter: 1 });
  return store;
}

describe('the taker under load-aware assignment', () => {
  it('only takes up what the leader assigned while a leader lives', async () => {
    const taken: string[] = [];
    await coordinator(table(), 'reclaim-only', taken).runTaker();
    expect(taken).toEqual(['assigned-to-me']);
    const withoutUnowned: string[] = [];
    await coordinator(table(false), 'reclaim-only', withoutUnowned).runTaker();
    expect(withoutUnowned).toEqual(['assigned-to-me']);
  });

  it('takes unowned and expired leases but never steals while no leader lives', async () => {
    const taken: string[] = [];
    await coordinator(table(), 'no-steal', taken).runTaker();
    expect(taken.sort()).toEqual(['assigned-to-me', 'unowned']);
    const nothingExpired: string[] = [];
    await coordinator(table(false), 'no-steal', nothingExpired).runTaker();
    expect(nothingExpired).toEqual(['assigned-to-me']);
  });

  it('keeps the KCL 2.x taker, stealing included, in lease-count mode', async () => {
    const taken: string[] = [];
    await coordinator(table(false), 'all', taken).runTaker();
    expect(taken.some((t) => t.endsWith('(stolen)'))).toBe(true);
  });
});
