import { raceAbort } from '../util/signals.js';
import type { Lease } from './lease.js';

/** Options of {@link SharedLeaseListing}. */
export interface SharedLeaseListingOptions {
  /** Scans the whole lease table (the table's `listLeases`). */
  readonly scan: (signal?: AbortSignal) => Promise<Lease[]>;
  /** How old a listing may be and still be handed out, in ms. */
  readonly maxAgeMs: number;
  /** The clock, in ms. */
  readonly now: () => number;
  /** Aborts the scans (the consumer's stop). @defaultValue none */
  readonly signal?: AbortSignal;
}

/**
 * One scan of the lease table shared by the shard syncs of every stream of a multi-stream
 * application. Each stream's shard sync needs the table's leases; scanning the table once per stream
 * costs N scans of the whole table per sync interval. Here a sync gets the scan in flight, or the
 * latest one (a taker's or assignment leader's included, through {@link record}) when it is at most
 * `maxAgeMs` old, and scans only otherwise.
 *
 * A listing a little old is safe for shard sync: a lease created since is missing from it, and the
 * sync's conditional create of it fails harmlessly; a lease deleted since is still in it, and a sync
 * never creates a lease it sees.
 */
export class SharedLeaseListing {
  private readonly options: SharedLeaseListingOptions;
  private latest: { readonly leases: readonly Lease[]; readonly atMs: number } | undefined;
  private inFlight: Promise<readonly Lease[]> | undefined;

  constructor(options: SharedLeaseListingOptions) {
    this.options = options;
  }

  /**
   * The table's leases: the scan in flight, else the latest listing when at most `maxAgeMs` old,
   * else a new scan. A caller's `signal` rejects its own wait, not a scan others share.
   */
  list(signal?: AbortSignal): Promise<readonly Lease[]> {
    signal?.throwIfAborted();
    const latest = this.latest;
    if (this.inFlight === undefined && latest && this.options.now() - latest.atMs <= this.options.maxAgeMs) {
      return Promise.resolve(latest.leases);
    }
    const scan = this.inFlight ?? this.startScan();
    return signal === undefined ? scan : raceAbort(scan, signal);
  }

  /** A scan made elsewhere (the lease taker's, started at `atMs`), handed out while it is fresh. */
  record(leases: readonly Lease[], atMs: number): void {
    if (this.latest === undefined || atMs >= this.latest.atMs) this.latest = { leases, atMs };
  }

  private startScan(): Promise<readonly Lease[]> {
    const startedAtMs = this.options.now();
    const scan = this.options
      .scan(this.options.signal)
      .then((leases) => {
        this.record(leases, startedAtMs);
        return leases;
      })
      .finally(() => {
        if (this.inFlight === scan) this.inFlight = undefined;
      });
    this.inFlight = scan;
    return scan;
  }
}

/**
 * How old a shared listing may be for shard sync: half the shard sync interval, so that every
 * stream's periodic sync can use the same scan (or a taker's), and none uses one from before the
 * previous round.
 */
export function sharedLeaseListingMaxAgeMs(shardSyncIntervalMs: number): number {
  return Math.floor(shardSyncIntervalMs / 2);
}
