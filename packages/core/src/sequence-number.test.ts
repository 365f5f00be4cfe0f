import { describe, expect, it } from 'vitest';
import { ValidationError } from './errors.js';
import {
  CheckpointSentinel,
  compareExtendedSequenceNumbers,
  compareSequenceNumbers,
  extendedSequenceNumber,
  isCheckpointSentinel,
} from './sequence-number.js';

const A = '49590338271490256608559692538361571095921575989136588898';
const B = '49590338271490256608559692538361571095921575989136588899';

describe('compareSequenceNumbers', () => {
  it('orders numbers that differ only past the precision of a double', () => {
    expect(Number(A)).toBe(Number(B));
    expect(compareSequenceNumbers(A, B)).toBe(-1);
    expect(compareSequenceNumbers(B, A)).toBe(1);
    expect(compareSequenceNumbers(A, A)).toBe(0);
  });

  it('orders by magnitude, not by text, when lengths differ', () => {
    expect(compareSequenceNumbers('9', '10')).toBe(-1);
    expect(compareSequenceNumbers('100', '99')).toBe(1);
  });

  it('ignores leading zeros', () => {
    expect(compareSequenceNumbers('0042', '42')).toBe(0);
    expect(compareSequenceNumbers('0', '000')).toBe(0);
  });

  it('rejects anything that is not a digit string', () => {
    expect(() => compareSequenceNumbers('LATEST', '1')).toThrow(ValidationError);
    expect(() => compareSequenceNumbers('1', '-2')).toThrow(ValidationError);
    expect(() => compareSequenceNumbers('', '1')).toThrow(ValidationError);
  });
});

describe('compareExtendedSequenceNumbers', () => {
  const at = (sequenceNumber: string, subSequenceNumber = 0) =>
    extendedSequenceNumber(sequenceNumber, subSequenceNumber);

  it('orders by sequence number, then by sub-sequence number', () => {
    expect(compareExtendedSequenceNumbers(at(A, 5), at(B, 0))).toBe(-1);
    expect(compareExtendedSequenceNumbers(at(A, 1), at(A, 2))).toBe(-1);
    expect(compareExtendedSequenceNumbers(at(A, 2), at(A, 2))).toBe(0);
    expect(compareExtendedSequenceNumbers(at(A, 3), at(A, 2))).toBe(1);
  });

  it('orders sentinels as the KCL does: AT_TIMESTAMP < TRIM_HORIZON < LATEST < numbers < SHARD_END', () => {
    const ordered = [
      at(CheckpointSentinel.AT_TIMESTAMP),
      at(CheckpointSentinel.TRIM_HORIZON),
      at(CheckpointSentinel.LATEST),
      at('0'),
      at(A),
      at(A, 9),
      at(B),
      at(CheckpointSentinel.SHARD_END),
    ];
    const shuffled = [...ordered].reverse();
    shuffled.sort(compareExtendedSequenceNumbers);
    expect(shuffled).toEqual(ordered);
  });

  it('treats equal sentinels as equal', () => {
    expect(compareExtendedSequenceNumbers(at('SHARD_END'), at('SHARD_END'))).toBe(0);
  });
});

describe('extendedSequenceNumber', () => {
  it('rejects values that are neither sequence numbers nor sentinels', () => {
    expect(() => extendedSequenceNumber('BEGINNING')).toThrow(ValidationError);
    expect(() => extendedSequenceNumber(A, -1)).toThrow(ValidationError);
    expect(() => extendedSequenceNumber(A, 1.5)).toThrow(ValidationError);
  });

  it('recognises the four sentinels', () => {
    for (const sentinel of ['TRIM_HORIZON', 'LATEST', 'AT_TIMESTAMP', 'SHARD_END']) {
      expect(isCheckpointSentinel(sentinel)).toBe(true);
    }
    expect(isCheckpointSentinel('AT_SEQUENCE_NUMBER')).toBe(false);
  });
});
