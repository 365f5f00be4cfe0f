import { KclClientVersion } from '../leases/dynamodb/client-version-row.js';

/** How this worker spreads leases (`leaseAssignment`). */
export type LeaseAssignmentMode = 'worker-utilization' | 'lease-count';

/** What start-up does about the fleet a `Migration3.0` row describes. */
export type FleetDecision =
  | { readonly action: 'run'; readonly mode: LeaseAssignmentMode; readonly reason: FleetDecisionReason }
  | { readonly action: 'refuse'; readonly reason: FleetRefusalReason };

/**
 * Why start-up refuses a 3.x fleet: `'lease-count-explicit'` (the user asked to take by count, which
 * would fight the Java leader).
 */
export type FleetRefusalReason = 'lease-count-explicit';

/**
 * Why the mode was chosen: `'configured'` (no row: the option, or its default, decides),
 * `'kcl3-fleet'` (a Java KCL 3.x fleet in 3.x mode: its leader assigns, so this worker follows it),
 * `'kcl2-compatible-fleet'` (a Java fleet in the KCL's 2.x-compatible mode: every worker takes by count).
 */
export type FleetDecisionReason = 'configured' | 'kcl3-fleet' | 'kcl2-compatible-fleet';

/**
 * The lease assignment mode to run in, given the fleet's client-version row (`undefined` when the
 * table has none) and the `leaseAssignment` option (`explicit` when the user gave it, not defaulted):
 *
 * - `CLIENT_VERSION_3X` / `CLIENT_VERSION_3X_WITH_ROLLBACK`: the 3.x protocol (`'worker-utilization'`:
 *   follow the Java leader through the shared `Leader` lock row, write worker metrics, lead when the
 *   lock is free), wherever the row is (the lease table of KCL 3.5+, or `<app>-CoordinatorState` of
 *   KCL 3.0–3.4: see `decideCoordinatorLayout` for where the lock and metrics rows are then), unless
 *   `'lease-count'` was set explicitly: then refuse (taking by count would fight that leader);
 * - any other row (`CLIENT_VERSION_UPGRADE_FROM_2X`, `CLIENT_VERSION_2X`, `CLIENT_VERSION_INIT`, unknown):
 *   the KCL's 2.x-compatible mode, `'lease-count'`, as those Java workers take by count;
 * - no row: the option.
 */
export function decideFleetMode(input: {
  readonly clientVersion: string | undefined;
  readonly configured: LeaseAssignmentMode;
  readonly explicit: boolean;
}): FleetDecision {
  const { clientVersion, configured, explicit } = input;
  if (clientVersion === undefined) return { action: 'run', mode: configured, reason: 'configured' };
  if (clientVersion === KclClientVersion.V3X || clientVersion === KclClientVersion.V3X_WITH_ROLLBACK) {
    if (explicit && configured === 'lease-count') return { action: 'refuse', reason: 'lease-count-explicit' };
    return { action: 'run', mode: 'worker-utilization', reason: 'kcl3-fleet' };
  }
  return { action: 'run', mode: 'lease-count', reason: 'kcl2-compatible-fleet' };
}

/** What start-up found of the `LeaseOwnerToLeaseKeyIndex`, and what discovery does with it. */
export type IndexDiscoveryDecision =
  /** The index is ACTIVE: workers Query it, only the leader scans. */
  | 'use-index'
  /** No index and creating it is allowed: UpdateTable, scan meanwhile, look again later. */
  | 'create-index'
  /** The index is being built (CREATING, or just requested): scan meanwhile, look again later. */
  | 'wait-for-index'
  /** No index and creating it is not allowed (or was refused): scan, as without the index. */
  | 'scan';

/**
 * Whether to discover leases through the index (only in `'worker-utilization'`, where a leader
 * exists to do the scanning): `indexStatus` is the index's `IndexStatus` (`undefined` when the table
 * has none), `createAllowed` the `createLeaseOwnerIndexIfMissing` option.
 */
export function decideIndexDiscovery(input: {
  readonly mode: LeaseAssignmentMode;
  readonly indexStatus: string | undefined;
  readonly createAllowed: boolean;
}): IndexDiscoveryDecision {
  if (input.mode !== 'worker-utilization') return 'scan';
  if (input.indexStatus === 'ACTIVE') return 'use-index';
  if (input.indexStatus !== undefined) return input.indexStatus === 'DELETING' ? 'scan' : 'wait-for-index';
  return input.createAllowed ? 'create-index' : 'scan';
}

/**
 * Which write the leader uses to move a live owner's lease when rebalancing: the KCL 3.x graceful
 * handoff (`leaseOwner = <new>, checkpointOwner = <old>`, the old owner checkpoints and transfers)
 * when `gracefulLeaseHandoff` is on, else the owner-fenced take that bumps the counter.
 */
export function leaderMoveWrite(gracefulLeaseHandoff: boolean): 'handoff' | 'take' {
  return gracefulLeaseHandoff ? 'handoff' : 'take';
}

/**
 * Whether this worker scans the table under index discovery: the leader does (it assigns from the
 * scan), and so does every worker while no leader seems alive, so that expired leases are still taken
 * between a leader's death and the next election; the others Query the index.
 */
export function scansUnderIndexDiscovery(input: {
  readonly isLeader: boolean;
  readonly leaderSeemsAlive: boolean;
}): boolean {
  return input.isLeader || !input.leaderSeemsAlive;
}

/**
 * Whether this worker runs the periodic shard sync (every `shardSyncIntervalMs`, a scan of the lease
 * table and a `ListShards` per stream): the elected leader does, as in the KCL (only its leader runs
 * `PeriodicShardSyncManager`), and so does every worker while no leader seems alive, or when the
 * application elects none (`leaseAssignment: 'lease-count'`, or a 2.x fleet). Start-up syncs, syncs
 * a scan asks for (an empty table, hash-range holes) and children's leases at a shard's end run on
 * every worker regardless.
 */
export function runsPeriodicShardSync(
  election: { readonly isLeader: boolean; readonly leaderSeemsAlive: boolean } | undefined,
): boolean {
  return election === undefined || scansUnderIndexDiscovery(election);
}
