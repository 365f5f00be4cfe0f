import type { ExtendedSequenceNumber } from '@kinesis-ts/core';
import type { Lease, LeaseHashKeyRange } from './lease.js';

/**
 * The lease table as the lease protocol sees it: the operations of the renewer, the taker and the
 * checkpointer, with the KCL's conditional-write semantics. Implemented by the DynamoDB lease table
 * (`leases/dynamodb/lease-table.ts`) and by an in-memory fake in tests.
 */

/** The outcome of a conditional write: the lease as written, or `undefined` when the condition failed. */
export type ConditionalWriteResult = Lease | undefined;

/** What a checkpoint write changes (the KCL's `updateLease`). */
export interface CheckpointUpdate {
  readonly checkpoint: ExtendedSequenceNumber;
  /** The pending checkpoint to keep; `undefined` removes it, as a full checkpoint does. */
  readonly pendingCheckpoint?: ExtendedSequenceNumber;
  readonly pendingCheckpointState?: Uint8Array;
  /** Written at SHARD_END. */
  readonly childShardIds?: readonly string[];
}

/** What a prepared (pending) checkpoint write changes. */
export interface PendingCheckpointUpdate {
  readonly pendingCheckpoint: ExtendedSequenceNumber;
  readonly pendingCheckpointState?: Uint8Array;
}

/**
 * The KCL 3.x graceful handoff writes (see `leases/dynamodb/lease-handoff-expressions.ts`). A mover
 * (this worker's balancing, an assignment planner, an operator) calls `initiateLeaseHandoff`; the
 * old owner's renewer ends the handoff with `transferLease` once it has checkpointed.
 */
export interface LeaseHandoffWriter {
  /**
   * `SET leaseOwner = newOwner, checkpointOwner = <lease.leaseOwner>` without touching the counter,
   * if the row is still owned by `lease.leaseOwner` and not in a handoff. Resolves the row as written.
   */
  initiateLeaseHandoff(lease: Lease, newOwner: string, signal?: AbortSignal): Promise<ConditionalWriteResult>;
  /**
   * Ends a handoff from the old owner's side: `lease.leaseOwner` is the new owner, `lease.checkpointOwner`
   * the old (this worker). Counter + 1 and `checkpointOwner` removed. Resolves the row as written.
   */
  transferLease(lease: Lease, signal?: AbortSignal): Promise<ConditionalWriteResult>;
}

/** The lease table operations the renewer needs (implemented by `LeaseTable`, or a fake in tests). */
export interface LeaseWriter extends LeaseHandoffWriter {
  /** Renews; writes `throughputKBps` too when given (load-aware assignment). */
  renewLease(lease: Lease, signal?: AbortSignal, throughputKBps?: number): Promise<ConditionalWriteResult>;
  evictLease(lease: Lease, owner: string, signal?: AbortSignal): Promise<ConditionalWriteResult>;
  updateCheckpoint(lease: Lease, update: CheckpointUpdate): Promise<ConditionalWriteResult>;
  updatePendingCheckpoint(lease: Lease, update: PendingCheckpointUpdate): Promise<ConditionalWriteResult>;
  getLease(leaseKey: string, consistentRead?: boolean, signal?: AbortSignal): Promise<Lease | undefined>;
}

/** The lease table operations the coordinator needs. */
export interface LeaseStore extends LeaseWriter {
  listLeases(signal?: AbortSignal): Promise<Lease[]>;
  takeLease(lease: Lease, owner: string): Promise<ConditionalWriteResult>;
}

/** Where checkpoints are written: the lease renewer (which queues writes per lease). */
export interface CheckpointStore {
  /** The lease's latest snapshot while it is held with `token` (and not locally expired). */
  getLease(leaseKey: string, token: string): Lease | undefined;
  checkpoint(leaseKey: string, token: string, update: CheckpointUpdate): Promise<Lease>;
  prepareCheckpoint(leaseKey: string, token: string, update: PendingCheckpointUpdate): Promise<Lease>;
}

/** The lease table operations shard sync needs: read the leases, create the missing ones. */
export interface ShardSyncStore {
  listLeases(signal?: AbortSignal): Promise<Lease[]>;
  getLease(leaseKey: string, consistentRead?: boolean, signal?: AbortSignal): Promise<Lease | undefined>;
  /** Writes a new lease unless one with its key exists; resolves whether it wrote it. */
  createLeaseIfNotExists(lease: Lease, signal?: AbortSignal): Promise<boolean>;
}

/** The lease table operations of its upkeep: hash ranges filled in, finished leases deleted. */
export interface LeaseMaintenanceStore {
  /** Writes a hash range onto a lease that has none; resolves whether it wrote it. */
  backfillHashKeyRange(leaseKey: string, range: LeaseHashKeyRange, signal?: AbortSignal): Promise<boolean>;
  /** Deletes a lease while it is at SHARD_END; resolves whether it deleted it. */
  deleteFinishedLease(leaseKey: string, signal?: AbortSignal): Promise<boolean>;
}

/** The lease table itself: whether it exists, its creation, its readiness. */
export interface LeaseTableLifecycle {
  readonly tableName: string;
  /** The table's status (`ACTIVE`, `CREATING`…), or `undefined` when it does not exist. */
  describeStatus(signal?: AbortSignal): Promise<string | undefined>;
  /** Creates the table; resolves `false` when it already exists. */
  create(signal?: AbortSignal): Promise<boolean>;
  /** Resolves `true` once the table is ACTIVE (or UPDATING), `false` after `timeoutMs`. */
  waitUntilActive(timeoutMs: number, pollIntervalMs: number, signal?: AbortSignal): Promise<boolean>;
}
