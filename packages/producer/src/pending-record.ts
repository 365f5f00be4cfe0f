import type { UserRecord } from '@kinesis-ts/core';
import type { Attempt, PutResult } from './attempt.js';

/** A record inside the producer, from `put` until its promise settles. */
export interface PendingRecord {
  /** The record as given to `put` (returned in errors). */
  readonly userRecord: UserRecord;
  readonly partitionKey: string;
  readonly data: Uint8Array;
  /** Canonical decimal form, when the record has one. */
  readonly explicitHashKey: string | undefined;
  /** The effective hash key: decides the shard. */
  readonly hashKey: bigint;
  /** Data plus partition key, in bytes: what counts against buffer and record limits. */
  readonly sizeBytes: number;
  /** Put order, increasing from 1. */
  readonly sequence: number;
  /** When `put` accepted it, in milliseconds since the epoch. */
  readonly arrivedAt: number;
  /** When it fails with `RECORD_EXPIRED`. */
  readonly expiresAt: number;
  /** When it must leave the buffer: `arrivedAt + maxBufferedTimeMs`, or at once after a retry. */
  dueAt: number;
  /** When its last attempt ended (or when it arrived). */
  lastAttemptEndedAt: number;
  readonly attempts: Attempt[];
  readonly resolve: (result: PutResult) => void;
  readonly reject: (error: unknown) => void;
}
