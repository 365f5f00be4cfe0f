import { describe, expect, it } from 'vitest';
import { startingPositionFor } from './starting-position.js';

const esn = (sequenceNumber: string, subSequenceNumber = 0) => ({ sequenceNumber, subSequenceNumber });

describe('startingPositionFor', () => {
  it('reads AT_SEQUENCE_NUMBER of a checkpoint, so the rest of a partly processed aggregate is delivered', () => {
    expect(startingPositionFor(esn('4963157740148466073', 3), undefined)).toEqual({
      type: 'AT_SEQUENCE_NUMBER',
      sequenceNumber: '4963157740148466073',
    });
  });

  it('maps the sentinels to their iterator types, AT_TIMESTAMP with this worker’s timestamp', () => {
    const at = new Date('2026-01-01T00:00:00Z');
    expect(startingPositionFor(esn('TRIM_HORIZON'), at)).toEqual({ type: 'TRIM_HORIZON' });
    expect(startingPositionFor(esn('LATEST'), at)).toEqual({ type: 'LATEST' });
    expect(startingPositionFor(esn('AT_TIMESTAMP'), at)).toEqual({ type: 'AT_TIMESTAMP', timestamp: at });
  });

  it('reads from the oldest record rather than skip any when AT_TIMESTAMP has no configured timestamp', () => {
    expect(startingPositionFor(esn('AT_TIMESTAMP'), undefined)).toEqual({ type: 'TRIM_HORIZON' });
  });

  it('has nothing to read at SHARD_END', () => {
    expect(startingPositionFor(esn('SHARD_END'), undefined)).toBeUndefined();
  });
});
