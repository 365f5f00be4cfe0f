import type { BatchFunction } from './parallel-by-key.js';
import {
  failureErrorOf,
  firstFailedIndex,
  PartialBatchFailureError,
  type RecordPosition,
} from './processing-errors.js';

/**
 * Wraps a batch handler so that a failing batch is split in halves, and the failing half again,
 * until the first failing record is isolated (as Lambda's `BisectBatchOnFunctionError`). Halves run
 * in shard order and each is tried once; when a half succeeds its records are done. The wrapper then
 * throws a {@link PartialBatchFailureError} naming the isolated record, so the consumer checkpoints
 * just before it, retries from it and, after `maxProcessingAttempts`, treats it as the poison record,
 * without running the records before it again.
 *
 * A handler that throws a `PartialBatchFailureError` itself is taken at its word (no bisection).
 * If every half succeeds (the failure was transient), the batch is done. A failing batch of n records
 * costs at most about 2·log2(n) extra handler calls per attempt.
 */
export function bisectOnError<R extends RecordPosition, C>(
  processBatch: (records: readonly R[], context: C) => unknown,
): BatchFunction<R, C> {
  return async (records, context) => {
    const failure = await firstFailure(records, context);
    if (failure) {
      throw new PartialBatchFailureError([{ record: records[failure.index]!, error: failure.error }]);
    }
  };

  async function firstFailure(
    records: readonly R[],
    context: C,
  ): Promise<{ index: number; error: unknown } | undefined> {
    if (records.length === 0) return undefined;
    try {
      await processBatch(records, context);
      return undefined;
    } catch (error) {
      if (PartialBatchFailureError.isInstance(error)) {
        const index = firstFailedIndex(error.failures, records);
        if (index >= 0) return { index, error: failureErrorOf(error.failures, records[index]!) ?? error };
      }
      if (records.length === 1) return { index: 0, error };
      const middle = Math.ceil(records.length / 2);
      const left = await firstFailure(records.slice(0, middle), context);
      if (left) return left;
      const right = await firstFailure(records.slice(middle), context);
      return right && { index: middle + right.index, error: right.error };
    }
  }
}
