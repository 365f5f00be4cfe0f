import type { RecordFailure } from '../src/processing/processing-errors.js';

/**
 * An error as another copy of the kinesis-ts packages makes it (another version in the lockfile, the
 * `/lambda` entry bundled apart from the main one): the same `Symbol.for` mark, code and fields, but
 * another class and none of this copy's methods, so `instanceof` fails on it.
 */
export class SecondCopyError extends Error {
  readonly retryable: boolean;
  constructor(
    readonly code: string,
    fields: Record<string, unknown> = {},
    retryable = false,
  ) {
    super(`${code} from a second copy`);
    this.retryable = retryable;
    Object.defineProperty(this, Symbol.for('kinesis-ts.error'), { value: true });
    Object.assign(this, fields);
  }
}

/** A `PartialBatchFailureError` of a second copy, naming `failures`. */
export function secondCopyPartialBatchFailure(failures: readonly RecordFailure[]): SecondCopyError {
  return new SecondCopyError('PARTIAL_BATCH_FAILURE', { failures }, true);
}
