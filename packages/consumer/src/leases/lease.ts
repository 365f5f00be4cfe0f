import { CheckpointSentinel, type ExtendedSequenceNumber } from '@kinesis-ts/core';

/** A shard's place in the hash space, as decimal strings (the lease table's `startingHashKey`/`endingHashKey`). */
export interface LeaseHashKeyRange {
  readonly startingHashKey: string;
  readonly endingHashKey: string;
}

/**
 * One row of the lease table, as the KCL 2.x/3.x writes it (attribute names in
 * `LEASE_ATTRIBUTES`). A snapshot: every write produces a new object.
 */
export interface Lease {
  /** The shard id in a single-stream application (`shardId-000000000042`). */
  readonly leaseKey: string;
  /** The worker holding the lease; absent when nobody does. */
  readonly leaseOwner?: string;
  /** The fencing counter: every renewal, take, checkpoint and release increments it. */
  readonly leaseCounter: number;
  /** The position processing has reached, or a sentinel (`TRIM_HORIZON`, `LATEST`, `AT_TIMESTAMP`, `SHARD_END`). */
  readonly checkpoint: ExtendedSequenceNumber;
  /** A checkpoint announced by `prepareCheckpoint` and not yet made. */
  readonly pendingCheckpoint?: ExtendedSequenceNumber;
  /** Application bytes stored with the pending checkpoint. */
  readonly pendingCheckpointState?: Uint8Array;
  /** How many times the owner changed since the last checkpoint. */
  readonly ownerSwitchesSinceCheckpoint: number;
  /** The shards this one was split or merged from (the table attribute is the singular `parentShardId`). */
  readonly parentShardIds: readonly string[];
  /** The shards this one was split or merged into, written when it reached SHARD_END. */
  readonly childShardIds: readonly string[];
  /** The shard's hash range, when the row carries it. */
  readonly hashKeyRange?: LeaseHashKeyRange;
  /** KCL 3.x graceful handoff: the worker that may still checkpoint while `leaseOwner` is the next owner. */
  readonly checkpointOwner?: string;
  /** KCL 3.x: the shard's throughput estimate; kept, never written by this package. */
  readonly throughputKBps?: number;
  /**
   * Multi-stream leases only: the serialized stream identifier `<accountId>:<streamName>:<creationEpochSeconds>`
   * (the table attribute is `streamName`, as the KCL names it).
   */
  readonly streamIdentifier?: string;
  /** Multi-stream leases only: the shard id (the `shardId` attribute). */
  readonly shardId?: string;
}

/** Whether the lease's shard has been processed to its end. */
export function isLeaseFinished(lease: Lease): boolean {
  return lease.checkpoint.sequenceNumber === CheckpointSentinel.SHARD_END;
}

/** The shard id of a lease key: the key itself, or its last part in a multi-stream key. */
export function shardIdOfLeaseKey(leaseKey: string): string {
  const colon = leaseKey.lastIndexOf(':');
  return colon === -1 ? leaseKey : leaseKey.slice(colon + 1);
}
