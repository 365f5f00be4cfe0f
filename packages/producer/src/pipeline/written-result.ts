import type { Attempt, PutResult } from '../attempt.js';
import {
  type AttemptTiming,
  failedAttemptCount,
  failedAttempts,
  lastAttemptEndedAt,
  MAX_ATTEMPTS_KEPT,
  noAttempts,
  type PendingRecord,
  type RecordArrival,
} from './pending-record.js';

/**
 * What a written record's `put` resolves with. Its `attempts` are built the first time they are read
 * (most applications never read them): until then the result holds the earlier failed attempts (the
 * shared empty list for a record written at its first try) and the timing of the request that wrote
 * it, shared by every record of that request. `JSON.stringify` shows the attempts too. Frozen:
 * records written in the same entry at their first attempt, accepted in the same millisecond, share
 * one (see `EntryResults`).
 */
export class WrittenResult implements PutResult {
  readonly #earlier: readonly Attempt[];
  readonly #timing: AttemptTiming;
  readonly #delayMs: number;
  #attempts: readonly Attempt[] | undefined;
  #fulfilled: { readonly status: 'fulfilled'; readonly value: PutResult } | undefined;

  constructor(
    readonly shardId: string,
    readonly sequenceNumber: string,
    readonly aggregated: boolean,
    /** How many attempts there were in all, the successful one included. */
    readonly attemptCount: number,
    earlier: readonly Attempt[],
    timing: AttemptTiming,
    delayMs: number,
  ) {
    this.#earlier = earlier;
    this.#timing = timing;
    // As a small integer, V8 keeps it in the object itself; a fraction (or a huge delay) would be a
    // separate heap number for every result.
    this.#delayMs = delayMs === (delayMs | 0) ? delayMs | 0 : delayMs;
    // Records written together may share a result (see `EntryResults`): none may change it.
    Object.freeze(this);
  }

  /**
   * `{ status: 'fulfilled', value: this }`, frozen: the item of every `putMany` record this result
   * settles, made once however many batches the records belong to.
   */
  asFulfilled(): { readonly status: 'fulfilled'; readonly value: PutResult } {
    this.#fulfilled ??= Object.freeze({ status: 'fulfilled' as const, value: this });
    return this.#fulfilled;
  }

  /** The attempts, the successful last one included (the first and the 9 latest when there were more than 10). */
  get attempts(): readonly Attempt[] {
    if (this.#attempts === undefined) {
      const attempts = this.#earlier.slice();
      if (attempts.length >= MAX_ATTEMPTS_KEPT) attempts.splice(1, 1);
      attempts.push({
        startedAt: this.#timing.startedAt,
        delayMs: this.#delayMs,
        durationMs: this.#timing.durationMs,
        success: true,
      });
      this.#attempts = attempts;
    }
    return this.#attempts;
  }

  toJSON(): PutResult {
    return {
      shardId: this.shardId,
      sequenceNumber: this.sequenceNumber,
      aggregated: this.aggregated,
      attempts: this.attempts,
      attemptCount: this.attemptCount,
    };
  }
}

/**
 * The results of one written entry's records. Records written at their first attempt that were
 * accepted in the same millisecond have identical results (shard, sequence number, aggregated,
 * attempts and their delays), so they share one frozen object: a burst makes a few results per
 * aggregate rather than one per record, each of which would be kept until the application has read
 * it. A record with earlier attempts gets its own.
 */
export class EntryResults {
  /** The first-attempt result made or found last, and the arrival time it is for. */
  private lastArrivedAt = Number.NaN;
  private last: WrittenResult | undefined;
  /** The first-attempt results by arrival (see `firstAttemptResultOf`). */
  private byArrival: Map<RecordArrival, WrittenResult> | undefined;

  constructor(
    private readonly shardId: string,
    private readonly sequenceNumber: string,
    private readonly aggregated: boolean,
    private readonly timing: AttemptTiming,
  ) {}

  /** The result of `record`, written in this entry. */
  resultFor(record: PendingRecord): WrittenResult {
    if (failedAttemptCount(record) > 0) return this.newResult(record);
    return this.firstAttemptResultOf(record.arrival);
  }

  /**
   * The result of the records written at their first attempt that arrived at `arrival`: one for
   * each arrival time, shared by the records of that millisecond. Consecutive records mostly share
   * one (in put order); an entry settled from its columns comes key by key, each key's records in
   * put order, so it comes back to the same arrivals once per key, and finds them in `byArrival`
   * (keyed by the arrival object, which the records of one millisecond share).
   */
  firstAttemptResultOf(arrival: RecordArrival): WrittenResult {
    if (arrival.arrivedAt === this.lastArrivedAt) return this.last!;
    let result = this.byArrival?.get(arrival);
    if (result === undefined) {
      result = this.firstAttemptResultAt(arrival.arrivedAt);
      this.byArrival ??= new Map();
      this.byArrival.set(arrival, result);
    }
    this.lastArrivedAt = arrival.arrivedAt;
    this.last = result;
    return result;
  }

  private firstAttemptResultAt(arrivedAt: number): WrittenResult {
    return new WrittenResult(
      this.shardId,
      this.sequenceNumber,
      this.aggregated,
      1,
      noAttempts(),
      this.timing,
      this.timing.startedAt - arrivedAt,
    );
  }

  private newResult(record: PendingRecord): WrittenResult {
    return new WrittenResult(
      this.shardId,
      this.sequenceNumber,
      this.aggregated,
      // The successful attempt counts too; its attempt object is built if someone reads it.
      failedAttemptCount(record) + 1,
      failedAttempts(record),
      this.timing,
      this.timing.startedAt - lastAttemptEndedAt(record),
    );
  }
}
