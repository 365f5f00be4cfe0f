import { describeError, type Logger, SILENT_LOGGER } from '@kinesis-ts/core';
import { HashRangeAuditor, leaseHashRangeHoles } from '../leases/hash-range-audit.js';
import { isLeaseFinished, type Lease, shardIdOfLeaseKey } from '../leases/lease.js';
import { planLeaseCleanup } from '../leases/lease-cleanup-plan.js';
import type { LeaseMaintenanceStore } from '../leases/lease-store.js';
import type { ShardInfo } from '../leases/shard-sync-plan.js';
import { SHARD_LIST_MAX_AGE_MS } from './shard-syncer.js';

/** Consecutive taker scans that must show the same hash-range holes before a shard sync (the KCL's 3). */
export const HOLE_CONFIDENCE_THRESHOLD = 3;
/** How often leases without a hash range are filled in (each round lists the shards). */
export const HASH_RANGE_BACKFILL_INTERVAL_MS = 60_000;

/** Options of {@link LeaseTableMaintenance}. */
export interface LeaseTableMaintenanceOptions {
  readonly store: LeaseMaintenanceStore;
  /** The stream's shards, from a listing at most `maxAgeMs` old. */
  readonly listedShards: (maxAgeMs: number) => Promise<ReadonlyMap<string, ShardInfo>>;
  /** Asks for a shard sync (it runs in the background and never rejects). */
  readonly requestShardSync: (reason: string) => unknown;
  /** Whether the consumer is running: scans are ignored otherwise, and work in flight stops. */
  readonly isRunning: () => boolean;
  /** Delete finished leases once their children have started. */
  readonly cleanupLeasesUponShardCompletion: boolean;
  /** The least time between two cleanups, in ms. */
  readonly leaseCleanupIntervalMs: number;
  /** Aborts the table calls in flight (the consumer's `stop()`). */
  readonly signal: AbortSignal;
  readonly logger?: Logger;
  /** A finished lease was deleted. */
  readonly onLeaseDeleted?: (leaseKey: string) => void;
  /** Deleting a finished lease failed (it is tried again at the next cleanup). */
  readonly onError?: (operation: 'delete-lease', error: unknown) => void;
}

/**
 * The upkeep of the lease table, driven by what each taker scan shows (the KCL's leases recovery
 * auditor and `LeaseCleanupManager`): a shard sync when the table is empty or the same hash-range
 * holes show up three scans running; hash ranges written onto leases that have none (rows of KCL
 * versions before 2.3, which blind the hole audit); finished leases deleted once their children have
 * started, at most once per `leaseCleanupIntervalMs`.
 */
export class LeaseTableMaintenance {
  private readonly options: LeaseTableMaintenanceOptions;
  private readonly logger: Logger;
  private readonly holeAuditor = new HashRangeAuditor(HOLE_CONFIDENCE_THRESHOLD);
  private lastCleanupAtMs = Number.NEGATIVE_INFINITY;
  private cleanupRun: Promise<void> | undefined;
  private hashRangeBackfill: Promise<void> | undefined;
  private lastHashRangeBackfillAtMs = Number.NEGATIVE_INFINITY;

  constructor(options: LeaseTableMaintenanceOptions) {
    this.options = options;
    this.logger = options.logger ?? SILENT_LOGGER;
  }

  /** The cleanup and the backfill in flight, for `stop()` to wait on (bounded). */
  inFlight(): (Promise<void> | undefined)[] {
    return [this.cleanupRun, this.hashRangeBackfill];
  }

  /** What a taker scan shows (every lease, finished ones included), at `scannedAtMs`. */
  onScan(leases: readonly Lease[], scannedAtMs: number): void {
    if (!this.options.isRunning()) return;
    const holes = leaseHashRangeHoles(leases);
    if (
      holes === undefined &&
      leases.length > 0 &&
      this.hashRangeBackfill === undefined &&
      scannedAtMs - this.lastHashRangeBackfillAtMs >= HASH_RANGE_BACKFILL_INTERVAL_MS
    ) {
      // Rows from KCL versions before 2.3 have no hash range, which blinds the hole audit: fill them in.
      const missing = leases.filter(
        (lease) => !lease.hashKeyRange && !isLeaseFinished(lease) && !lease.leaseKey.includes(':'),
      );
      if (missing.length > 0) {
        this.lastHashRangeBackfillAtMs = scannedAtMs;
        this.hashRangeBackfill = this.backfillHashRanges(missing).finally(() => {
          this.hashRangeBackfill = undefined;
        });
      }
    }
    if (leases.length === 0) {
      this.logger.warn('The lease table is empty; syncing shards');
      void this.options.requestShardSync('empty lease table');
    } else if (this.holeAuditor.audit(holes)) {
      this.logger.warn('No lease covers part of the hash space; syncing shards', { holes });
      void this.options.requestShardSync('hash range holes');
    }
    if (
      this.options.cleanupLeasesUponShardCompletion &&
      this.cleanupRun === undefined &&
      scannedAtMs - this.lastCleanupAtMs >= this.options.leaseCleanupIntervalMs
    ) {
      this.lastCleanupAtMs = scannedAtMs;
      const finished = planLeaseCleanup(leases);
      if (finished.length > 0) {
        this.cleanupRun = this.deleteFinishedLeases(finished).finally(() => {
          this.cleanupRun = undefined;
        });
      }
    }
  }

  /** Writes the listed shards' hash ranges onto leases that have none (the KCL backfills them too). */
  private async backfillHashRanges(leases: readonly Lease[]): Promise<void> {
    const signal = this.options.signal;
    try {
      const shards = await this.options.listedShards(SHARD_LIST_MAX_AGE_MS);
      let filled = 0;
      for (const lease of leases) {
        if (!this.options.isRunning()) return;
        const shard = shards.get(shardIdOfLeaseKey(lease.leaseKey));
        if (!shard) continue; // trimmed: nothing to fill in, and its lease ends on its own
        const { startingHashKey, endingHashKey } = shard;
        const range = { startingHashKey, endingHashKey };
        if (await this.options.store.backfillHashKeyRange(lease.leaseKey, range, signal)) filled++;
      }
      if (filled > 0) this.logger.info('Hash ranges written onto leases that had none', { leases: filled });
    } catch (error) {
      if (signal.aborted) return;
      this.logger.warn('Filling in lease hash ranges failed; retrying at a later scan', {
        error: describeError(error),
      });
    }
  }

  /** Deletes finished leases whose children have started (conditional on SHARD_END; others may race). */
  private async deleteFinishedLeases(leases: readonly Lease[]): Promise<void> {
    const signal = this.options.signal;
    for (const lease of leases) {
      if (!this.options.isRunning()) return;
      try {
        const deleted = await this.options.store.deleteFinishedLease(lease.leaseKey, signal);
        if (!deleted) continue;
        this.logger.info('Finished lease deleted: its children have started', {
          leaseKey: lease.leaseKey,
          childShardIds: lease.childShardIds,
        });
        this.options.onLeaseDeleted?.(lease.leaseKey);
      } catch (error) {
        if (signal.aborted) return;
        this.logger.warn('Deleting a finished lease failed; retrying at the next cleanup', {
          leaseKey: lease.leaseKey,
          error: describeError(error),
        });
        this.options.onError?.('delete-lease', error);
      }
    }
  }
}
