import { validateIntegerOption } from '@kinesis-ts/core';
import { signalOf } from './context-signal.js';
import { KeyedScheduler } from './keyed-scheduler.js';
import { PartialBatchFailureError, type RecordFailure, type RecordPosition } from './processing-errors.js';

/** A function that processes one record (the per-record form of a handler); what it resolves with is ignored. */
export type RecordFunction<R, C> = (record: R, context: C) => unknown;

/** A function that processes a batch of records, in shard order. */
export type BatchFunction<R, C> = (records: readonly R[], context: C) => Promise<void>;

/** Options of {@link parallelByKey}. */
export interface ParallelByKeyOptions<R> {
  /**
   * How many records of a batch run at once, from 1 to 1 000. Records of one key never run at once
   * whatever this is; 1 processes the batch one record at a time in shard order.
   * @defaultValue 8
   */
  readonly concurrency?: number;
  /**
   * The ordering key: records with the same key run one at a time, in shard order.
   * @defaultValue the record's `partitionKey`
   */
  readonly keyOf?: (record: R) => string;
}

/** The defaults of {@link ParallelByKeyOptions}. */
export const DEFAULT_PARALLEL_BY_KEY_OPTIONS = { concurrency: 8 } as const;

/** The most records of a batch that may run at once. */
export const MAX_PARALLEL_BY_KEY_CONCURRENCY = 1_000;

/**
 * Turns a per-record function into a batch handler that runs up to `concurrency` records of the batch
 * at once, never two of one partition key (or `keyOf` key) at once, each key's records in shard
 * order. The lowest-positioned runnable record always starts first.
 *
 * It resolves when every record is done, so the consumer checkpoints the whole batch. When records
 * fail, nothing after the first failed record starts any more (records before it still run), and it
 * throws a {@link PartialBatchFailureError} naming the failed records: the consumer then checkpoints
 * just before the first failed record and retries from there. Records after it that were already
 * running when it failed (at most `concurrency − 1`) are delivered again.
 *
 * When the context has an aborted `signal` (the consumer's handler context has one: the consumer is
 * stopping or lost the lease), nothing more starts; once the running records are done it throws a
 * `PartialBatchFailureError` naming the first record not done, so the consumer checkpoints exactly
 * the records done and stops without waiting for the rest of the batch.
 *
 * ```ts
 * handler: parallelByKey(async (record) => { await save(record); }, { concurrency: 8 })
 * ```
 */
export function parallelByKey<R extends RecordPosition & { readonly partitionKey: string }, C>(
  processRecord: RecordFunction<R, C>,
  options: ParallelByKeyOptions<R> = {},
): BatchFunction<R, C> {
  const concurrency = validateIntegerOption(
    'concurrency',
    options.concurrency ?? DEFAULT_PARALLEL_BY_KEY_OPTIONS.concurrency,
    1,
    MAX_PARALLEL_BY_KEY_CONCURRENCY,
  );
  const keyOf = options.keyOf ?? ((record: R) => record.partitionKey);
  return async (records, context) => {
    const scheduler = new KeyedScheduler(records.map(keyOf), concurrency);
    const failures: RecordFailure<R>[] = [];
    const signal = signalOf(context);
    await new Promise<void>((resolve) => {
      const pump = (): void => {
        if (signal?.aborted) scheduler.stop();
        for (const index of scheduler.take()) {
          const record = records[index]!;
          Promise.resolve()
            .then(() => processRecord(record, context))
            .then(
              () => scheduler.complete(index, true),
              (error: unknown) => {
                failures.push({ record, error });
                scheduler.complete(index, false);
              },
            )
            .then(pump);
        }
        if (scheduler.finished) resolve();
      };
      pump();
    });
    const firstNotDone = scheduler.doneCount;
    if (firstNotDone === records.length) return;
    // Without a stop, the first record not done is the first failed one; after a stop it may be one
    // that never started: name it too, so that nothing before the resume point is left undone.
    if (scheduler.firstFailedIndex !== firstNotDone) {
      failures.push({ record: records[firstNotDone]!, error: signal?.reason ?? new Error('stopped') });
    }
    throw new PartialBatchFailureError(failures);
  };
}
