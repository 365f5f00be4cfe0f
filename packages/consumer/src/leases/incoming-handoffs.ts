import type { Lease } from './lease.js';

/** The KCL 3.x `gracefulLeaseHandoffTimeoutMillis`. */
export const DEFAULT_GRACEFUL_LEASE_HANDOFF_TIMEOUT_MS = 30_000;

interface PendingHandoff {
  /** When this worker first saw the lease in this handoff (or started it), in ms. */
  readonly sinceMs: number;
  readonly from: string;
  readonly to: string;
}

/**
 * What the taker knows of leases in a KCL 3.x graceful handoff (`checkpointOwner` set): since when
 * each has been pending, so that a lease is left to its old owner until it hands over, and taken
 * anyway once `timeoutMs` passed (the old owner died, or is a KCL 2.x worker that ignores
 * `checkpointOwner`). The clock starts when this worker first sees the handoff, as the KCL's
 * `checkpointOwnerTimeoutTimestampMillis` does: it is never stored in the table.
 */
export class IncomingHandoffs {
  private readonly pending = new Map<string, PendingHandoff>();
  /** Leases handed over to this worker, with their old owner, until this worker takes them. */
  private readonly handedOver = new Map<string, string>();

  constructor(
    private readonly workerId: string,
    private readonly timeoutMs: number,
  ) {}

  /** Records a handoff this worker started (its write returned `lease`). */
  started(lease: Lease, from: string | undefined, atMs: number): void {
    if (!lease.checkpointOwner || !lease.leaseOwner) return;
    this.pending.set(lease.leaseKey, {
      sinceMs: atMs,
      from: from ?? lease.checkpointOwner,
      to: lease.leaseOwner,
    });
  }

  /** Records a lease seen in a handoff outside a full scan (index discovery), if not known yet. */
  notePending(lease: Lease, atMs: number): void {
    if (!lease.checkpointOwner || !lease.leaseOwner) return;
    const known = this.pending.get(lease.leaseKey);
    if (known && known.from === lease.checkpointOwner && known.to === lease.leaseOwner) return;
    this.pending.set(lease.leaseKey, { sinceMs: atMs, from: lease.checkpointOwner, to: lease.leaseOwner });
  }

  /** Updates the pending handoffs from a scan of the whole table. */
  observe(leases: readonly Lease[], scannedAtMs: number): void {
    const seen = new Set<string>();
    for (const lease of leases) {
      seen.add(lease.leaseKey);
      const known = this.pending.get(lease.leaseKey);
      if (lease.checkpointOwner && lease.leaseOwner) {
        if (!known || known.from !== lease.checkpointOwner || known.to !== lease.leaseOwner) {
          this.pending.set(lease.leaseKey, {
            sinceMs: scannedAtMs,
            from: lease.checkpointOwner,
            to: lease.leaseOwner,
          });
        }
        continue;
      }
      if (known) {
        this.pending.delete(lease.leaseKey);
        if (known.to === this.workerId && lease.leaseOwner === this.workerId) {
          this.handedOver.set(lease.leaseKey, known.from);
        }
      }
    }
    for (const leaseKey of [...this.pending.keys()]) if (!seen.has(leaseKey)) this.pending.delete(leaseKey);
    for (const leaseKey of [...this.handedOver.keys()])
      if (!seen.has(leaseKey)) this.handedOver.delete(leaseKey);
  }

  /**
   * Whether the taker may take `lease` now: it is in no handoff, or its old owner stopped renewing
   * (`expired`), or the handoff has been pending for `timeoutMs`.
   */
  mayTake(lease: Lease, nowMs: number, expired: boolean): boolean {
    if (!lease.checkpointOwner) return true;
    if (expired) return true;
    const known = this.pending.get(lease.leaseKey);
    return known !== undefined && nowMs - known.sinceMs >= this.timeoutMs;
  }

  /**
   * A row index discovery read that names this worker with no handoff left: when this worker saw it
   * in a handoff to itself, the handoff is over, and this resolves its old owner (once).
   */
  handedOverRow(lease: Lease): string | undefined {
    const known = this.pending.get(lease.leaseKey);
    if (!known || lease.checkpointOwner || lease.leaseOwner !== this.workerId || known.to !== this.workerId) {
      return undefined;
    }
    this.pending.delete(lease.leaseKey);
    return known.from;
  }

  /** The old owner of a lease handed over to this worker, once (when this worker takes it). */
  completed(leaseKey: string): string | undefined {
    const from = this.handedOver.get(leaseKey);
    this.handedOver.delete(leaseKey);
    return from;
  }
}
