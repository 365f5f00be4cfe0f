import {
  awsErrorCode,
  CheckpointSentinel,
  describeError,
  type Logger,
  SILENT_LOGGER,
} from '@kinesis-ts/core';
import { isLeaseFinished, type Lease } from '../leases/lease.js';
import type { ShardSyncStore } from '../leases/lease-store.js';
import { newLease, planShardSync, type ShardInfo } from '../leases/shard-sync-plan.js';
import type { InitialPosition } from '../retrieval/initial-position.js';
import type { ChildShard } from '../retrieval/records-retrieval.js';
import { listedShardStatus, type ShardStatusCheck } from '../retrieval/shard-status.js';
import { RepeatingTimer } from '../util/repeating-timer.js';

/** How old the shard listing may be when deciding whether a merge's other parent still exists. */
export const SHARD_LIST_MAX_AGE_MS = 5_000;

/** Options of {@link ShardSyncer}. */
export interface ShardSyncerOptions {
  readonly store: ShardSyncStore;
  /** Lists the stream's shards (ListShards); `signal` is the syncer's. */
  readonly listShards: (signal: AbortSignal) => Promise<ShardInfo[]>;
  readonly initialPosition: InitialPosition;
  /** How often a shard sync runs on its own, in ms (fixed delay). */
  readonly intervalMs: number;
  /** Aborts every call in flight and every later one (the consumer's `stop()`). */
  readonly signal: AbortSignal;
  readonly now: () => number;
  readonly logger?: Logger;
  /** A shard sync run in the background failed (it is tried again at the next occasion). */
  readonly onSyncError?: (error: unknown) => void;
  /** Leases of a finished shard's children were created: a taker run should follow. */
  readonly onChildLeasesCreated?: () => void;
  /**
   * Whether the periodic sync runs on this worker now (asked at each tick; syncs requested for a
   * reason always run). The consumer passes {@link runsPeriodicShardSync}: with an elected leader,
   * only the leader runs it, as the KCL's periodic shard sync manager does. @defaultValue always
   */
  readonly periodicSyncAllowed?: () => boolean;
}

/**
 * The shard syncer (the KCL's `ShardSyncTask` with `HierarchicalShardSyncer` and the periodic
 * sync manager): keeps one listing of the stream's shards (shared by concurrent callers, listed again
 * when too old), creates the leases the table is missing ({@link planShardSync}), and at a shard's
 * end creates its children's leases. Sync runs on its timer and on request (a taker scan found the
 * table empty or hash-range holes; a merge's other parent has no lease), one at a time.
 */
export class ShardSyncer {
  private readonly options: ShardSyncerOptions;
  private readonly logger: Logger;
  private readonly timer: RepeatingTimer;
  private shards = new Map<string, ShardInfo>();
  private shardsListedAtMs = Number.NEGATIVE_INFINITY;
  private listing: Promise<void> | undefined;
  private run: Promise<void> | undefined;

  constructor(options: ShardSyncerOptions) {
    this.options = options;
    this.logger = options.logger ?? SILENT_LOGGER;
    this.timer = new RepeatingTimer(options.intervalMs, 'fixed-delay', async () => {
      if (options.periodicSyncAllowed?.() ?? true) await this.requestSync('interval');
    });
  }

  /** Starts the periodic shard sync. */
  startTimer(): void {
    this.timer.start();
  }

  /** Stops the periodic shard sync; resolves once a run started by the timer has ended. */
  stopTimer(): Promise<void> {
    return this.timer.stop();
  }

  /** The sync and the listing in flight, for `stop()` to wait on (bounded). */
  inFlight(): (Promise<void> | undefined)[] {
    return [this.run, this.listing];
  }

  /** Lists the shards and creates the leases the table is missing (idempotent: conditional puts). */
  async sync(): Promise<void> {
    const signal = this.options.signal;
    await this.listedShards(0);
    const shards = [...this.shards.values()];
    const leases = await this.options.store.listLeases(signal);
    const existing = leases.map((lease) => ({ leaseKey: lease.leaseKey, finished: isLeaseFinished(lease) }));
    const toCreate = planShardSync(shards, existing, this.options.initialPosition);
    for (const lease of toCreate) {
      const created = await this.options.store.createLeaseIfNotExists(lease, signal);
      if (created)
        this.logger.info('Lease created', {
          leaseKey: lease.leaseKey,
          checkpoint: lease.checkpoint.sequenceNumber,
        });
    }
  }

  /**
   * A shard sync now, or the one already running. Never rejects: a failure is logged and reported
   * to `onSyncError` (unless the signal aborted it), and the next occasion tries again.
   */
  requestSync(reason: string): Promise<void> {
    this.run ??= this.sync()
      .catch((error) => {
        if (this.options.signal.aborted) return; // stop() aborted it
        this.logger.warn('Shard sync failed; retrying at the next occasion', {
          reason,
          error: describeError(error),
        });
        this.options.onSyncError?.(error);
      })
      .finally(() => {
        this.run = undefined;
      });
    return this.run;
  }

  /**
   * The shard listing, listed again when older than `maxAgeMs` (0: list now; concurrent callers share
   * one listing). Rejects when listing fails.
   */
  async listedShards(maxAgeMs: number): Promise<ReadonlyMap<string, ShardInfo>> {
    if (this.options.now() - this.shardsListedAtMs <= maxAgeMs && maxAgeMs > 0) return this.shards;
    this.listing ??= this.options
      .listShards(this.options.signal)
      .then((shards) => {
        this.shards = new Map(shards.map((shard) => [shard.shardId, shard]));
        this.shardsListedAtMs = this.options.now();
      })
      .finally(() => {
        this.listing = undefined;
      });
    await this.listing;
    return this.shards;
  }

  /** A shard as last listed, if it was. */
  shard(shardId: string): ShardInfo | undefined {
    return this.shards.get(shardId);
  }

  /**
   * Asks the listing about `shardId`, for a retrieval that must confirm a shard's end: open, closed,
   * or gone (not listed, or the stream itself is gone).
   */
  shardStatus(shardId: string): ShardStatusCheck {
    return async (maxAgeMs) => {
      try {
        return listedShardStatus(await this.listedShards(maxAgeMs), shardId);
      } catch (error) {
        if (awsErrorCode(error) === 'ResourceNotFoundException') return 'gone'; // the stream is gone
        throw error;
      }
    };
  }

  /**
   * At a shard's end: creates its children's leases (at TRIM_HORIZON, with their parents), then
   * reports `onChildLeasesCreated` so that a worker can take them at once (they wait for their
   * parents in `waiting-on-parents`). For a merge, the other parent's lease must exist first, as in
   * the KCL: a child created while it is missing would not wait for it. If the other parent is still
   * listed, a shard sync creates its lease and this shard retries (`'blocked'`); if it is not listed
   * any more (trimmed), there is nothing to wait for.
   */
  async createChildLeases(parent: Lease, children: readonly ChildShard[]): Promise<'created' | 'blocked'> {
    const store = this.options.store;
    const merge = children.length === 1 ? children[0] : undefined;
    if (merge && merge.parentShardIds.length === 2) {
      const other = merge.parentShardIds.find((id) => id !== parent.leaseKey);
      if (other !== undefined && (await store.getLease(other)) === undefined) {
        const listed = (await this.listedShards(SHARD_LIST_MAX_AGE_MS)).has(other);
        if (listed) {
          this.logger.warn('The other parent of a merge has no lease; creating it before the child', {
            shardId: parent.leaseKey,
            otherParent: other,
            child: merge.shardId,
          });
          await this.requestSync('merge parent without a lease');
          if ((await store.getLease(other)) === undefined) return 'blocked';
        }
      }
    }
    for (const child of children) {
      const lease = newLease(
        {
          shardId: child.shardId,
          parentShardIds: child.parentShardIds.length > 0 ? child.parentShardIds : [parent.leaseKey],
          startingHashKey: child.startingHashKey,
          endingHashKey: child.endingHashKey,
        },
        CheckpointSentinel.TRIM_HORIZON,
      );
      const created = await store.createLeaseIfNotExists(lease);
      if (created)
        this.logger.info('Child lease created', { leaseKey: lease.leaseKey, parent: parent.leaseKey });
    }
    this.options.onChildLeasesCreated?.();
    return 'created';
  }
}
