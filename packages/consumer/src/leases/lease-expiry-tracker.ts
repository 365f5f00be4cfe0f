import type { Lease } from './lease.js';

/** The "last change" of a lease first seen unowned: it was never renewed, so it is available at once. */
export const NEVER_RENEWED = Number.NEGATIVE_INFINITY;

interface Observation {
  readonly leaseCounter: number;
  /** When the counter was last seen to change, in ms; `NEVER_RENEWED` for a lease seen unowned on first sight. */
  readonly lastCounterChangeMs: number;
}

/**
 * Detects expired leases without trusting any clock but this worker's own, as the KCL 2.x does: no
 * time is stored in the table, so a lease is known alive only by seeing its `leaseCounter` change
 * between two scans. After each scan (`observe`), per lease:
 *
 * - seen before with the same counter: keep when it last changed;
 * - counter changed: it changed now (the scan time);
 * - first sight and unowned: never renewed (`NEVER_RENEWED`, so it is available at once);
 * - first sight and owned: now, giving the owner a full failover time to prove it is alive.
 *
 * A lease is expired when it has no owner or its counter has not changed for more than the failover
 * time. Consequence: a worker that just started declares nothing expired before one failover time.
 */
export class LeaseExpiryTracker {
  private observations = new Map<string, Observation>();

  /** Records a scan's leases, taken at `scanTimeMs`. Leases missing from the scan are forgotten. */
  observe(leases: readonly Lease[], scanTimeMs: number): void {
    const next = new Map<string, Observation>();
    for (const lease of leases) {
      const previous = this.observations.get(lease.leaseKey);
      let lastCounterChangeMs: number;
      if (previous === undefined)
        lastCounterChangeMs = lease.leaseOwner === undefined ? NEVER_RENEWED : scanTimeMs;
      else if (previous.leaseCounter === lease.leaseCounter)
        lastCounterChangeMs = previous.lastCounterChangeMs;
      else lastCounterChangeMs = scanTimeMs;
      next.set(lease.leaseKey, { leaseCounter: lease.leaseCounter, lastCounterChangeMs });
    }
    this.observations = next;
  }

  /** Notes a counter this worker wrote itself (a take or renewal) so that it is not mistaken for a stale one. */
  recordWrite(lease: Lease, writeTimeMs: number): void {
    this.observations.set(lease.leaseKey, {
      leaseCounter: lease.leaseCounter,
      lastCounterChangeMs: writeTimeMs,
    });
  }

  /** When the lease's counter was last seen to change (`NEVER_RENEWED`: never), or `undefined` when it was never observed. */
  lastCounterChangeMs(leaseKey: string): number | undefined {
    return this.observations.get(leaseKey)?.lastCounterChangeMs;
  }

  /** Whether the lease may be taken: it has no owner, or its counter has not moved for more than `failoverTimeMs`. */
  isExpired(lease: Lease, nowMs: number, failoverTimeMs: number): boolean {
    if (lease.leaseOwner === undefined) return true;
    const last = this.observations.get(lease.leaseKey)?.lastCounterChangeMs;
    if (last === undefined) return false;
    return nowMs - last > failoverTimeMs;
  }

  /**
   * Whether the lease is "very old": never renewed since first seen unowned, or not renewed for more
   * than `3 × failoverTimeMs` (the KCL's priority leases, taken before balancing).
   */
  isVeryOld(lease: Lease, nowMs: number, failoverTimeMs: number): boolean {
    const last = this.observations.get(lease.leaseKey)?.lastCounterChangeMs;
    if (last === undefined) return false;
    return last === NEVER_RENEWED || nowMs - last > 3 * failoverTimeMs;
  }
}
