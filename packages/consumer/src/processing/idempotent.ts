import { sleep as defaultSleep, validateIntegerOption } from '@kinesis-ts/core';
import { signalOf } from './context-signal.js';
import type { IdempotencyStore } from './idempotency-store.js';
import { IdempotencyInProgressError, IdempotencyKeyMissingError } from './processing-errors.js';

/** Options of {@link idempotent}. */
export interface IdempotentOptions<R> {
  /**
   * When another worker holds an unexpired claim on the event: `'wait'` polls until it is done
   * (then skips) or its claim expires (then runs), at most `maxWaitMs`; `'fail'` throws an
   * `IdempotencyInProgressError` at once (the consumer retries the record with its backoff). The
   * wait ends early when the context passed after the record carries an aborted `signal` (the
   * consumer stopping or losing the lease, a Lambda near its timeout): the record then fails with
   * the signal's reason and is redelivered, never marked done.
   * @defaultValue 'wait'
   */
  readonly whenInProgress?: 'wait' | 'fail';
  /** The longest wait for another claim, in ms; then `IdempotencyInProgressError`. @defaultValue 120000 */
  readonly maxWaitMs?: number;
  /** How often to look again while waiting, in ms. @defaultValue 1000 */
  readonly pollIntervalMs?: number;
  /** Told about each duplicate skipped. */
  readonly onDuplicate?: (eventId: string, record: R) => void;
  /** The clock, in ms since the epoch (tests). @defaultValue Date.now */
  readonly now?: () => number;
  /** Waits `ms`, or rejects with the signal's reason when `signal` aborts (tests). @defaultValue core's `sleep` */
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

/** The defaults of {@link IdempotentOptions}. */
export const DEFAULT_IDEMPOTENT_OPTIONS = {
  whenInProgress: 'wait',
  maxWaitMs: 120_000,
  pollIntervalMs: 1_000,
} as const;

/** What an idempotent function did with a record. */
export type IdempotentOutcome = 'processed' | 'duplicate';

/**
 * Makes a per-record side effect run at most once per event id across redeliveries and workers
 * (as long as the side effect takes less than the store's lease):
 *
 * 1. claim the id in `store` (an in-progress mark with a short lease);
 * 2. if it is already done, skip the record (`'duplicate'`); if another worker holds a live claim,
 *    wait for it (see `whenInProgress`);
 * 3. run `sideEffect`; when it throws, release the claim and rethrow, so that the redelivery runs
 *    it again (the record is never marked done before it succeeded);
 * 4. mark the id done (kept for the store's TTL).
 *
 * A worker that dies between 1 and 4 leaves a claim that expires after the lease; the next owner
 * of the shard then runs the side effect. `eventIdOf` should return an id the producer put in the
 * record (it also removes producer retries' duplicates); {@link positionEventId} is the fallback.
 *
 * ```ts
 * handler: parallelByKey(idempotent(store, (r) => JSON.parse(text(r.data)).eventId, sendEmail))
 * ```
 */
export function idempotent<R, A extends unknown[]>(
  store: IdempotencyStore,
  eventIdOf: (record: R) => string | undefined,
  sideEffect: (record: R, ...rest: A) => Promise<unknown> | unknown,
  options: IdempotentOptions<R> = {},
): (record: R, ...rest: A) => Promise<IdempotentOutcome> {
  const whenInProgress = options.whenInProgress ?? DEFAULT_IDEMPOTENT_OPTIONS.whenInProgress;
  const maxWaitMs = validateIntegerOption(
    'maxWaitMs',
    options.maxWaitMs ?? DEFAULT_IDEMPOTENT_OPTIONS.maxWaitMs,
    0,
    86_400_000,
  );
  const pollIntervalMs = validateIntegerOption(
    'pollIntervalMs',
    options.pollIntervalMs ?? DEFAULT_IDEMPOTENT_OPTIONS.pollIntervalMs,
    1,
    3_600_000,
  );
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? defaultSleep;

  return async (record, ...rest) => {
    const eventId = eventIdOf(record);
    if (typeof eventId !== 'string' || eventId.length === 0) {
      throw new IdempotencyKeyMissingError(
        `eventIdOf returned ${eventId === '' ? 'an empty string' : String(eventId)}`,
      );
    }
    const signal = signalOf(rest[0]);
    const waitUntil = now() + maxWaitMs;
    for (;;) {
      const result = await store.claim(eventId);
      if (result.status === 'done') {
        options.onDuplicate?.(eventId, record);
        return 'duplicate';
      }
      if (result.status === 'claimed') {
        try {
          await sideEffect(record, ...rest);
        } catch (error) {
          try {
            await store.release(result.claim);
          } catch {
            // the claim then expires after its lease; the side effect's error is the one to report
          }
          throw error;
        }
        await store.complete(result.claim);
        return 'processed';
      }
      const current = now();
      if (whenInProgress === 'fail' || current >= waitUntil) {
        throw new IdempotencyInProgressError(eventId, result.leaseExpiresAtMs);
      }
      const untilExpiry = Math.max(0, result.leaseExpiresAtMs - current) + 1;
      await sleep(Math.min(pollIntervalMs, untilExpiry, waitUntil - current), signal);
    }
  };
}

/**
 * An event id from the record's position: `<sequenceNumber>/<subSequenceNumber>`. It catches
 * redeliveries of the same stream record, not producer retries (a record put twice has two sequence
 * numbers); prefer an id the producer put in the payload. Prefix it (the store's `keyPrefix`) when
 * a table serves several streams.
 */
export function positionEventId(record: {
  readonly sequenceNumber: string;
  readonly subSequenceNumber?: number;
}): string {
  return `${record.sequenceNumber}/${record.subSequenceNumber ?? 0}`;
}
