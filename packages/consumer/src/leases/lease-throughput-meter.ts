import { nextThroughputKBps } from './assignment/exponential-moving-average.js';

/** What renewals read the `throughputKBps` to write from (`undefined`: write none). */
export interface ThroughputEstimates {
  nextEstimate(leaseKey: string, previousKBps: number | undefined): number | undefined;
}

/**
 * Counts the bytes delivered to the processor per lease, and turns them into the `throughputKBps`
 * each renewal writes (the KCL's estimate: bytes per renewal interval, EMA α 0.5).
 */
export class LeaseThroughputMeter {
  private readonly leases = new Map<
    string,
    { bytes: number; sinceMs: number; estimate: number | undefined }
  >();

  constructor(private readonly options: { readonly now: () => number; readonly alpha: number }) {}

  /** Adds bytes delivered for a lease. */
  record(leaseKey: string, bytes: number): void {
    const entry = this.entry(leaseKey);
    entry.bytes += bytes;
  }

  /**
   * The estimate to write with a renewal now: the bytes since the last call over the time since then,
   * folded into the previous estimate (the row's value the first time). Resets the byte count.
   */
  nextEstimate(leaseKey: string, previousKBps: number | undefined): number {
    const now = this.options.now();
    const entry = this.entry(leaseKey);
    const intervalMs = now - entry.sinceMs;
    if (intervalMs <= 0) return entry.estimate ?? previousKBps ?? 0;
    const estimate = nextThroughputKBps(
      entry.estimate ?? previousKBps,
      entry.bytes,
      intervalMs,
      this.options.alpha,
    );
    entry.bytes = 0;
    entry.sinceMs = now;
    entry.estimate = estimate;
    return estimate;
  }

  /** Forgets a lease (lost or released). */
  forget(leaseKey: string): void {
    this.leases.delete(leaseKey);
  }

  private entry(leaseKey: string) {
    let entry = this.leases.get(leaseKey);
    if (!entry) {
      entry = { bytes: 0, sinceMs: this.options.now(), estimate: undefined };
      this.leases.set(leaseKey, entry);
    }
    return entry;
  }
}
