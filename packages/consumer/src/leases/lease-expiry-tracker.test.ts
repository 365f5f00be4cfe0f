import { describe, expect, it } from 'vitest';
import type { Lease } from './lease.js';
import { LeaseExpiryTracker, NEVER_RENEWED } from './lease-expiry-tracker.js';

function lease(key: string, counter: number, owner?: string): Lease {
  return {
    leaseKey: key,
    leaseOwner: owner,
    leaseCounter: counter,
    checkpoint: { sequenceNumber: 'LATEST', subSequenceNumber: 0 },
    ownerSwitchesSinceCheckpoint: 0,
    parentShardIds: [],
    childShardIds: [],
  };
}

const F = 10_000;

describe('LeaseExpiryTracker', () => {
  it('gives an owned lease seen for the first time a full failover time before calling it expired', () => {
    const tracker = new LeaseExpiryTracker();
    tracker.observe([lease('s', 5, 'a')], 1_000);
    expect(tracker.isExpired(lease('s', 5, 'a'), 1_000 + F, F)).toBe(false);
    expect(tracker.isExpired(lease('s', 5, 'a'), 1_001 + F, F)).toBe(true);
  });

  it('treats an unowned lease as available at once and as never renewed', () => {
    const tracker = new LeaseExpiryTracker();
    tracker.observe([lease('s', 0)], 1_000);
    expect(tracker.isExpired(lease('s', 0), 1_000, F)).toBe(true);
    expect(tracker.isVeryOld(lease('s', 0), 1_000, F)).toBe(true);
    expect(tracker.lastCounterChangeMs('s')).toBe(NEVER_RENEWED);
  });

  it('restarts the clock whenever a scan sees the counter change', () => {
    const tracker = new LeaseExpiryTracker();
    tracker.observe([lease('s', 5, 'a')], 0);
    tracker.observe([lease('s', 6, 'a')], 8_000);
    expect(tracker.isExpired(lease('s', 6, 'a'), 15_000, F)).toBe(false);
    tracker.observe([lease('s', 6, 'a')], 16_000);
    expect(tracker.lastCounterChangeMs('s')).toBe(8_000);
    expect(tracker.isExpired(lease('s', 6, 'a'), 18_001, F)).toBe(true);
  });

  it('keeps the time of the last change while the counter stays the same across scans', () => {
    const tracker = new LeaseExpiryTracker();
    tracker.observe([lease('s', 5, 'a')], 0);
    for (let t = 2_000; t <= 12_000; t += 2_000) tracker.observe([lease('s', 5, 'a')], t);
    expect(tracker.lastCounterChangeMs('s')).toBe(0);
    expect(tracker.isExpired(lease('s', 5, 'a'), 12_000, F)).toBe(true);
  });

  it('calls a lease very old after three failover times without a change', () => {
    const tracker = new LeaseExpiryTracker();
    tracker.observe([lease('s', 5, 'a')], 0);
    expect(tracker.isVeryOld(lease('s', 5, 'a'), 3 * F, F)).toBe(false);
    expect(tracker.isVeryOld(lease('s', 5, 'a'), 3 * F + 1, F)).toBe(true);
  });

  it('forgets leases that disappear from the table', () => {
    const tracker = new LeaseExpiryTracker();
    tracker.observe([lease('s', 5, 'a')], 0);
    tracker.observe([], 1_000);
    expect(tracker.lastCounterChangeMs('s')).toBeUndefined();
  });

  it('does not mistake a counter this worker wrote for a stale one', () => {
    const tracker = new LeaseExpiryTracker();
    tracker.observe([lease('s', 5, 'a')], 0);
    tracker.recordWrite(lease('s', 6, 'me'), 9_000);
    tracker.observe([lease('s', 6, 'me')], 12_000);
    expect(tracker.lastCounterChangeMs('s')).toBe(9_000);
  });
});
