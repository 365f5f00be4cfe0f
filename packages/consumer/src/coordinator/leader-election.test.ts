import { describe, expect, it } from 'vitest';
import type { LeaderLockRow, LeaderLockStore } from '../leases/dynamodb/leader-lock-table.js';
import { LeaderElection } from './leader-election.js';

/** An in-memory lock row with the table's conditions, and a switch to make writes throw (throttling). */
class FakeLockStore implements LeaderLockStore {
  row: LeaderLockRow | undefined;
  failWrites = false;
  writes = 0;
  async read(): Promise<LeaderLockRow | undefined> {
    return this.row;
  }
  async write(
    owner: string,
    newVersion: string,
    leaseDurationMs: number,
    expected: string | undefined,
  ): Promise<boolean> {
    this.writes += 1;
    if (this.failWrites)
      throw Object.assign(new Error('throttled'), { name: 'ProvisionedThroughputExceededException' });
    if (expected === undefined ? this.row !== undefined : this.row?.recordVersionNumber !== expected)
      return false;
    this.row = { ownerName: owner, recordVersionNumber: newVersion, leaseDurationMs, isReleased: false };
    return true;
  }
  async release(owner: string, version: string): Promise<boolean> {
    if (this.row?.ownerName !== owner || this.row.recordVersionNumber !== version) return false;
    this.row = { ...this.row, isReleased: true };
    return true;
  }
}

let versions = 0;
function election(store: FakeLockStore, workerId: string, clock: { now: number }) {
  return new LeaderElection({
    store,
    workerId,
    leaseDurationMs: 120_000,
    heartbeatPeriodMs: 30_000,
    now: () => clock.now,
    newVersion: () => `v${++versions}`,
  });
}

describe('LeaderElection', () => {
  it('takes an absent lock at once and keeps it by heartbeating', async () => {
    const store = new FakeLockStore();
    const clock = { now: 0 };
    const a = election(store, 'a', clock);
    await a.tick();
    expect(a.isLeader()).toBe(true);
    expect(store.row?.ownerName).toBe('a');
    const version = store.row?.recordVersionNumber;
    clock.now += 30_000;
    await a.tick();
    expect(store.row?.recordVersionNumber).not.toBe(version);
    expect(a.isLeader()).toBe(true);
  });

  it('lets only one of two contenders win an absent lock', async () => {
    const store = new FakeLockStore();
    const clock = { now: 0 };
    const a = election(store, 'a', clock);
    const b = election(store, 'b', clock);
    await Promise.all([a.tick(), b.tick()]);
    expect([a.isLeader(), b.isLeader()].filter(Boolean)).toHaveLength(1);
  });

  it('waits a whole lease duration of unchanged version before taking a live-looking lock', async () => {
    const store = new FakeLockStore();
    const clock = { now: 0 };
    const a = election(store, 'a', clock);
    const b = election(store, 'b', clock);
    await a.tick();
    // a dies; b looks every heartbeat period.
    for (let t = 0; t <= 120_000; t += 30_000) {
      clock.now = t;
      await b.tick();
      if (t < 120_000) expect(b.isLeader()).toBe(false);
    }
    expect(b.isLeader()).toBe(true);
    expect(store.row?.ownerName).toBe('b');
    // The old leader learns at its next heartbeat that it lost the lock.
    await a.tick();
    expect(a.isLeader()).toBe(false);
  });

  it('never takes the lock while its holder keeps heartbeating, whatever the clocks say', async () => {
    const store = new FakeLockStore();
    const clock = { now: 0 };
    const skewed = { now: 1_000_000 };
    const a = election(store, 'a', clock);
    const b = election(store, 'b', skewed);
    await a.tick();
    for (let i = 0; i < 20; i++) {
      clock.now += 30_000;
      skewed.now += 45_000;
      await a.tick();
      await b.tick();
    }
    expect(a.isLeader()).toBe(true);
    expect(b.isLeader()).toBe(false);
    expect(b.leaderSeemsAlive()).toBe(true);
  });

  it('takes a released lock at once', async () => {
    const store = new FakeLockStore();
    const clock = { now: 0 };
    const a = election(store, 'a', clock);
    const b = election(store, 'b', clock);
    await a.tick();
    await a.resign();
    expect(a.isLeader()).toBe(false);
    await b.tick();
    expect(b.isLeader()).toBe(true);
  });

  it('stops counting itself leader when heartbeats are throttled for a lease duration', async () => {
    const store = new FakeLockStore();
    const clock = { now: 0 };
    const changes: boolean[] = [];
    const a = new LeaderElection({
      store,
      workerId: 'a',
      leaseDurationMs: 120_000,
      heartbeatPeriodMs: 30_000,
      now: () => clock.now,
      onLeadershipChange: (leader) => changes.push(leader),
    });
    await a.tick();
    store.failWrites = true;
    clock.now = 90_000;
    await a.tick();
    expect(a.isLeader()).toBe(true);
    clock.now = 120_000;
    await a.tick();
    expect(a.isLeader()).toBe(false);
    expect(changes).toEqual([true, false]);
  });

  it('reports no live leader once the version stops changing for three heartbeat periods', async () => {
    const store = new FakeLockStore();
    const clock = { now: 0 };
    const a = election(store, 'a', clock);
    const b = election(store, 'b', clock);
    await a.tick();
    await b.tick();
    expect(b.leaderSeemsAlive()).toBe(true);
    clock.now = 60_000;
    await b.tick();
    expect(b.leaderSeemsAlive()).toBe(true); // one heartbeat may have landed just after a read
    clock.now = 90_000;
    await b.tick();
    expect(b.leaderSeemsAlive()).toBe(false);
  });

  it('keeps seeing a live leader whose heartbeat landed just after its read, while its next read is late', async () => {
    // Each worker steps once a heartbeat period (30 s here) on its own timer. The leader's
    // heartbeat can land just after a follower's read, so that read sees no new version; if the
    // follower's next read is then a little late, two periods pass without a version seen to change.
    // The leader is alive all along: the follower must not call it dead (and start scanning).
    const store = new FakeLockStore();
    const clock = { now: 0 };
    const leader = election(store, 'leader', clock);
    const follower = election(store, 'follower', clock);
    await leader.tick();
    await follower.tick(); // sees the leader's first version
    clock.now = 30_000;
    await follower.tick(); // just before the leader's heartbeat: the same version
    clock.now = 31_000;
    await leader.tick(); // heartbeat, 1 s late
    clock.now = 60_500; // the follower's next read is 500 ms late
    expect(leader.isLeader()).toBe(true);
    expect(follower.leaderSeemsAlive()).toBe(true);
  });
});
