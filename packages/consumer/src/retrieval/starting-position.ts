import { CheckpointSentinel, type ExtendedSequenceNumber } from '@kinesis-ts/core';
import type { StartingPosition } from './records-retrieval.js';

/**
 * Where to read from for a lease's checkpoint, as the KCL does on the first connection: a sentinel
 * maps to its iterator type (`AT_TIMESTAMP` takes this worker's configured timestamp; without one, the
 * oldest record is read rather than anything skipped); a sequence number is read
 * `AT_SEQUENCE_NUMBER`, so that the rest of a partly processed KPL aggregate is delivered (the records
 * at or below the checkpoint are then filtered out). `undefined` for SHARD_END: nothing to read.
 */
export function startingPositionFor(
  checkpoint: ExtendedSequenceNumber,
  timestamp: Date | undefined,
): StartingPosition | undefined {
  switch (checkpoint.sequenceNumber) {
    case CheckpointSentinel.SHARD_END:
      return undefined;
    case CheckpointSentinel.TRIM_HORIZON:
      return { type: 'TRIM_HORIZON' };
    case CheckpointSentinel.LATEST:
      return { type: 'LATEST' };
    case CheckpointSentinel.AT_TIMESTAMP:
      return timestamp ? { type: 'AT_TIMESTAMP', timestamp } : { type: 'TRIM_HORIZON' };
    default:
      return { type: 'AT_SEQUENCE_NUMBER', sequenceNumber: checkpoint.sequenceNumber };
  }
}
