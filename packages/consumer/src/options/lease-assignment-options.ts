import { invalid } from './option-checks.js';

/** The load-aware assignment's timers: the interval derived from the failover time, the lock's heartbeat below its duration. */
export function resolveLeaseAssignment(
  o: {
    readonly leaseAssignmentIntervalMs: number | undefined;
    readonly leaderLockLeaseDurationMs: number;
    readonly leaderLockHeartbeatPeriodMs: number;
  },
  failoverTimeMs: number,
) {
  if (o.leaderLockHeartbeatPeriodMs >= o.leaderLockLeaseDurationMs) {
    throw invalid(
      'leaderLockHeartbeatPeriodMs',
      `less than leaderLockLeaseDurationMs (${o.leaderLockLeaseDurationMs})`,
      `got ${o.leaderLockHeartbeatPeriodMs}`,
    );
  }
  return { leaseAssignmentIntervalMs: o.leaseAssignmentIntervalMs ?? 2 * failoverTimeMs };
}
