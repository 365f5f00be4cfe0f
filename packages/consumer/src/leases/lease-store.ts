import type { ExtendedSequenceNumber } from '@kinesis-ts/core';
import type { Lease } from './lease.js';

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

/** The lease table operations the renewer needs (implemented by `LeaseTable`, or a fake in tests). */
export interface LeaseWriter {
  renewLease(lease: Lease, signal?: AbortSignal): Promise<ConditionalWriteResult>;
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
