import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { effectiveHashKey, parseExplicitHashKey, partitionKeyToHashKey } from './hash-key.js';
import { MAX_HASH_KEY } from './limits.js';

describe('partitionKeyToHashKey', () => {
  it.each([
    ['a', 16955237001963240173058271559858726497n],
    ['pk1', 329398341438914906102347661116985167824n],
    ['pk2', 122875064651314509700510597659732835739n],
    ['user-1', 285573413173782752570879317399258818820n],
    ['user-2', 81544010656874607678696621737415172275n],
  ])('hashes %s to the big-endian MD5 integer Kinesis uses', (key, expected) => {
    expect(partitionKeyToHashKey(key)).toBe(expected);
  });

  it('hashes the UTF-8 bytes of non-ASCII keys', () => {
    const viaBuffer = BigInt(
      `0x${createHash('md5')
        .update(Buffer.from([0xc3, 0xa9]))
        .digest('hex')}`,
    );
    expect(partitionKeyToHashKey('é')).toBe(viaBuffer);
  });

  it('always lands inside the hash space', () => {
    for (const key of ['x', 'ключ', '🔑', 'k'.repeat(256)]) {
      const hashKey = partitionKeyToHashKey(key);
      expect(hashKey >= 0n && hashKey <= MAX_HASH_KEY).toBe(true);
    }
  });
});

describe('effectiveHashKey', () => {
  it('uses the explicit hash key when there is one, as a string or a bigint', () => {
    expect(effectiveHashKey('pk1', '42')).toBe(42n);
    expect(effectiveHashKey('pk1', 42n)).toBe(42n);
    expect(effectiveHashKey('pk1', ' 42 ')).toBe(42n);
  });

  it('falls back to the MD5 of the partition key', () => {
    expect(effectiveHashKey('pk1')).toBe(329398341438914906102347661116985167824n);
  });
});

describe('parseExplicitHashKey', () => {
  it('accepts the bounds of the hash space', () => {
    expect(parseExplicitHashKey('0')).toBe(0n);
    expect(parseExplicitHashKey(MAX_HASH_KEY.toString())).toBe(MAX_HASH_KEY);
    expect(parseExplicitHashKey(MAX_HASH_KEY)).toBe(MAX_HASH_KEY);
  });

  it('ignores surrounding white space and leading zeros', () => {
    expect(parseExplicitHashKey('  007\n')).toBe(7n);
  });

  it.each([
    '',
    ' ',
    '-1',
    '+1',
    '1.5',
    '1e3',
    '0x10',
    'abc',
    'undefined',
    (MAX_HASH_KEY + 1n).toString(),
    '9'.repeat(41),
  ])('rejects %j', (value) => {
    expect(parseExplicitHashKey(value)).toBeUndefined();
  });

  it('rejects bigints outside the hash space', () => {
    expect(parseExplicitHashKey(-1n)).toBeUndefined();
    expect(parseExplicitHashKey(MAX_HASH_KEY + 1n)).toBeUndefined();
  });
});
