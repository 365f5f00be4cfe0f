/**
 * How many leases each worker held over time, from its own lease lines: a take adds one, a loss or
 * a release removes it. Checks the `maxLeasesForWorker` cap and what graceful stops left behind.
 */
import type { LogLine } from './delivery-log.js';

export interface LeaseHoldings {
  /** The most leases one worker held at once, and which worker. */
  readonly maxHeld: number;
  readonly maxHeldBy: string | undefined;
  /** Workers that held more than the cap at some moment, with the most they held. */
  readonly overCap: readonly { readonly workerId: string; readonly held: number }[];
  /** Releases whose conditional write failed (the lease then waits for the failover time). */
  readonly failedReleases: number;
  /** Leases a worker still held when its graceful stop finished (neither released nor lost). */
  readonly heldAtStop: readonly { readonly workerId: string; readonly leases: readonly string[] }[];
}

/** The leases each worker holds after `lines` (by its own account). */
export function heldLeases(lines: readonly LogLine[]): Map<string, Set<string>> {
  const held = new Map<string, Set<string>>();
  for (const line of [...lines].sort((a, b) => a.t - b.t)) {
    if (line.e !== 'lease') continue;
    const leases = held.get(line.w) ?? new Set<string>();
    held.set(line.w, leases);
    if (line.kind === 'taken') leases.add(line.s);
    else leases.delete(line.s);
  }
  return held;
}

export function leaseHoldings(lines: readonly LogLine[], cap: number): LeaseHoldings {
  const held = new Map<string, Set<string>>();
  const most = new Map<string, number>();
  const heldAtStop: { workerId: string; leases: string[] }[] = [];
  let failedReleases = 0;
  for (const line of [...lines].sort((a, b) => a.t - b.t)) {
    if (line.e === 'stopped') {
      const leases = [...(held.get(line.w) ?? [])];
      if (leases.length > 0) heldAtStop.push({ workerId: line.w, leases });
      continue;
    }
    if (line.e !== 'lease') continue;
    const leases = held.get(line.w) ?? new Set<string>();
    held.set(line.w, leases);
    if (line.kind === 'taken') {
      leases.add(line.s);
      most.set(line.w, Math.max(most.get(line.w) ?? 0, leases.size));
    } else {
      leases.delete(line.s);
      if (line.kind === 'released' && line.written === false) failedReleases++;
    }
  }
  let maxHeld = 0;
  let maxHeldBy: string | undefined;
  for (const [workerId, count] of most) {
    if (count > maxHeld) {
      maxHeld = count;
      maxHeldBy = workerId;
    }
  }
  return {
    maxHeld,
    maxHeldBy,
    overCap: [...most.entries()]
      .filter(([, count]) => count > cap)
      .map(([workerId, count]) => ({ workerId, held: count })),
    failedReleases,
    heldAtStop,
  };
}
