/**
 * An in-memory lease table with the KCL conditional-write semantics of `LeaseTable`, for unit tests
 * of the renewer, coordinator and shard consumer (integration tests use the real DynamoDB emulator).
 */

import type { Lease, LeaseHashKeyRange } from '../src/leases/lease.js';
import type {
  CheckpointUpdate,
  ConditionalWriteResult,
  LeaseMaintenanceStore,
  LeaseStore,
  PendingCheckpointUpdate,
  ShardSyncStore,
} from '../src/leases/lease-store.js';

export type StoreOperation =
  | 'list'
  | 'get'
  | 'take'
  | 'renew'
  | 'evict'
  | 'checkpoint'
  | 'pending'
  | 'create'
  | 'backfill'
  | 'delete'
  | 'handoff'
  | 'transfer';

export class InMemoryLeaseStore implements LeaseStore, ShardSyncStore, LeaseMaintenanceStore {
  readonly rows = new Map<string, Lease>();
  readonly calls: { operation: StoreOperation; leaseKey?: string }[] = [];
  private readonly failures: { operation: StoreOperation; error: unknown; remaining: number }[] = [];
  /** Called before each operation (to delay it or change rows in between). */
  beforeOperation: ((operation: StoreOperation, leaseKey?: string) => Promise<void> | void) | undefined;

  /** Makes the next `times` calls of `operation` throw `error`. */
  failNext(operation: StoreOperation, error: unknown, times = 1): void {
    this.failures.push({ operation, error, remaining: times });
  }

  put(lease: Partial<Lease> & { leaseKey: string }): Lease {
    const full: Lease = {
      leaseCounter: 0,
      checkpoint: { sequenceNumber: 'TRIM_HORIZON', subSequenceNumber: 0 },
      ownerSwitchesSinceCheckpoint: 0,
      parentShardIds: [],
      childShardIds: [],
      ...lease,
    };
    this.rows.set(full.leaseKey, full);
    return full;
  }

  count(operation: StoreOperation): number {
    return this.calls.filter((call) => call.operation === operation).length;
  }

  async listLeases(): Promise<Lease[]> {
    await this.enter('list');
    return [...this.rows.values()];
  }

  async getLease(leaseKey: string): Promise<Lease | undefined> {
    await this.enter('get', leaseKey);
    return this.rows.get(leaseKey);
  }

  async createLeaseIfNotExists(lease: Lease): Promise<boolean> {
    await this.enter('create', lease.leaseKey);
    if (this.rows.has(lease.leaseKey)) return false;
    this.rows.set(lease.leaseKey, lease);
    return true;
  }

  async takeLease(lease: Lease, owner: string): Promise<ConditionalWriteResult> {
    await this.enter('take', lease.leaseKey);
    return this.update(lease, (row) => ({
      ...row,
      leaseOwner: owner,
      leaseCounter: row.leaseCounter + 1,
      checkpointOwner: undefined,
      ownerSwitchesSinceCheckpoint:
        row.ownerSwitchesSinceCheckpoint +
        (lease.leaseOwner !== undefined && lease.leaseOwner !== owner ? 1 : 0),
    }));
  }

  async renewLease(lease: Lease, _signal?: AbortSignal): Promise<ConditionalWriteResult> {
    await this.enter('renew', lease.leaseKey);
    const row = this.rows.get(lease.leaseKey);
    if (row?.checkpointOwner !== undefined && lease.checkpointOwner === undefined) return undefined;
    return this.update(lease, (r) => ({ ...r, leaseCounter: r.leaseCounter + 1 }));
  }

  async initiateLeaseHandoff(lease: Lease, newOwner: string): Promise<ConditionalWriteResult> {
    await this.enter('handoff', lease.leaseKey);
    const row = this.rows.get(lease.leaseKey);
    if (!row || row.leaseOwner === undefined || row.leaseOwner !== lease.leaseOwner) return undefined;
    if (row.checkpointOwner !== undefined) return undefined;
    const next: Lease = { ...row, leaseOwner: newOwner, checkpointOwner: row.leaseOwner };
    this.rows.set(lease.leaseKey, next);
    return next;
  }

  async transferLease(lease: Lease): Promise<ConditionalWriteResult> {
    await this.enter('transfer', lease.leaseKey);
    const row = this.rows.get(lease.leaseKey);
    if (!row || row.leaseOwner !== lease.leaseOwner || row.checkpointOwner !== lease.checkpointOwner) {
      return undefined;
    }
    if (row.checkpointOwner === undefined) return undefined;
    const next: Lease = {
      ...row,
      checkpointOwner: undefined,
      leaseCounter: row.leaseCounter + 1,
      ownerSwitchesSinceCheckpoint: row.ownerSwitchesSinceCheckpoint + 1,
    };
    this.rows.set(lease.leaseKey, next);
    return next;
  }

  async evictLease(lease: Lease, owner: string): Promise<ConditionalWriteResult> {
    await this.enter('evict', lease.leaseKey);
    const row = this.rows.get(lease.leaseKey);
    if (!row || row.leaseOwner !== owner) return undefined;
    return this.update(lease, (r) => ({ ...r, leaseOwner: undefined, leaseCounter: r.leaseCounter + 1 }));
  }

  async updateCheckpoint(lease: Lease, update: CheckpointUpdate): Promise<ConditionalWriteResult> {
    await this.enter('checkpoint', lease.leaseKey);
    return this.update(lease, (row) => ({
      ...row,
      leaseCounter: row.leaseCounter + 1,
      checkpoint: update.checkpoint,
      ownerSwitchesSinceCheckpoint: 0,
      pendingCheckpoint: update.pendingCheckpoint,
      pendingCheckpointState: update.pendingCheckpointState,
      childShardIds: update.childShardIds?.length ? update.childShardIds : row.childShardIds,
    }));
  }

  async updatePendingCheckpoint(
    lease: Lease,
    update: PendingCheckpointUpdate,
  ): Promise<ConditionalWriteResult> {
    await this.enter('pending', lease.leaseKey);
    return this.update(lease, (row) => ({
      ...row,
      leaseCounter: row.leaseCounter + 1,
      pendingCheckpoint: update.pendingCheckpoint,
      pendingCheckpointState: update.pendingCheckpointState,
    }));
  }

  async backfillHashKeyRange(leaseKey: string, range: LeaseHashKeyRange): Promise<boolean> {
    await this.enter('backfill', leaseKey);
    const row = this.rows.get(leaseKey);
    if (!row || row.hashKeyRange) return false;
    this.rows.set(leaseKey, { ...row, hashKeyRange: range });
    return true;
  }

  async deleteFinishedLease(leaseKey: string): Promise<boolean> {
    await this.enter('delete', leaseKey);
    const row = this.rows.get(leaseKey);
    if (row?.checkpoint.sequenceNumber !== 'SHARD_END') return false;
    this.rows.delete(leaseKey);
    return true;
  }

  private update(lease: Lease, change: (row: Lease) => Lease): ConditionalWriteResult {
    const row = this.rows.get(lease.leaseKey);
    if (!row || row.leaseCounter !== lease.leaseCounter) return undefined;
    const next = change(row);
    this.rows.set(lease.leaseKey, next);
    return next;
  }

  private async enter(operation: StoreOperation, leaseKey?: string): Promise<void> {
    this.calls.push({ operation, leaseKey });
    await this.beforeOperation?.(operation, leaseKey);
    const failure = this.failures.find((f) => f.operation === operation && f.remaining > 0);
    if (failure) {
      failure.remaining--;
      throw failure.error;
    }
  }
}

/** An error shaped like an AWS SDK service error. */
export function awsError(name: string, status = 400): Error {
  return Object.assign(new Error(`${name} (test)`), { name, $metadata: { httpStatusCode: status } });
}
