import { MAX_HASH_KEY } from '@kinesis-ts/core';
import { isLeaseFinished, type Lease, type LeaseHashKeyRange } from './lease.js';

/** A part of the hash space no lease covers, as decimal strings (inclusive). */
export interface HashRangeHole {
  readonly startingHashKey: string;
  readonly endingHashKey: string;
}

/**
 * The parts of the hash space `0 … 2^128 − 1` that none of `ranges` covers, in order. Ranges may
 * overlap (during a merge the child and the other parent cover the same keys) and come in any order.
 */
export function findHashRangeHoles(ranges: readonly LeaseHashKeyRange[]): HashRangeHole[] {
  const sorted = ranges
    .map((range) => ({ start: BigInt(range.startingHashKey), end: BigInt(range.endingHashKey) }))
    .sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
  const holes: HashRangeHole[] = [];
  let next = 0n; // the first key not yet covered
  for (const { start, end } of sorted) {
    if (start > next) holes.push({ startingHashKey: String(next), endingHashKey: String(start - 1n) });
    if (end + 1n > next) next = end + 1n;
  }
  if (next <= MAX_HASH_KEY)
    holes.push({ startingHashKey: String(next), endingHashKey: String(MAX_HASH_KEY) });
  return holes;
}

/**
 * The holes left by the leases still to be worked on (SHARD_END ones excluded), or `undefined` when
 * that cannot be told: a lease has no hash range (rows written by KCL versions before 2.3), or there
 * are no leases at all (an empty table is handled by a shard sync at once, not by this audit).
 */
export function leaseHashRangeHoles(leases: readonly Lease[]): HashRangeHole[] | undefined {
  const open = leases.filter((lease) => !isLeaseFinished(lease) && !lease.leaseKey.includes(':'));
  if (open.length === 0) return undefined;
  const ranges: LeaseHashKeyRange[] = [];
  for (const lease of open) {
    if (!lease.hashKeyRange) return undefined;
    ranges.push(lease.hashKeyRange);
  }
  return findHashRangeHoles(ranges);
}

/**
 * Decides when holes in the leases' hash ranges call for a shard sync, as the KCL's periodic auditor
 * does: only when the *same* holes show up in `confidenceThreshold` consecutive audits, so that a
 * hole seen once while leases are being created does not trigger a sync.
 */
export class HashRangeAuditor {
  private lastHoles = '';
  private streak = 0;

  constructor(private readonly confidenceThreshold: number) {}

  /** Records one audit's holes (`undefined`: cannot tell); returns true when a shard sync is due. */
  audit(holes: readonly HashRangeHole[] | undefined): boolean {
    if (holes === undefined || holes.length === 0) {
      this.reset();
      return false;
    }
    const key = holes.map((hole) => `${hole.startingHashKey}-${hole.endingHashKey}`).join(',');
    this.streak = key === this.lastHoles ? this.streak + 1 : 1;
    this.lastHoles = key;
    if (this.streak < this.confidenceThreshold) return false;
    this.reset();
    return true;
  }

  /** Forgets the holes seen (after a shard sync). */
  reset(): void {
    this.lastHoles = '';
    this.streak = 0;
  }
}
