import { KinesisTsError } from '@kinesis-ts/core';
import { describe, expect, it } from 'vitest';
import { SecondCopyError } from '../test/second-copy-errors.js';
import { ConsumerErrorCode, LeaseLostError } from './errors.js';

describe('LeaseLostError.isInstance', () => {
  it('recognises a lost lease of this copy and of a second copy by its code', () => {
    expect(LeaseLostError.isInstance(new LeaseLostError('shard-1', 'taken'))).toBe(true);
    const foreign = new SecondCopyError(ConsumerErrorCode.LEASE_LOST, { leaseKey: 'shard-1' });
    expect(foreign instanceof LeaseLostError).toBe(false);
    expect(LeaseLostError.isInstance(foreign)).toBe(true);
    expect(KinesisTsError.isInstance(foreign)).toBe(true);
  });

  it('refuses other kinesis-ts errors and unmarked errors with the code', () => {
    expect(LeaseLostError.isInstance(new SecondCopyError(ConsumerErrorCode.CHECKPOINT_FAILED))).toBe(false);
    expect(LeaseLostError.isInstance(Object.assign(new Error('x'), { code: 'LEASE_LOST' }))).toBe(false);
  });
});
