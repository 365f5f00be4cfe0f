import {
  CheckpointSentinel,
  compareExtendedSequenceNumbers,
  type ExtendedSequenceNumber,
  isSequenceNumber,
} from '@kinesis-ts/core';
import { InvalidCheckpointError } from './errors.js';

/** The checkpointer's bounds at the moment of a checkpoint. */
export interface CheckpointBounds {
  /** The last checkpoint written (or read from the lease). */
  readonly lastCheckpoint: ExtendedSequenceNumber;
  /** The largest position that may be checkpointed: the last record delivered, or SHARD_END at shard end. */
  readonly largestPermitted: ExtendedSequenceNumber;
  /** At shard end, the last record delivered: a checkpoint there is written as SHARD_END. */
  readonly sequenceNumberAtShardEnd?: ExtendedSequenceNumber;
}

/** What to write for a requested checkpoint. */
export interface ResolvedCheckpoint {
  /** The position to write (SHARD_END when the request is the shard's last record). */
  readonly target: ExtendedSequenceNumber;
  /** True when the target equals the last checkpoint: nothing needs writing. */
  readonly unchanged: boolean;
}

/**
 * Checks a requested checkpoint and works out what to write, as the KCL does, with its bug #211
 * fixed:
 *
 * - the request must be a sequence number (or SHARD_END) with a sub-sequence number ≥ 0, and lie in
 *   `[lastCheckpoint, largestPermitted]`, else `InvalidCheckpointError`;
 * - a request equal to `sequenceNumberAtShardEnd` is rewritten to SHARD_END;
 * - the *rewritten* target is compared with the last checkpoint to decide whether to skip the write.
 *   The KCL compares the request before rewriting, so checkpointing the last record in
 *   `processRecords` and again in `shardEnded` skips the SHARD_END write and the shard never ends.
 */
export function resolveCheckpoint(
  requested: ExtendedSequenceNumber,
  bounds: CheckpointBounds,
): ResolvedCheckpoint {
  const { sequenceNumber, subSequenceNumber } = requested;
  if (!isSequenceNumber(sequenceNumber) && sequenceNumber !== CheckpointSentinel.SHARD_END) {
    throw new InvalidCheckpointError(
      `Cannot checkpoint at "${sequenceNumber}": not a sequence number (decimal digits) or SHARD_END`,
    );
  }
  if (!Number.isSafeInteger(subSequenceNumber) || subSequenceNumber < 0) {
    throw new InvalidCheckpointError(
      `Cannot checkpoint with sub-sequence number ${subSequenceNumber}: it must be an integer ≥ 0`,
    );
  }
  if (
    compareExtendedSequenceNumbers(requested, bounds.lastCheckpoint) < 0 ||
    compareExtendedSequenceNumbers(requested, bounds.largestPermitted) > 0
  ) {
    throw new InvalidCheckpointError(
      `Cannot checkpoint at ${show(requested)}: outside the acceptable range [${show(bounds.lastCheckpoint)}, ${show(
        bounds.largestPermitted,
      )}] (the last checkpoint and the last record delivered)`,
    );
  }
  const atShardEnd =
    bounds.sequenceNumberAtShardEnd !== undefined &&
    compareExtendedSequenceNumbers(requested, bounds.sequenceNumberAtShardEnd) === 0;
  const target: ExtendedSequenceNumber = atShardEnd
    ? { sequenceNumber: CheckpointSentinel.SHARD_END, subSequenceNumber: 0 }
    : { sequenceNumber, subSequenceNumber };
  return { target, unchanged: compareExtendedSequenceNumbers(target, bounds.lastCheckpoint) === 0 };
}

function show(position: ExtendedSequenceNumber): string {
  return `${position.sequenceNumber}/${position.subSequenceNumber}`;
}
