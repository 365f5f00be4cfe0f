import type { UserRecord } from '@kinesis-ts/core';
import type { Attempt, PutResult } from '../attempt.js';

/**
 * Who hears how a record ends. `slot` is the record's place in its settler (its index in a `putMany`
 * batch), so that one settler serves a whole batch without an object per record.
 */
export interface RecordSettler {
  resolve(result: PutResult, slot: number): void;
  reject(error: unknown, slot: number): void;
}

/** A record inside the producer, from `put` until its promise settles. */
export interface PendingRecord {
  /** The record as given to `put` (returned in errors). */
  readonly userRecord: UserRecord;
  readonly partitionKey: string;
  /** Replaced once by the `oversizedRecords` hook for a record above the limit (with `sizeBytes`). */
  data: Uint8Array;
  /** Canonical decimal form, when the record has one. */
  readonly explicitHashKey: string | undefined;
  /** The effective hash key: decides the shard. */
  readonly hashKey: bigint;
  /** Data plus partition key, in bytes: what counts against buffer and record limits. */
  sizeBytes: number;
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
  /**
   * The failed attempts so far (the first and the latest ones when there were more than
   * `MAX_ATTEMPTS_KEPT`); starts as the shared empty list (see `addAttempt`). The successful attempt
   * is not added here: a written record's result builds it when read (`WrittenResult`).
   */
  attempts: Attempt[];
  /** How many attempts there were, kept or not (the successful one included once written). */
  attemptCount: number;
  /** Set once the record is in the buffer (counted in its limits), not waiting for room. */
  admitted: boolean;
  /** Set once the record's promise is settled. */
  settled: boolean;
  /** Who hears how the record ends: the promise of `put`, or a `putMany` batch. */
  readonly settler: RecordSettler;
  /** The record's place in its settler (its index in a `putMany` batch; 0 for `put`). */
  readonly slot: number;
}

const NO_ATTEMPTS: Attempt[] = [];

/** The attempts of a record that has not been sent yet (shared, never written to). */
export function noAttempts(): Attempt[] {
  return NO_ATTEMPTS;
}

/**
 * The most attempts a record keeps: a record retried through a long outage (a large `recordTtlMs`)
 * would otherwise hold thousands, and a buffer full of them would grow without bound.
 */
export const MAX_ATTEMPTS_KEPT = 10;

/**
 * Records an attempt; the first one replaces the shared empty list with a list of its own. Beyond
 * `MAX_ATTEMPTS_KEPT`, the oldest but the first is dropped.
 */
export function addAttempt(record: PendingRecord, attempt: Attempt): void {
  record.attemptCount++;
  if (record.attempts === NO_ATTEMPTS) {
    record.attempts = [attempt];
    return;
  }
  if (record.attempts.length >= MAX_ATTEMPTS_KEPT) record.attempts.splice(1, 1);
  record.attempts.push(attempt);
}

/** When an attempt started, how long it took and when it ended (milliseconds). */
export interface AttemptTiming {
  readonly startedAt: number;
  readonly durationMs: number;
  readonly endedAt: number;
}

/** Records a failed attempt on each record, and when it ended (the next attempt's delay runs from there). */
export function addFailedAttempt(
  records: readonly PendingRecord[],
  errorCode: string,
  errorMessage: string,
  timing: AttemptTiming,
): void {
  for (const record of records) {
    addAttempt(record, {
      startedAt: timing.startedAt,
      delayMs: timing.startedAt - record.lastAttemptEndedAt,
      durationMs: timing.durationMs,
      success: false,
      errorCode,
      errorMessage,
    });
    record.lastAttemptEndedAt = timing.endedAt;
  }
}
