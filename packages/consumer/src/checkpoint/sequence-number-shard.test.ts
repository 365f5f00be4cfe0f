import { describe, expect, it } from 'vitest';
import { v2SequenceNumber } from '../../test/sequence-numbers.js';
import {
  otherShardOfSequenceNumber,
  shardIndexOfSequenceNumber,
  shardIndexOfShardId,
} from './sequence-number-shard.js';

describe('shardIndexOfSequenceNumber', () => {
  it('reads the shard of sequence numbers Kinesis issued (the vectors the Java KCL tests with)', () => {
    expect(shardIndexOfSequenceNumber('49587497311274533994574834252742144236107130636007899138')).toBe(0n);
    expect(shardIndexOfSequenceNumber('49585389983312162443796657944872008114154899568972529698')).toBe(2n);
  });

  it('reads the shard of sequence numbers in the layout the local emulator writes', () => {
    expect(shardIndexOfSequenceNumber(v2SequenceNumber(0, 5))).toBe(0n);
    expect(shardIndexOfSequenceNumber(v2SequenceNumber(17, 5))).toBe(17n);
  });

  it('cannot tell for numbers in another layout: short ones, other versions, not digits', () => {
    expect(shardIndexOfSequenceNumber('100')).toBeUndefined();
    const version3 = (BigInt(v2SequenceNumber(1, 5)) + (1n << 184n)).toString();
    expect(shardIndexOfSequenceNumber(version3)).toBeUndefined();
    expect(shardIndexOfSequenceNumber(`${v2SequenceNumber(1, 5)}0`)).toBeUndefined();
    expect(shardIndexOfSequenceNumber('TRIM_HORIZON')).toBeUndefined();
  });
});

describe('otherShardOfSequenceNumber', () => {
  it('names the shard that issued a number of another shard', () => {
    expect(otherShardOfSequenceNumber(v2SequenceNumber(17, 5), 'shardId-000000000001')).toBe(
      'shardId-000000000017',
    );
  });

  it('says nothing for a number of the shard itself, or when either side cannot be read', () => {
    expect(otherShardOfSequenceNumber(v2SequenceNumber(1, 5), 'shardId-000000000001')).toBeUndefined();
    expect(otherShardOfSequenceNumber('100', 'shardId-000000000001')).toBeUndefined();
    expect(otherShardOfSequenceNumber(v2SequenceNumber(17, 5), 'shard-1')).toBeUndefined();
  });

  it('reads shard ids of the usual form only', () => {
    expect(shardIndexOfShardId('shardId-000000000042')).toBe(42n);
    expect(shardIndexOfShardId('42')).toBeUndefined();
  });
});
