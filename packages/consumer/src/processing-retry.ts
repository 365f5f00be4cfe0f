import { type BackoffPolicy, fullJitterBackoffMs, type RandomSource, sleep } from '@kinesis-ts/core';
import { RecordProcessingError } from './errors.js';
import type { ConsumerRecord } from './record-processor.js';

/** How failures of the handler (or `processRecords`) are handled. */
export interface ProcessingPolicy {
  /** Tries per batch (and per record when isolating a poison record). */
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
  /** Processes some records (the whole batch, or one record when isolating a poison record). */
  readonly process: (records: readonly ConsumerRecord[], attempt: number) => Promise<void>;
  readonly policy: ProcessingPolicy;
  readonly signal: AbortSignal;
  readonly random: RandomSource;
  /** Called after each failure; `willRetry` is false on the last attempt. */
  readonly onFailure?: (error: unknown, attempt: number, willRetry: boolean) => void;
}

/**
 * Runs the handler on a batch with the failure policy: on failure, retry the same batch after a
 * full-jitter backoff, up to `maxAttempts`. Then, without `onPoisonRecord`, give up (`failed`: the shard
 * stops, nothing is skipped). With it, retry the batch one record at a time (each up to
 * `maxAttempts`) and hand each record that still fails to `onPoisonRecord`, moving on. Earlier
 * records of the batch may so be processed more than once (at-least-once).
 */
export async function processWithRetries(input: ProcessWithRetriesInput): Promise<ProcessingOutcome> {
  const { records, policy } = input;
  const batch = await attempts(input, records);
  if (batch.ok) return { outcome: 'processed', poisoned: 0 };
  if (batch.aborted) return { outcome: 'aborted' };
  if (!policy.onPoisonRecord) return failed(input, records[0], batch.error);

  let poisoned = 0;
  for (const [index, record] of records.entries()) {
    const single = records.length === 1 ? batch : await attempts(input, [record]);
    if (single.ok) continue;
    if (single.aborted) return { outcome: 'aborted' };
    try {
      await policy.onPoisonRecord(record, single.error, policy.maxAttempts);
      poisoned++;
    } catch (error) {
      return failed(input, records[index], error);
    }
  }
  return { outcome: 'processed', poisoned };
}

type AttemptsResult =
  | { ok: true }
  | { ok: false; aborted: true }
  | { ok: false; aborted: false; error: unknown };

async function attempts(
  input: ProcessWithRetriesInput,
  records: readonly ConsumerRecord[],
): Promise<AttemptsResult> {
  const { policy, signal } = input;
  let lastError: unknown;
  for (let attempt = 1; attempt <= policy.maxAttempts; attempt++) {
    if (signal.aborted) return { ok: false, aborted: true };
    try {
      await input.process(records, attempt);
      return { ok: true };
    } catch (error) {
      lastError = error;
      const willRetry = attempt < policy.maxAttempts;
      input.onFailure?.(error, attempt, willRetry);
      if (!willRetry) break;
      try {
        await sleep(fullJitterBackoffMs(attempt, policy.backoff, input.random), signal);
      } catch {
        return { ok: false, aborted: true };
      }
    }
  }
  return { ok: false, aborted: false, error: lastError };
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
