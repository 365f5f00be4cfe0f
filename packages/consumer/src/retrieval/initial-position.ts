import { CheckpointSentinel } from '@kinesis-ts/core';

/**
 * Where to start reading a shard that has no checkpoint yet: the oldest record still kept
 * (`TRIM_HORIZON`), only records written from now on (`LATEST`), or the first record written at or
 * after a moment (`{ timestamp }`). Shards with a checkpoint always resume from it.
 */
export type InitialPosition = 'LATEST' | 'TRIM_HORIZON' | { readonly timestamp: Date | number };

/** The checkpoint sentinel a new lease gets for an initial position. */
export function initialPositionSentinel(position: InitialPosition): CheckpointSentinel {
  if (position === 'LATEST') return CheckpointSentinel.LATEST;
  if (position === 'TRIM_HORIZON') return CheckpointSentinel.TRIM_HORIZON;
  return CheckpointSentinel.AT_TIMESTAMP;
}

/** The initial position's timestamp as a Date, when it has one. */
export function initialPositionTimestamp(position: InitialPosition): Date | undefined {
  if (typeof position === 'string') return undefined;
  return position.timestamp instanceof Date ? position.timestamp : new Date(position.timestamp);
}
