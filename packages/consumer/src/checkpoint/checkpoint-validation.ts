import {
  CheckpointSentinel,
  compareExtendedSequenceNumbers,
  type ExtendedSequenceNumber,
  isSequenceNumber,
} from '@kinesis-ts/core';
import { InvalidCheckpointError } from '../errors.js';
import { otherShardOfSequenceNumber } from './sequence-number-shard.js';

/** The checkpointer's bounds at the moment of a checkpoint. */
export interface CheckpointBounds {
  /** The last checkpoint written (or read from the lease). */
  readonly lastCheckpoint: ExtendedSequenceNumber;
  /** The largest position that may be checkpointed: the last record delivered, or SHARD_END at shard end. */
  readonly largestPermitted: ExtendedSequenceNumber;
  /** At shard end, the last record delivered: a checkpoint there is written as SHARD_END. */
  readonly sequenceNumberAtShardEnd?: ExtendedSequenceNumber;
  /**
   * The first record this shard consumer delivered: the lower bound while the last checkpoint is a
   * sentinel (`TRIM_HORIZON`, `LATEST`, `AT_TIMESTAMP`), which no sequence number is below. Unset:
   * nothing delivered yet, and no sequence number is accepted until the last checkpoint is one.
   */
  readonly firstDelivered?: ExtendedSequenceNumber;
  /** The shard checkpointed: named in errors, and a sequence number another shard issued is refused. */
  readonly shardId?: string;
}

/** What to write for a requested checkpoint. */
export interface ResolvedCheckpoint {
  /** The position to write (SHARD_END when the request is the shard's last record). */
  readonly target: ExtendedSequenceNumber;
  /** True when the target equals the last checkpoint: nothing needs writing. */
  readonly unchanged: boolean;
}

/**
 * Checks a requested checkpoint and works out what to write. Only positions of records this shard
 * consumer delivered are accepted, and SHARD_END once the shard was read to its end:
 *
 * - the request must be a sequence number (or SHARD_END) with a sub-sequence number ≥ 0;
 * - a sequence number must lie in `[lower, upper]`: `lower` is the last checkpoint, or the first
 *   record delivered while the last checkpoint is a sentinel (a new shard at `TRIM_HORIZON` would
 *   otherwise accept any smaller number, another shard's included); `upper` is the last record
 *   delivered, also at shard end (when `largestPermitted` is SHARD_END);
 * - a sequence number that another shard issued (see `otherShardOfSequenceNumber`) is refused even
 *   inside that range: the next owner could not read the shard from it;
 * - SHARD_END is accepted only at shard end;
 * - a request equal to `sequenceNumberAtShardEnd` is rewritten to SHARD_END, and the *rewritten*
 *   target is compared with the last checkpoint to decide whether to skip the write. The KCL compares
 *   the request before rewriting, so checkpointing the last record in `processRecords` and again in
 *   `shardEnded` skips the SHARD_END write and the shard never ends (its bug #211).
 *
 * Anything else throws `InvalidCheckpointError` naming the position and the shard.
 */
export function resolveCheckpoint(
  requested: ExtendedSequenceNumber,
  bounds: CheckpointBounds,
): ResolvedCheckpoint {
  const { sequenceNumber, subSequenceNumber } = requested;
  const refuse: (why: string) => never = (why) => {
    const on = bounds.shardId === undefined ? '' : ` on shard ${bounds.shardId}`;
    throw new InvalidCheckpointError(`Cannot checkpoint at ${show(requested)}${on}: ${why}`, {
      shardId: bounds.shardId,
      sequenceNumber,
      subSequenceNumber,
    });
  };
  const atShardEnd = bounds.largestPermitted.sequenceNumber === CheckpointSentinel.SHARD_END;
  if (!isSequenceNumber(sequenceNumber) && sequenceNumber !== CheckpointSentinel.SHARD_END) {
    refuse('not a sequence number (decimal digits) or SHARD_END');
  }
  if (!Number.isSafeInteger(subSequenceNumber) || subSequenceNumber < 0) {
    refuse(`the sub-sequence number must be an integer ≥ 0, got ${subSequenceNumber}`);
  }
  const shardEnd: ExtendedSequenceNumber = {
    sequenceNumber: CheckpointSentinel.SHARD_END,
    subSequenceNumber: 0,
  };
  const lastIsShardEnd = bounds.lastCheckpoint.sequenceNumber === CheckpointSentinel.SHARD_END;
  if (sequenceNumber === CheckpointSentinel.SHARD_END) {
    if (!atShardEnd) refuse('the shard has not been read to its end');
    return { target: shardEnd, unchanged: lastIsShardEnd };
  }
  if (lastIsShardEnd) refuse('the shard is already checkpointed at SHARD_END');
  if (bounds.shardId !== undefined) {
    const other = otherShardOfSequenceNumber(sequenceNumber, bounds.shardId);
    if (other !== undefined) refuse(`that sequence number was issued by ${other}, not by this shard`);
  }
  const lower = isSequenceNumber(bounds.lastCheckpoint.sequenceNumber)
    ? bounds.lastCheckpoint
    : bounds.firstDelivered && { sequenceNumber: bounds.firstDelivered.sequenceNumber, subSequenceNumber: 0 };
  const upper = atShardEnd ? bounds.sequenceNumberAtShardEnd : bounds.largestPermitted;
  if (lower === undefined || upper === undefined || !isSequenceNumber(upper.sequenceNumber)) {
    refuse('no record has been delivered on this shard yet');
  }
  if (
    compareExtendedSequenceNumbers(requested, lower) < 0 ||
    compareExtendedSequenceNumbers(requested, upper) > 0
  ) {
    refuse(
      `outside the acceptable range [${show(lower)}, ${show(upper)}] (${
        lower === bounds.lastCheckpoint ? 'the last checkpoint' : 'the first record delivered'
      } and the last record delivered)`,
    );
  }
  const rewritten =
    bounds.sequenceNumberAtShardEnd !== undefined &&
    compareExtendedSequenceNumbers(requested, bounds.sequenceNumberAtShardEnd) === 0;
  const target: ExtendedSequenceNumber = rewritten ? shardEnd : { sequenceNumber, subSequenceNumber };
  return { target, unchanged: compareExtendedSequenceNumbers(target, bounds.lastCheckpoint) === 0 };
}

function show(position: ExtendedSequenceNumber): string {
  return `${position.sequenceNumber}/${position.subSequenceNumber}`;
}
