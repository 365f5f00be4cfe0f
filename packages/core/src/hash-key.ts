import * as crypto from 'node:crypto';
import { CoreErrorCode, ValidationError } from './errors.js';
import { MAX_HASH_KEY } from './limits.js';

/** `crypto.hash` (Node ≥ 20.12) hashes a short string several times faster than `createHash`. */
const md5Hex: (text: string) => string =
  typeof crypto.hash === 'function'
    ? (text) => crypto.hash('md5', text, 'hex')
    : (text) => crypto.createHash('md5').update(text, 'utf8').digest('hex');

/**
 * The 128-bit hash key Kinesis derives from a partition key: the MD5 digest of its UTF-8 bytes,
 * read as a big-endian unsigned integer. This decides the shard unless an explicit hash key is given.
 */
export function partitionKeyToHashKey(partitionKey: string): bigint {
  return BigInt(`0x${md5Hex(partitionKey)}`);
}

/**
 * The hash key that routes a record: its explicit hash key when it has one, otherwise the MD5 of the
 * partition key. An explicit hash key must already be valid (see {@link parseExplicitHashKey}).
 */
export function effectiveHashKey(partitionKey: string, explicitHashKey?: string | bigint): bigint {
  if (explicitHashKey === undefined) return partitionKeyToHashKey(partitionKey);
  return typeof explicitHashKey === 'bigint' ? explicitHashKey : BigInt(explicitHashKey.trim());
}

const DECIMAL_DIGITS = /^[0-9]+$/;

/**
 * Parses an explicit hash key given as a bigint or a decimal string (surrounding white space is
 * ignored, as the KPL does). Returns `undefined` when it is not a decimal integer in [0, 2^128 − 1].
 */
export function parseExplicitHashKey(value: string | bigint): bigint | undefined {
  let parsed: bigint;
  if (typeof value === 'bigint') {
    parsed = value;
  } else {
    const trimmed = value.trim();
    if (!DECIMAL_DIGITS.test(trimmed) || trimmed.length > 40) return undefined;
    parsed = BigInt(trimmed);
  }
  return parsed >= 0n && parsed <= MAX_HASH_KEY ? parsed : undefined;
}

/**
 * Reads one end of a hash-key range (a shard's `StartingHashKey` or `EndingHashKey`), given as a
 * bigint or a decimal string.
 * @throws ValidationError (`INVALID_HASH_KEY_RANGE`) naming `field` when it is not a decimal integer in [0, 2^128 − 1].
 */
export function parseHashKeyBound(value: string | bigint, field: string): bigint {
  const parsed = parseExplicitHashKey(value);
  if (parsed === undefined) {
    throw new ValidationError(
      field,
      'a decimal integer in [0, 2^128 - 1]',
      `got "${String(value)}"`,
      CoreErrorCode.INVALID_HASH_KEY_RANGE,
    );
  }
  return parsed;
}
