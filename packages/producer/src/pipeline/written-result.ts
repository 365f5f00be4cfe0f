import type { Attempt, PutResult } from '../attempt.js';
import { type AttemptTiming, MAX_ATTEMPTS_KEPT } from './pending-record.js';

/**
 * What a written record's `put` resolves with. Its `attempts` are built the first time they are read
 * (most applications never read them): until then the result holds the earlier failed attempts (the
 * shared empty list for a record written at its first try) and the timing of the request that wrote
 * it, shared by every record of that request. `JSON.stringify` shows the attempts too.
 */
export class WrittenResult implements PutResult {
  readonly #earlier: readonly Attempt[];
  readonly #timing: AttemptTiming;
  readonly #delayMs: number;
  #attempts: readonly Attempt[] | undefined;

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
