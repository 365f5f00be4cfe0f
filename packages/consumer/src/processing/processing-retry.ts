import { type BackoffPolicy, fullJitterBackoffMs, type RandomSource, sleep } from '@kinesis-ts/core';
import { RecordProcessingError } from '../errors.js';
import type { ConsumerRecord } from '../processor/record-processor.js';
import { failureErrorOf, firstFailedIndex, PartialBatchFailureError } from './processing-errors.js';

/** How failures of the handler (or `processRecords`) are handled. */
export interface ProcessingPolicy {
  /** Tries at the same record: of a batch, of its rest after a partial failure, of a record when isolating. */
  readonly maxAttempts: number;
  readonly backoff: BackoffPolicy;
  /** When set, records that keep failing are handed here and skipped; otherwise the shard stops. */
  readonly onPoisonRecord?: (
    record: ConsumerRecord,
    error: unknown,
    attempts: number,
  ) => Promise<void> | void;
}

/** The outcome of {@link processWithRetries}. */
export type ProcessingOutcome =
  /** Every record was processed, or handed to `onPoisonRecord`: the position may move past the batch. */
  | { readonly outcome: 'processed'; readonly poisoned: number }
  /** The signal aborted between attempts: the batch is not done. */
  | { readonly outcome: 'aborted' }
  /** Attempts ran out and no poison handler took over: stop the shard. */
  | { readonly outcome: 'failed'; readonly error: RecordProcessingError };

/** The input of {@link processWithRetries}. */
export interface ProcessWithRetriesInput {
  readonly shardId: string;
  readonly records: readonly ConsumerRecord[];
  /**
   * Processes some records: the batch, the part of it after a partial failure, or one record when
   * isolating a poison record. Throwing a {@link PartialBatchFailureError} reports which records
   * failed; the others before the first of them are done.
   */
  readonly process: (records: readonly ConsumerRecord[], attempt: number) => Promise<void>;
  readonly policy: ProcessingPolicy;
  readonly signal: AbortSignal;
  readonly random: RandomSource;
  /** Called after each failure; `willRetry` is false on the last attempt. */
  readonly onFailure?: (error: unknown, attempt: number, willRetry: boolean) => void;
  /**
   * Called when the records up to `lastDone` (included) are done while later ones are not: after a
   * partial failure, after a poison record was handed over, after each record while isolating. The
   * handler path checkpoints there, so that a redelivery starts after it. Errors are ignored.
   */
  readonly onProgress?: (lastDone: ConsumerRecord) => Promise<void> | void;
}

/**
 * Runs the handler on a batch with the failure policy:
 *
 * - on failure, retry after a full-jitter backoff, up to `maxAttempts` tries at the same record;
 * - a {@link PartialBatchFailureError} says which records failed: the records before the first of
 *   them are done (`onProgress`), and the retry starts at it; progress starts the count of tries again;
 * - when tries run out at a known record (a partial failure, or a single record), hand it to
 *   `onPoisonRecord` and go on after it; without `onPoisonRecord`, give up (`failed`: the shard stops
 *   at that record, nothing is skipped);
 * - when tries run out for several records at once (a plain error), isolate: with `onPoisonRecord`,
 *   retry the rest of the batch one record at a time (each up to `maxAttempts`); without it, give up.
 *
 * Records may so be processed more than once (at-least-once): the records a handler finished before
 * it threw a plain error, and those after the first failure of a partial one.
 */
export async function processWithRetries(input: ProcessWithRetriesInput): Promise<ProcessingOutcome> {
  const { policy } = input;
  let remaining = input.records;
  let isolating = false;
  let poisoned = 0;
  if (remaining.length === 0) {
    // An empty batch (deliverEmptyBatches) is still handed over once, with the same retries.
    const result = await attempts(input, remaining);
    if (result.kind === 'aborted') return { outcome: 'aborted' };
    if (result.kind === 'done') return { outcome: 'processed', poisoned: 0 };
    return failed(input, undefined, result.error);
  }
  while (remaining.length > 0) {
    const chunk = isolating ? remaining.slice(0, 1) : remaining;
    const result = await attempts(input, chunk);
    if (result.kind === 'aborted') return { outcome: 'aborted' };
    if (result.kind === 'done') {
      remaining = remaining.slice(chunk.length);
      if (isolating && remaining.length > 0) await progress(input, chunk[chunk.length - 1]!);
      continue;
    }
    remaining = remaining.slice(result.doneCount);
    const record = remaining[0]!;
    if (!policy.onPoisonRecord) return failed(input, record, result.error);
    if (!result.pinpointed) {
      isolating = true;
      continue;
    }
    try {
      // While isolating, the record was also in each try of the whole batch.
      const deliveries = isolating ? 2 * policy.maxAttempts : policy.maxAttempts;
      await policy.onPoisonRecord(record, result.error, deliveries);
      poisoned++;
    } catch (error) {
      return failed(input, record, error);
    }
    remaining = remaining.slice(1);
    if (remaining.length > 0) await progress(input, record);
  }
  return { outcome: 'processed', poisoned };
}

type AttemptsResult =
  | { readonly kind: 'done' }
  | { readonly kind: 'aborted' }
  | {
      readonly kind: 'failed';
      /** How many records at the start of the chunk are done. */
      readonly doneCount: number;
      /** Whether the failure is known to be the first not-done record's own. */
      readonly pinpointed: boolean;
      readonly error: unknown;
    };

/** Tries `chunk` up to `maxAttempts` times at the same record, moving on past the records a partial failure reports done. */
async function attempts(
  input: ProcessWithRetriesInput,
  chunk: readonly ConsumerRecord[],
): Promise<AttemptsResult> {
  const { policy, signal } = input;
  let doneCount = 0;
  for (let attempt = 1; ; attempt++) {
    if (signal.aborted) return { kind: 'aborted' };
    const current = chunk.slice(doneCount);
    try {
      await input.process(current, attempt);
      return { kind: 'done' };
    } catch (error) {
      let pinpointed = current.length === 1;
      let recordError = error;
      if (PartialBatchFailureError.isInstance(error)) {
        const index = firstFailedIndex(error.failures, current);
        if (index >= 0) {
          pinpointed = true;
          recordError = failureErrorOf(error.failures, current[index]!) ?? error;
          if (index > 0) {
            doneCount += index;
            attempt = 1; // the first failed record has failed once
            await progress(input, chunk[doneCount - 1]!);
          }
        }
      }
      // stopping (or lease lost): keep the progress, report no failure, try nothing more
      if (signal.aborted) return { kind: 'aborted' };
      const willRetry = attempt < policy.maxAttempts;
      input.onFailure?.(error, attempt, willRetry);
      if (!willRetry) return { kind: 'failed', doneCount, pinpointed, error: recordError };
      try {
        await sleep(fullJitterBackoffMs(attempt, policy.backoff, input.random), signal);
      } catch {
        return { kind: 'aborted' };
      }
    }
  }
}

async function progress(input: ProcessWithRetriesInput, lastDone: ConsumerRecord): Promise<void> {
  try {
    await input.onProgress?.(lastDone);
  } catch {
    // the hook reports its own failures; the next checkpoint covers this one
  }
}

function failed(
  input: ProcessWithRetriesInput,
  record: ConsumerRecord | undefined,
  error: unknown,
): ProcessingOutcome {
  return {
    outcome: 'failed',
    error: new RecordProcessingError(input.shardId, input.policy.maxAttempts, record, error),
  };
}
