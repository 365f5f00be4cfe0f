import { KinesisTsError, ValidationError } from '@kinesis-ts/core';
import { describe, expect, it } from 'vitest';
import { BufferFullError, RecordFailedError } from './errors.js';

/** A RecordFailedError as another copy of the package makes it: same mark, code and fields, another class. */
function fromAnotherCopy(code: string): Error {
  const error = Object.assign(new Error(`${code} from a second copy`), {
    code,
    retryable: true,
    attempts: [{ errorCode: 'ProvisionedThroughputExceededException' }],
  });
  Object.defineProperty(error, Symbol.for('kinesis-ts.error'), { value: true });
  return error;
}

describe('RecordFailedError.isInstance', () => {
  it('recognises a record failure made by another copy of the package, where instanceof does not', () => {
    const foreign = fromAnotherCopy('MAX_ATTEMPTS_EXCEEDED');
    expect(foreign instanceof RecordFailedError).toBe(false);
    expect(RecordFailedError.isInstance(foreign)).toBe(true);
  });

  it('is false for other kinesis-ts errors, which KinesisTsError.isInstance accepts', () => {
    const other = new BufferFullError({ partitionKey: 'k', data: new Uint8Array() }, 'maxBufferedRecords');
    expect(KinesisTsError.isInstance(other)).toBe(true);
    expect(RecordFailedError.isInstance(other)).toBe(false);
    expect(RecordFailedError.isInstance(new ValidationError('data', 'bytes', 'bad', 'INVALID_RECORD'))).toBe(
      false,
    );
    expect(RecordFailedError.isInstance(new Error('RECORD_FAILED'))).toBe(false);
  });
});
