import type { UserRecord } from '@kinesis-ts/core';
import type { Attempt, PutResult } from '../attempt.js';

/**
 * Who hears how a record ends. `slot` is the record's place in its settler (its index in a `putMany`
 * batch), so that one settler serves a whole batch without an object per record.
 */
export interface RecordSettler {
  resolve(result: PutResult, slot: number): void;
  reject(error: unknown, slot: number): void;
  /**
   * Whether it settles many records (a `putMany` batch, which fills one array) rather than one
   * promise per record. Settlement visits records with a promise each in put order (see
   * `Settlement#requestWritten`). @defaultValue false
   */
  readonly settlesMany?: boolean;
}

/**
 * When a record was accepted, and the times that follow from it. Shared by every record accepted in
 * the same millisecond (see `Admission`): a burst of puts makes one of these per millisecond, not
 * four boxed numbers per record.
 */
export interface RecordArrival {
  /** When `put` accepted the record, in milliseconds since the epoch. */
  readonly arrivedAt: number;
  /** When it fails with `RECORD_EXPIRED`: `arrivedAt + recordTtlMs`. */
  readonly expiresAt: number;
  /** When it must leave the buffer: `arrivedAt + maxBufferedTimeMs`. */
  readonly dueAt: number;
}

/**
 * What a record gathers once it is tried, or made to wait for room: its own due time, when its last
 * attempt ended, and its failed attempts. Most records are written at their first attempt and never
 * need one.
 */
export interface RecordHistory {
  dueAt: number;
  lastAttemptEndedAt: number;
  /** The failed attempts kept (see `MAX_ATTEMPTS_KEPT`); the shared empty list until the first. */
  attempts: Attempt[];
  /** How many attempts failed, kept or not. */
  attemptCount: number;
}

const NO_ATTEMPTS: Attempt[] = [];

/** The attempts of a record that has not been sent yet (shared, never written to). */
export function noAttempts(): Attempt[] {
  return NO_ATTEMPTS;
}

const ADMITTED = 1;
const SETTLED = 2;
const OWN_PROMISE = 4;

/**
 * A record inside the producer, from `put` until its promise settles.
 *
 * A producer holds up to `maxBufferedRecords` of these (100,000 by default), so each is kept small,
 * and is a plain object made in one place (`newPendingRecord`): V8 then sees that the objects made
 * there live long and allocates them straight in the old generation, instead of copying every one
 * of them at each young-generation collection while it waits (instances of a class are not placed
 * that way). Its times come from a shared {@link RecordArrival} until a retry or a wait for room
 * gives it a {@link RecordHistory} of its own; read them with the functions below.
 */
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
  /** When it was accepted, and when it expires (`arrival.expiresAt`): shared with its millisecond. */
  readonly arrival: RecordArrival;
  /** Its own due time, last attempt's end and failed attempts, once it has any (see `RecordHistory`). */
  history: RecordHistory | undefined;
  /** `ADMITTED`, `SETTLED` and `OWN_PROMISE` bits (see the functions below). */
  flags: number;
  /** Who hears how the record ends: the promise of `put`, or a `putMany` batch. */
  readonly settler: RecordSettler;
  /** The record's place in its settler (its index in a `putMany` batch; 0 for `put`). */
  readonly slot: number;
}

/** A record accepted at `arrival`, not yet admitted to the buffer. The one place records are made. */
export function newPendingRecord(
  userRecord: UserRecord,
  partitionKey: string,
  data: Uint8Array,
  explicitHashKey: string | undefined,
  hashKey: bigint,
  sizeBytes: number,
  sequence: number,
  arrival: RecordArrival,
  settler: RecordSettler,
  slot: number,
): PendingRecord {
  return {
    userRecord,
    partitionKey,
    data,
    explicitHashKey,
    hashKey,
    sizeBytes,
    sequence,
    arrival,
    history: undefined,
    flags: settler.settlesMany === true ? 0 : OWN_PROMISE,
    settler,
    slot,
  };
}

/** When the record must leave the buffer: `arrivedAt + maxBufferedTimeMs`, or at once after a retry. */
export function dueAtOf(record: PendingRecord): number {
  return record.history === undefined ? record.arrival.dueAt : record.history.dueAt;
}

export function setDueAt(record: PendingRecord, at: number): void {
  ownHistory(record).dueAt = at;
}

/** When the record's last attempt ended (or when it arrived). */
export function lastAttemptEndedAt(record: PendingRecord): number {
  return record.history === undefined ? record.arrival.arrivedAt : record.history.lastAttemptEndedAt;
}

export function setLastAttemptEndedAt(record: PendingRecord, at: number): void {
  ownHistory(record).lastAttemptEndedAt = at;
}

/**
 * The record's failed attempts so far (the first and the latest ones when there were more than
 * `MAX_ATTEMPTS_KEPT`); the shared empty list before the first. The successful attempt is not added
 * here: a written record's result builds it when read (`WrittenResult`).
 */
export function failedAttempts(record: PendingRecord): readonly Attempt[] {
  return record.history === undefined ? NO_ATTEMPTS : record.history.attempts;
}

/** How many of the record's attempts failed so far, kept or not. */
export function failedAttemptCount(record: PendingRecord): number {
  return record.history === undefined ? 0 : record.history.attemptCount;
}

/** Whether the record is in the buffer (counted in its limits), not waiting for room. */
export function isAdmitted(record: PendingRecord): boolean {
  return (record.flags & ADMITTED) !== 0;
}

export function markAdmitted(record: PendingRecord): void {
  record.flags |= ADMITTED;
}

/** Whether the record's promise is settled. */
export function isSettled(record: PendingRecord): boolean {
  return (record.flags & SETTLED) !== 0;
}

export function markSettled(record: PendingRecord): void {
  record.flags |= SETTLED;
}

/** Whether the record has a promise of its own (`put`), rather than a place in a `putMany` batch. */
export function hasOwnPromise(record: PendingRecord): boolean {
  return (record.flags & OWN_PROMISE) !== 0;
}

/**
 * Records a failed attempt; the first one replaces the shared empty list with a list of its own.
 * Beyond `MAX_ATTEMPTS_KEPT`, the oldest but the first is dropped.
 */
export function addAttempt(record: PendingRecord, attempt: Attempt): void {
  const history = ownHistory(record);
  history.attemptCount++;
  if (history.attempts === NO_ATTEMPTS) {
    history.attempts = [attempt];
    return;
  }
  if (history.attempts.length >= MAX_ATTEMPTS_KEPT) history.attempts.splice(1, 1);
  history.attempts.push(attempt);
}

function ownHistory(record: PendingRecord): RecordHistory {
  record.history ??= {
    dueAt: record.arrival.dueAt,
    lastAttemptEndedAt: record.arrival.arrivedAt,
    attempts: NO_ATTEMPTS,
    attemptCount: 0,
  };
  return record.history;
}

/**
 * The most attempts a record keeps: a record retried through a long outage (a large `recordTtlMs`)
 * would otherwise hold thousands, and a buffer full of them would grow without bound.
 */
export const MAX_ATTEMPTS_KEPT = 10;

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
      delayMs: timing.startedAt - lastAttemptEndedAt(record),
      durationMs: timing.durationMs,
      success: false,
      errorCode,
      errorMessage,
    });
    setLastAttemptEndedAt(record, timing.endedAt);
  }
}
