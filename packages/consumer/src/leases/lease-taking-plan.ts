import type { RandomSource } from '@kinesis-ts/core';
import type { Lease } from './lease.js';

/** A lease as the taker sees it after a scan. */
export interface ObservedLease {
  readonly lease: Lease;
  /** Unowned, or its counter has not changed for more than the failover time. */
  readonly expired: boolean;
  /** Never renewed, or not renewed for more than 3 × the failover time (taken first). */
  readonly veryOld: boolean;
}

/** A lease this worker holds (its renewer renews it), and since when. */
export interface LeaseHolding {
  readonly leaseKey: string;
  /** When this worker took the lease, in ms (the most recently taken are shed first). */
  readonly acquiredAtMs: number;
}

/** The input of {@link planLeaseTaking}. */
export interface LeaseTakingInput {
  readonly workerId: string;
  /** Every lease that can be worked on (finished SHARD_END leases excluded). */
  readonly leases: readonly ObservedLease[];
  /**
   * The leases this worker holds now, whether or not the scan shows them (default none). A lease the
   * table says is this worker's but that is not listed here is one to take back (see `toReclaim`).
   */
  readonly held?: readonly LeaseHolding[];
  readonly maxLeasesForWorker: number;
  readonly maxLeasesToStealAtOneTime: number;
  readonly enablePriorityLeaseAssignment: boolean;
  readonly random: RandomSource;
}

/** What this worker should try to take, and why. */
export interface LeaseTakingPlan {
  /**
   * Leases the table says are this worker's but that it does not hold (a restart with the same worker
   * id, or leases it gave up locally when its renewals failed): taken back first.
   */
  readonly toReclaim: readonly Lease[];
  /** Leases to take because they are expired or unowned. */
  readonly toTake: readonly Lease[];
  /** Leases to steal from the most loaded worker. */
  readonly toSteal: readonly Lease[];
  /**
   * Keys of held leases to give up because this worker holds more than `maxLeasesForWorker`: the
   * most recently taken ones. Never non-empty together with leases to take.
   */
  readonly toShed: readonly string[];
  /** The fair share of leases per worker (capped at `maxLeasesForWorker`). */
  readonly target: number;
  /** The workers seen holding a live lease, this one included. */
  readonly workerCount: number;
  /** How many more leases this worker wants. */
  readonly needed: number;
  /** Leases over `maxLeasesForWorker × workers` that nobody will take (the KCL's `LeaseSpillover`). */
  readonly spillover: number;
  /** How many leases this worker holds (`held`), before taking back or taking anything. */
  readonly heldCount: number;
}

/**
 * Decides which leases to take, following the KCL 2.x `computeLeasesToTake`, under one cap: what this
 * worker holds plus everything it takes back, takes and steals in a round is at most
 * `maxLeasesForWorker`.
 *
 * 0. holding more than `maxLeasesForWorker` (the cap below should never let it happen): shed the excess, the
 *    most recently taken first, and take nothing;
 * 1. take back this worker's own rows that it does not hold, up to the room left under the cap;
 * 2. count each worker's live (non-expired) leases, this worker always included (with what it holds
 *    and takes back);
 * 3. `target` = 1 when there are at least as many workers as leases, else ceil(leases / workers),
 *    capped at `maxLeasesForWorker`;
 * 4. very old leases (never renewed, or not for 3 × the failover time) are taken first, up to the room
 *    left under the cap, ignoring the target;
 * 5. otherwise take expired leases up to the target;
 * 6. with none expired, steal from the most loaded worker: `min(needed, its count − target)` when it is
 *    above the target, 1 when it is at the target and this worker needs more than one, never more than
 *    `maxLeasesToStealAtOneTime`.
 *
 * Candidates are picked at random (injected) so that workers do not all race for the same lease.
 */
export function planLeaseTaking(input: LeaseTakingInput): LeaseTakingPlan {
  const { workerId, leases, random } = input;
  const held = input.held ?? [];
  const heldKeys = new Set(held.map((h) => h.leaseKey));
  const max = input.maxLeasesForWorker;
  const counts = new Map<string, number>([[workerId, 0]]);
  const ownNotHeld: Lease[] = [];
  const expired: Lease[] = [];
  const veryOld: Lease[] = [];
  for (const { lease, expired: isExpired, veryOld: isVeryOld } of leases) {
    if (heldKeys.has(lease.leaseKey)) continue;
    if (lease.leaseOwner === workerId) {
      ownNotHeld.push(lease);
    } else if (isExpired) {
      expired.push(lease);
      if (isVeryOld) veryOld.push(lease);
    } else if (lease.leaseOwner !== undefined) {
      counts.set(lease.leaseOwner, (counts.get(lease.leaseOwner) ?? 0) + 1);
    }
  }
  const heldCount = held.length;
  const toShed =
    heldCount > max
      ? [...held]
          .sort((a, b) => b.acquiredAtMs - a.acquiredAtMs || (a.leaseKey < b.leaseKey ? 1 : -1))
          .slice(0, heldCount - max)
          .map((h) => h.leaseKey)
      : [];
  let room = Math.max(0, max - heldCount);
  const toReclaim = ownNotHeld.slice(0, room);
  room -= toReclaim.length;
  const myCount = heldCount + toReclaim.length;
  counts.set(workerId, myCount);

  const workerCount = counts.size;
  const leaseCount = leases.length;
  let target = workerCount >= leaseCount ? 1 : Math.ceil(leaseCount / workerCount);
  let spillover = 0;
  if (target > max) {
    spillover = leaseCount - max * workerCount;
    target = max;
  }
  const base = { target, workerCount, spillover, heldCount, toReclaim, toShed };
  const nothing = { toTake: [], toSteal: [] };
  if (leaseCount === 0) return { ...base, ...nothing, needed: 0 };

  const needed = Math.max(0, target - myCount);
  if (input.enablePriorityLeaseAssignment && veryOld.length > 0) {
    return { ...base, toTake: shuffle(veryOld, random).slice(0, room), toSteal: [], needed };
  }
  const wanted = Math.min(needed, room);
  if (wanted <= 0) return { ...base, ...nothing, needed };
  if (expired.length > 0) {
    return { ...base, toTake: shuffle(expired, random).slice(0, wanted), toSteal: [], needed };
  }

  let mostLoaded: string | undefined;
  let mostLoadedCount = 0;
  for (const [owner, count] of shuffle([...counts], random)) {
    if (owner !== workerId && count > mostLoadedCount) {
      mostLoaded = owner;
      mostLoadedCount = count;
    }
  }
  if (mostLoaded === undefined) return { ...base, ...nothing, needed };
  let stealCount = 0;
  if (mostLoadedCount > target) stealCount = Math.min(wanted, mostLoadedCount - target);
  else if (mostLoadedCount === target && wanted > 1) stealCount = 1;
  stealCount = Math.min(stealCount, input.maxLeasesToStealAtOneTime);
  if (stealCount <= 0) return { ...base, ...nothing, needed };
  const victims = leases
    .filter((l) => !l.expired && l.lease.leaseOwner === mostLoaded && !heldKeys.has(l.lease.leaseKey))
    .map((l) => l.lease);
  return { ...base, toTake: [], toSteal: shuffle(victims, random).slice(0, stealCount), needed };
}

/** A shuffled copy (Fisher–Yates with the injected random source). */
export function shuffle<T>(items: readonly T[], random: RandomSource): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}
