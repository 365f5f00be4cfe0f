import { describe, expect, it } from 'vitest';
import { decideCoordinatorLayout } from '../leases/dynamodb/coordinator-layout.js';
import {
  decideFleetMode,
  decideIndexDiscovery,
  leaderMoveWrite,
  runsPeriodicShardSync,
  scansUnderIndexDiscovery,
} from './kcl3-protocol.js';

describe('the lease assignment mode start-up settles on', () => {
  it('is the option, or its default, when the table has no Migration3.0 row', () => {
    for (const configured of ['lease-count', 'worker-utilization'] as const) {
      for (const explicit of [true, false]) {
        expect(decideFleetMode({ clientVersion: undefined, configured, explicit })).toEqual({
          action: 'run',
          mode: configured,
          reason: 'configured',
        });
      }
    }
  });

  it("follows a Java KCL 3.x fleet in 3.x mode with 'worker-utilization' when lease-count is only the default", () => {
    for (const clientVersion of ['CLIENT_VERSION_3X', 'CLIENT_VERSION_3X_WITH_ROLLBACK']) {
      expect(decideFleetMode({ clientVersion, configured: 'lease-count', explicit: false })).toEqual({
        action: 'run',
        mode: 'worker-utilization',
        reason: 'kcl3-fleet',
      });
      expect(decideFleetMode({ clientVersion, configured: 'worker-utilization', explicit: true })).toEqual({
        action: 'run',
        mode: 'worker-utilization',
        reason: 'kcl3-fleet',
      });
    }
  });

  it("refuses a Java KCL 3.x fleet in 3.x mode only when 'lease-count' was set explicitly", () => {
    expect(
      decideFleetMode({ clientVersion: 'CLIENT_VERSION_3X', configured: 'lease-count', explicit: true }),
    ).toEqual({ action: 'refuse', reason: 'lease-count-explicit' });
  });

  it('follows a KCL 3.0 to 3.4 fleet too (row in <app>-CoordinatorState), its lock and metrics in the legacy tables', () => {
    const clientVersion = 'CLIENT_VERSION_3X_WITH_ROLLBACK';
    expect(decideFleetMode({ clientVersion, configured: 'lease-count', explicit: false })).toEqual({
      action: 'run',
      mode: 'worker-utilization',
      reason: 'kcl3-fleet',
    });
    expect(decideCoordinatorLayout({ rowTableName: 'app-CoordinatorState', leaseTableName: 'app' })).toBe(
      'legacy-tables',
    );
  });

  it("takes by count beside the KCL's 2.x-compatible mode, whatever the option says", () => {
    for (const clientVersion of [
      'CLIENT_VERSION_UPGRADE_FROM_2X',
      'CLIENT_VERSION_2X',
      'CLIENT_VERSION_INIT',
      'SOMETHING_NEWER',
    ]) {
      expect(decideFleetMode({ clientVersion, configured: 'worker-utilization', explicit: true })).toEqual({
        action: 'run',
        mode: 'lease-count',
        reason: 'kcl2-compatible-fleet',
      });
    }
  });
});

describe('index discovery at start-up', () => {
  it('uses an ACTIVE index in worker-utilization mode', () => {
    expect(
      decideIndexDiscovery({ mode: 'worker-utilization', indexStatus: 'ACTIVE', createAllowed: false }),
    ).toBe('use-index');
  });

  it('never uses the index in lease-count mode (no leader to scan for the others)', () => {
    expect(decideIndexDiscovery({ mode: 'lease-count', indexStatus: 'ACTIVE', createAllowed: true })).toBe(
      'scan',
    );
  });

  it('creates a missing index only when allowed, and waits for one being built', () => {
    const mode = 'worker-utilization';
    expect(decideIndexDiscovery({ mode, indexStatus: undefined, createAllowed: true })).toBe('create-index');
    expect(decideIndexDiscovery({ mode, indexStatus: undefined, createAllowed: false })).toBe('scan');
    expect(decideIndexDiscovery({ mode, indexStatus: 'CREATING', createAllowed: false })).toBe(
      'wait-for-index',
    );
    expect(decideIndexDiscovery({ mode, indexStatus: 'DELETING', createAllowed: true })).toBe('scan');
  });

  it('lets the leader scan, and every worker while no leader seems alive', () => {
    expect(scansUnderIndexDiscovery({ isLeader: true, leaderSeemsAlive: true })).toBe(true);
    expect(scansUnderIndexDiscovery({ isLeader: false, leaderSeemsAlive: true })).toBe(false);
    expect(scansUnderIndexDiscovery({ isLeader: false, leaderSeemsAlive: false })).toBe(true);
  });
});

describe('the periodic shard sync', () => {
  it('runs on the leader alone while one is elected, on every worker without one', () => {
    expect(runsPeriodicShardSync({ isLeader: true, leaderSeemsAlive: true })).toBe(true);
    expect(runsPeriodicShardSync({ isLeader: false, leaderSeemsAlive: true })).toBe(false);
    expect(runsPeriodicShardSync({ isLeader: false, leaderSeemsAlive: false })).toBe(true);
    expect(runsPeriodicShardSync(undefined)).toBe(true); // lease-count: no election
  });
});

describe("the leader's move of a live owner's lease", () => {
  it('is a graceful handoff when gracefulLeaseHandoff is on, else a counter-bumping take', () => {
    expect(leaderMoveWrite(true)).toBe('handoff');
    expect(leaderMoveWrite(false)).toBe('take');
  });
});
