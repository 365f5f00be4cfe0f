import { KinesisTsError } from '@kinesis-ts/core';
import { describe, expect, it } from 'vitest';
import { SecondCopyError, secondCopyPartialBatchFailure } from '../../test/second-copy-errors.js';
import { PartialBatchFailureError } from './processing-errors.js';

describe('PartialBatchFailureError', () => {
  it('sorts its failures in shard order (by sequence number as an integer, then sub-sequence number)', () => {
    const error = new PartialBatchFailureError([
      { record: { sequenceNumber: '100', subSequenceNumber: 2 }, error: 'c' },
      { record: { sequenceNumber: '99' }, error: 'a' },
      { record: { sequenceNumber: '100', subSequenceNumber: 1 }, error: 'b' },
    ]);
    expect(error.failures.map((f) => f.error)).toEqual(['a', 'b', 'c']);
    expect(error).toBeInstanceOf(KinesisTsError);
    expect(error).toMatchObject({ code: 'PARTIAL_BATCH_FAILURE', retryable: true, cause: 'a' });
    expect(error.message).toContain('99/0');
  });

  it('finds the first failed record of a batch by position, and its error', () => {
    const batch = [
      { sequenceNumber: '5', subSequenceNumber: 0 },
      { sequenceNumber: '5', subSequenceNumber: 1 },
      { sequenceNumber: '6', subSequenceNumber: 0 },
    ];
    const error = new PartialBatchFailureError([
      { record: { sequenceNumber: '6' }, error: 'six' },
      { record: { sequenceNumber: '5', subSequenceNumber: 1 }, error: 'five/1' },
    ]);
    expect(error.firstFailedIndex(batch)).toBe(1);
    expect(error.errorOf(batch[2]!)).toBe('six');
    expect(error.errorOf(batch[0]!)).toBeUndefined();
    expect(new PartialBatchFailureError([]).firstFailedIndex(batch)).toBe(-1);
  });
});

describe('PartialBatchFailureError.isInstance', () => {
  it('recognises one of this copy and one of a second copy, and nothing else', () => {
    const failures = [{ record: { sequenceNumber: '1' }, error: 'x' }];
    expect(PartialBatchFailureError.isInstance(new PartialBatchFailureError(failures))).toBe(true);
    expect(PartialBatchFailureError.isInstance(secondCopyPartialBatchFailure(failures))).toBe(true);
    expect(PartialBatchFailureError.isInstance(new SecondCopyError('PARTIAL_BATCH_FAILURE'))).toBe(false);
    expect(PartialBatchFailureError.isInstance(new SecondCopyError('LEASE_LOST', { failures }))).toBe(false);
    expect(
      PartialBatchFailureError.isInstance(
        Object.assign(new Error('x'), { code: 'PARTIAL_BATCH_FAILURE', failures }),
      ),
    ).toBe(false);
  });
});
