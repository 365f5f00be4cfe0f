import { describe, expect, it } from 'vitest';
import { SecondCopyError } from '../test/second-copy-errors.js';
import {
  ConsumerErrorCode,
  ConsumerStartError,
  InvalidRetrievalResultError,
  StreamConsumerError,
} from './errors.js';

describe('the consumer errors recognise copies of themselves by their brand', () => {
  it('tells a start error from a stream consumer error with the same code', () => {
    const start = new ConsumerStartError(ConsumerErrorCode.STREAM_CONSUMER_NOT_ACTIVE, 'not active');
    const stream = new StreamConsumerError(ConsumerErrorCode.STREAM_CONSUMER_NOT_ACTIVE, 'app', 'not active');
    expect(ConsumerStartError.isInstance(start)).toBe(true);
    expect(ConsumerStartError.isInstance(stream)).toBe(false);
    expect(StreamConsumerError.isInstance(stream)).toBe(true);
    expect(StreamConsumerError.isInstance(start)).toBe(false);
  });

  it('accepts the errors of another copy of the package, where instanceof does not', () => {
    const start = new SecondCopyError('LEASE_TABLE_NOT_FOUND');
    expect(start instanceof ConsumerStartError).toBe(false);
    expect(ConsumerStartError.isInstance(start)).toBe(true);
    const invalid = new SecondCopyError(
      'INVALID_RETRIEVAL_RESULT',
      { shardId: 'shardId-000000000000' },
      true,
    );
    expect(InvalidRetrievalResultError.isInstance(invalid)).toBe(true);
    expect(InvalidRetrievalResultError.isInstance(start)).toBe(false);
    expect(
      StreamConsumerError.isInstance(new SecondCopyError('STREAM_CONSUMER_NOT_FOUND', { consumer: 'app' })),
    ).toBe(true);
  });
});
