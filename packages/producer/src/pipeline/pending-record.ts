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
   * `Settlement#writtenInPutOrder`). @defaultValue false
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
class RecordHistory {
  constructor(
    public dueAt: number,
    public lastAttemptEndedAt: number,
    /** The failed attempts kept (see `MAX_ATTEMPTS_KEPT`); the shared empty list until the first. */
    public attempts: Attempt[],
    /** How many attempts failed, kept or not. */
    public attemptCount: number,
  ) {}
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
 * A producer holds up to `maxBufferedRecords` of these (100,000 by default), so each is kept small:
 * its times come from a shared {@link RecordArrival} until a retry or a wait for room gives it its
 * own ({@link RecordHistory}), and two flags share one field. The getters and setters below read as
 * plain fields.
 */
export class PendingRecord {
  /** `ADMITTED`, `SETTLED` and `OWN_PROMISE` bits. */
  private flags: number;
  private history: RecordHistory | undefined = undefined;

  constructor(
    /** The record as given to `put` (returned in errors). */
    readonly userRecord: UserRecord,
    readonly partitionKey: string,
    /** Replaced once by the `oversizedRecords` hook for a record above the limit (with `sizeBytes`). */
    public data: Uint8Array,
    /** Canonical decimal form, when the record has one. */
    readonly explicitHashKey: string | undefined,
    /** The effective hash key: decides the shard. */
    readonly hashKey: bigint,
    /** Data plus partition key, in bytes: what counts against buffer and record limits. */
    public sizeBytes: number,
    /** Put order, increasing from 1. */
    readonly sequence: number,
    private readonly arrival: RecordArrival,
    /** Who hears how the record ends: the promise of `put`, or a `putMany` batch. */
    readonly settler: RecordSettler,
    /** The record's place in its settler (its index in a `putMany` batch; 0 for `put`). */
    readonly slot: number,
  ) {
    this.flags = settler.settlesMany === true ? 0 : OWN_PROMISE;
  }

  /** Whether the record has a promise of its own (`put`), rather than a place in a `putMany` batch. */
  get hasOwnPromise(): boolean {
    return (this.flags & OWN_PROMISE) !== 0;
  }

  /** When `put` accepted it, in milliseconds since the epoch. */
  get arrivedAt(): number {
    return this.arrival.arrivedAt;
  }

  /** When it fails with `RECORD_EXPIRED`. */
  get expiresAt(): number {
    return this.arrival.expiresAt;
  }

  /** When it must leave the buffer: `arrivedAt + maxBufferedTimeMs`, or at once after a retry. */
  get dueAt(): number {
    return this.history === undefined ? this.arrival.dueAt : this.history.dueAt;
  }

  set dueAt(at: number) {
    this.ownHistory().dueAt = at;
  }

  /** When its last attempt ended (or when it arrived). */
  get lastAttemptEndedAt(): number {
    return this.history === undefined ? this.arrival.arrivedAt : this.history.lastAttemptEndedAt;
  }

  set lastAttemptEndedAt(at: number) {
    this.ownHistory().lastAttemptEndedAt = at;
  }

  /**
   * The failed attempts so far (the first and the latest ones when there were more than
   * `MAX_ATTEMPTS_KEPT`); the shared empty list before the first. The successful
   * attempt is not added here: a written record's result builds it when read (`WrittenResult`).
   */
  get attempts(): readonly Attempt[] {
    return this.history === undefined ? NO_ATTEMPTS : this.history.attempts;
  }

  /** How many attempts failed so far, kept or not. */
  get attemptCount(): number {
    return this.history === undefined ? 0 : this.history.attemptCount;
  }

  /** Set once the record is in the buffer (counted in its limits), not waiting for room. */
  get admitted(): boolean {
    return (this.flags & ADMITTED) !== 0;
  }

  set admitted(admitted: boolean) {
    this.flags = admitted ? this.flags | ADMITTED : this.flags & ~ADMITTED;
  }

  /** Set once the record's promise is settled. */
  get settled(): boolean {
    return (this.flags & SETTLED) !== 0;
  }

  set settled(settled: boolean) {
    this.flags = settled ? this.flags | SETTLED : this.flags & ~SETTLED;
  }

  /**
   * Records a failed attempt; the first one replaces the shared empty list with a list of its own.
   * Beyond `MAX_ATTEMPTS_KEPT`, the oldest but the first is dropped.
   */
  addAttempt(attempt: Attempt): void {
    const history = this.ownHistory();
    history.attemptCount++;
    if (history.attempts === NO_ATTEMPTS) {
      history.attempts = [attempt];
      return;
    }
    if (history.attempts.length >= MAX_ATTEMPTS_KEPT) history.attempts.splice(1, 1);
    history.attempts.push(attempt);
  }

  private ownHistory(): RecordHistory {
    this.history ??= new RecordHistory(this.arrival.dueAt, this.arrival.arrivedAt, NO_ATTEMPTS, 0);
    return this.history;
  }
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
    record.addAttempt({
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
