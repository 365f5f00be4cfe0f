import type { Lease, LeaseHashKeyRange } from './lease.js';
import type {
  CheckpointStore,
  CheckpointUpdate,
  LeaseMaintenanceStore,
  PendingCheckpointUpdate,
  ShardSyncStore,
} from './lease-store.js';

/**
 * One stream's leases in a multi-stream lease table, seen as a single-stream table: a lease's key
 * is its shard id inside the scope and `<streamIdentifier>:<shardId>` in the table (with the
 * `streamName` and `shardId` attributes the KCL writes). Shard sync, the hash-range audit, the
 * finished-lease cleanup and the shard consumers run unchanged on a scope, one per stream; parent
 * and child shard ids are plain shard ids in both views, as the KCL writes them.
 */
export class StreamLeaseScope {
  /** The serialized stream identifier, `<accountId>:<streamName>:<creationEpochSeconds>`. */
  readonly streamIdentifier: string;
  private readonly prefix: string;

  constructor(streamIdentifier: string) {
    this.streamIdentifier = streamIdentifier;
    this.prefix = `${streamIdentifier}:`;
  }

  /** The table's key of a shard of this stream. */
  tableKey(shardId: string): string {
    return this.prefix + shardId;
  }

  /** Whether a lease of the table belongs to this stream. */
  owns(lease: Pick<Lease, 'leaseKey'>): boolean {
    return this.ownsKey(lease.leaseKey);
  }

  /** Whether a key of the table belongs to this stream. */
  ownsKey(leaseKey: string): boolean {
    return leaseKey.startsWith(this.prefix) && !leaseKey.slice(this.prefix.length).includes(':');
  }

  /** A lease of the table as the scope sees it (its key is the shard id). */
  toScope(lease: Lease): Lease {
    return { ...lease, leaseKey: lease.shardId ?? lease.leaseKey.slice(this.prefix.length) };
  }

  /** A lease of the scope as the table holds it. */
  toTable(lease: Lease): Lease {
    return {
      ...lease,
      leaseKey: this.tableKey(lease.leaseKey),
      streamIdentifier: this.streamIdentifier,
      shardId: lease.leaseKey,
    };
  }

  /** This stream's leases among leases of the table, as the scope sees them. */
  select(leases: readonly Lease[]): Lease[] {
    return leases.filter((lease) => this.owns(lease)).map((lease) => this.toScope(lease));
  }

  /**
   * Shard sync's view of the table (reads, conditional creates) inside the scope. `table.listLeases`
   * may hand out a listing shared by every stream (`SharedLeaseListing`).
   */
  syncStore(
    table: Omit<ShardSyncStore, 'listLeases'> & {
      listLeases(signal?: AbortSignal): Promise<readonly Lease[]>;
    },
  ): ShardSyncStore {
    return {
      listLeases: async (signal) => this.select(await table.listLeases(signal)),
      getLease: async (shardId, consistentRead, signal) => {
        const lease = await table.getLease(this.tableKey(shardId), consistentRead, signal);
        return lease ? this.toScope(lease) : undefined;
      },
      createLeaseIfNotExists: (lease, signal) => table.createLeaseIfNotExists(this.toTable(lease), signal),
    };
  }

  /** The table upkeep's writes inside the scope. */
  maintenanceStore(table: LeaseMaintenanceStore): LeaseMaintenanceStore {
    return {
      backfillHashKeyRange: (shardId: string, range: LeaseHashKeyRange, signal?: AbortSignal) =>
        table.backfillHashKeyRange(this.tableKey(shardId), range, signal),
      deleteFinishedLease: (shardId: string, signal?: AbortSignal) =>
        table.deleteFinishedLease(this.tableKey(shardId), signal),
    };
  }

  /** The renewer's checkpoints (and lease checks) inside the scope. */
  checkpointStore(
    renewer: CheckpointStore & { verify(leaseKey: string, token: string): Promise<boolean> },
  ): CheckpointStore & { verify(leaseKey: string, token: string): Promise<boolean> } {
    const local = (lease: Lease | undefined) => (lease ? this.toScope(lease) : undefined);
    return {
      getLease: (shardId: string, token: string) => local(renewer.getLease(this.tableKey(shardId), token)),
      checkpoint: async (shardId: string, token: string, update: CheckpointUpdate) =>
        this.toScope(await renewer.checkpoint(this.tableKey(shardId), token, update)),
      prepareCheckpoint: async (shardId: string, token: string, update: PendingCheckpointUpdate) =>
        this.toScope(await renewer.prepareCheckpoint(this.tableKey(shardId), token, update)),
      verify: (shardId: string, token: string) => renewer.verify(this.tableKey(shardId), token),
    };
  }
}
