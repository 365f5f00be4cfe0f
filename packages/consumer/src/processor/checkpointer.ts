import type { ExtendedSequenceNumber } from '@kinesis-ts/core';

/** A position to checkpoint at: a record (or anything with its sequence and sub-sequence numbers). */
export interface CheckpointPosition {
  readonly sequenceNumber: string;
  /** @defaultValue 0 */
  readonly subSequenceNumber?: number;
}

/** A checkpoint announced with `prepareCheckpoint`, to be made later. */
export interface PreparedCheckpointer {
  /** The position that `checkpoint()` will write. */
  readonly pendingCheckpoint: ExtendedSequenceNumber;
  /** Makes the prepared checkpoint (and clears the pending one). */
  checkpoint(): Promise<void>;
}

/**
 * Records progress on a shard in the lease table, as the KCL's `RecordProcessorCheckpointer` does.
 * Checkpoints must be positions of records delivered on this shard: between the last checkpoint (or
 * the first record delivered, from a new shard) and the last record delivered, and not a sequence
 * number another shard issued (see `resolveCheckpoint`). At shard end, `checkpoint()` (or a
 * checkpoint at the last record) writes SHARD_END.
 *
 * Fails with `LeaseLostError` once the lease is lost, `InvalidCheckpointError` out of range, and
 * `CheckpointFailedError` when DynamoDB keeps failing.
 */
export interface Checkpointer {
  /** The shard this checkpointer writes for. */
  readonly shardId: string;
  /**
   * Checkpoints at the last record delivered (SHARD_END at shard end), or at `position`: a sequence
   * number (with `subSequenceNumber`, 0 by default) or a record. Unlike the KCL's `checkpoint(Record)`,
   * a record's own sub-sequence number is used, so a checkpoint inside a KPL aggregate is exact.
   */
  checkpoint(position?: string | CheckpointPosition, subSequenceNumber?: number): Promise<void>;
  /**
   * Writes a pending checkpoint (`pendingCheckpoint` in the table, with optional application bytes)
   * without moving the checkpoint: after a failover, `initialize` receives it, so the next owner
   * knows what may have been half done. Defaults to the last record delivered.
   */
  prepareCheckpoint(
    position?: string | CheckpointPosition,
    applicationState?: Uint8Array,
  ): Promise<PreparedCheckpointer>;
  /** The last checkpoint written (or found on the lease). */
  lastCheckpoint(): ExtendedSequenceNumber;
}
