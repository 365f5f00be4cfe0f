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

/** The input of {@link planLeaseTaking}. */
export interface LeaseTakingInput {
  readonly workerId: string;
  /** Every lease that can be worked on (finished SHARD_END leases excluded). */
  readonly leases: readonly ObservedLease[];
  readonly maxLeasesForWorker: number;
  readonly maxLeasesToStealAtOneTime: number;
  readonly enablePriorityLeaseAssignment: boolean;
  readonly random: RandomSource;
}

/** What this worker should try to take, and why. */
export interface LeaseTakingPlan {
  /** Leases to take because they are expired or unowned. */
  readonly toTake: readonly Lease[];
  /** Leases to steal from the most loaded worker. */
  readonly toSteal: readonly Lease[];
  /** The fair share of leases per worker (capped at `maxLeasesForWorker`). */
  readonly target: number;
  /** The workers seen holding a live lease, this one included. */
  readonly workerCount: number;
  /** How many more leases this worker wants. */
  readonly needed: number;
  /** Leases over `maxLeasesForWorker × workers` that nobody will take (the KCL's `LeaseSpillover`). */
  readonly spillover: number;
  /** How many live leases this worker holds according to the scan. */
  readonly heldCount: number;
}

/**
 * Decides which leases to take, following the KCL 2.x `computeLeasesToTake`:
 *
 * 1. count each worker's live (non-expired) leases, this worker always included;
 * 2. `target` = 1 when there are at least as many workers as leases, else ceil(leases / workers),
 *    capped at `maxLeasesForWorker`;
 * 3. very old leases (never renewed, or not for 3 × the failover time) are taken first, up to
 *    `maxLeasesForWorker` minus what this worker holds, ignoring the target;
 * 4. otherwise take expired leases up to the target;
 * 5. with none expired, steal from the most loaded worker: `min(needed, its count − target)` when it is
 *    above the target, 1 when it is at the target and this worker needs more than one, never more than
 *    `maxLeasesToStealAtOneTime`.
 *
 * Candidates are picked at random (injected) so that workers do not all race for the same lease.
 */
export function planLeaseTaking(input: LeaseTakingInput): LeaseTakingPlan {
  const { workerId, leases, random } = input;
  const counts = new Map<string, number>([[workerId, 0]]);
  const expired: Lease[] = [];
  const veryOld: Lease[] = [];
  for (const { lease, expired: isExpired, veryOld: isVeryOld } of leases) {
    if (isExpired) {
      expired.push(lease);
      if (isVeryOld) veryOld.push(lease);
    } else if (lease.leaseOwner !== undefined) {
      counts.set(lease.leaseOwner, (counts.get(lease.leaseOwner) ?? 0) + 1);
    }
  }
  const workerCount = counts.size;
  const leaseCount = leases.length;
  let target = workerCount >= leaseCount ? 1 : Math.ceil(leaseCount / workerCount);
  let spillover = 0;
  if (target > input.maxLeasesForWorker) {
    spillover = leaseCount - input.maxLeasesForWorker * workerCount;
    target = input.maxLeasesForWorker;
  }
  const heldCount = counts.get(workerId) ?? 0;
  const base = { target, workerCount, spillover, heldCount };
  if (leaseCount === 0) return { ...base, toTake: [], toSteal: [], needed: 0 };

  if (input.enablePriorityLeaseAssignment && veryOld.length > 0) {
    const room = Math.max(0, input.maxLeasesForWorker - heldCount);
    const toTake = shuffle(veryOld, random).slice(0, room);
    return { ...base, toTake, toSteal: [], needed: Math.max(0, target - heldCount) };
  }

  const needed = target - heldCount;
  if (needed <= 0) return { ...base, toTake: [], toSteal: [], needed: 0 };
  if (expired.length > 0) {
    return { ...base, toTake: shuffle(expired, random).slice(0, needed), toSteal: [], needed };
  }

  let mostLoaded: string | undefined;
  let mostLoadedCount = 0;
  for (const [owner, count] of shuffle([...counts], random)) {
    if (owner !== workerId && count > mostLoadedCount) {
      mostLoaded = owner;
      mostLoadedCount = count;
    }
  }
  if (mostLoaded === undefined) return { ...base, toTake: [], toSteal: [], needed };
  let stealCount = 0;
  if (mostLoadedCount > target) stealCount = Math.min(needed, mostLoadedCount - target);
  else if (mostLoadedCount === target && needed > 1) stealCount = 1;
  stealCount = Math.min(stealCount, input.maxLeasesToStealAtOneTime);
  if (stealCount <= 0) return { ...base, toTake: [], toSteal: [], needed };
  const victims = leases.filter((l) => !l.expired && l.lease.leaseOwner === mostLoaded).map((l) => l.lease);
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
