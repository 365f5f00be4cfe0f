import { describe, expect, it } from 'vitest';
import { ValidationError } from './errors.js';
import { MAX_HASH_KEY } from './limits.js';
import {
  describeValue,
  validateBooleanOption,
  validateExplicitHashKey,
  validateIntegerOption,
  validateMaxRecordSizeBytes,
  validatePartitionKey,
  validateUserRecord,
} from './validation.js';

function caught(run: () => unknown): ValidationError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return error as ValidationError;
  }
  throw new Error('expected a ValidationError');
}

describe('validatePartitionKey', () => {
  it('accepts 1 and 256 characters, counting UTF-16 units as Kinesis does', () => {
    expect(() => validatePartitionKey('k')).not.toThrow();
    expect(() => validatePartitionKey('k'.repeat(256))).not.toThrow();
    expect(() => validatePartitionKey('é'.repeat(256))).not.toThrow();
    expect(() => validatePartitionKey('🔑'.repeat(128))).not.toThrow();
  });

  it('names the field and the limit for an empty or a 257-character key', () => {
    const empty = caught(() => validatePartitionKey(''));
    expect(empty.field).toBe('partitionKey');
    expect(empty.code).toBe('INVALID_PARTITION_KEY');
    expect(empty.message).toContain('1..256');
    const long = caught(() => validatePartitionKey('k'.repeat(257)));
    expect(long.message).toContain('length is 257');
    expect(caught(() => validatePartitionKey('🔑'.repeat(129))).message).toContain('length is 258');
  });

  it('rejects keys that are not strings or hold unpaired surrogates', () => {
    expect(caught(() => validatePartitionKey(42)).message).toContain('got number');
    expect(caught(() => validatePartitionKey(undefined)).message).toContain('got undefined');
    expect(caught(() => validatePartitionKey('a\uD800b')).message).toContain('surrogate');
    expect(caught(() => validatePartitionKey('\uDC00')).message).toContain('surrogate');
  });
});

describe('validateExplicitHashKey', () => {
  it('returns the canonical decimal form', () => {
    expect(validateExplicitHashKey(' 0042 ')).toBe('42');
    expect(validateExplicitHashKey(7n)).toBe('7');
    expect(validateExplicitHashKey(MAX_HASH_KEY.toString())).toBe(MAX_HASH_KEY.toString());
  });

  it('names the field and the range when out of range or not numeric', () => {
    const error = caught(() => validateExplicitHashKey((MAX_HASH_KEY + 1n).toString()));
    expect(error.field).toBe('explicitHashKey');
    expect(error.code).toBe('INVALID_EXPLICIT_HASH_KEY');
    expect(error.message).toContain('[0, 2^128 - 1]');
    expect(caught(() => validateExplicitHashKey('undefined')).code).toBe('INVALID_EXPLICIT_HASH_KEY');
    expect(caught(() => validateExplicitHashKey(-1n)).code).toBe('INVALID_EXPLICIT_HASH_KEY');
    expect(caught(() => validateExplicitHashKey(12)).message).toContain('got number');
  });
});

describe('validateUserRecord', () => {
  const MiB = 1024 * 1024;

  it('accepts a record of exactly 1 MiB, data plus partition key', () => {
    const record = { partitionKey: 'k', data: new Uint8Array(MiB - 1) };
    expect(validateUserRecord(record).sizeBytes).toBe(MiB);
  });

  it('rejects 1 MiB + 1 byte with RECORD_TOO_LARGE naming the limit (SC-10)', () => {
    const error = caught(() => validateUserRecord({ partitionKey: 'k', data: new Uint8Array(MiB) }));
    expect(error.code).toBe('RECORD_TOO_LARGE');
    expect(error.field).toBe('data');
    expect(error.message).toContain(`at most ${MiB} bytes`);
    expect(error.message).toContain(`${MiB + 1} bytes`);
    expect(error.retryable).toBe(false);
  });

  it('accepts the same record when the limit is raised for a large-record stream', () => {
    expect(validateUserRecord({ partitionKey: 'k', data: new Uint8Array(MiB) }, 10 * MiB).sizeBytes).toBe(
      MiB + 1,
    );
  });

  it('counts the partition key in UTF-8 bytes', () => {
    const key = 'é'.repeat(200);
    expect(validateUserRecord({ partitionKey: key, data: new Uint8Array(10) }).sizeBytes).toBe(410);
    expect(() => validateUserRecord({ partitionKey: key, data: new Uint8Array(MiB - 399) })).toThrow(
      ValidationError,
    );
  });

  it('accepts empty data and returns the canonical explicit hash key', () => {
    const validated = validateUserRecord({
      partitionKey: 'k',
      data: new Uint8Array(0),
      explicitHashKey: '010',
    });
    expect(validated.explicitHashKey).toBe('10');
    expect(validated.sizeBytes).toBe(1);
  });

  it('rejects data that is not bytes', () => {
    const error = caught(() =>
      validateUserRecord({ partitionKey: 'k', data: 'text' as unknown as Uint8Array }),
    );
    expect(error.code).toBe('INVALID_DATA');
    expect(error.field).toBe('data');
    expect(caught(() => validateUserRecord(null as never)).code).toBe('INVALID_RECORD');
  });
});

describe('option validation', () => {
  it('checks the max record size is between 1 byte and 10 MiB', () => {
    expect(validateMaxRecordSizeBytes(10 * 1024 * 1024)).toBe(10 * 1024 * 1024);
    const error = caught(() => validateMaxRecordSizeBytes(10 * 1024 * 1024 + 1));
    expect(error.field).toBe('maxRecordSizeBytes');
    expect(error.code).toBe('INVALID_OPTION');
  });

  const integerMessage = (value: unknown, max = 10, options?: { allowInfinity?: boolean }) =>
    caught(() => validateIntegerOption('maxBufferedTimeMs', value, 0, max, options)).message;

  it('names the option and its code whatever is wrong with the value', () => {
    const error = caught(() => validateIntegerOption('maxBufferedTimeMs', Number.NaN, 0, 10));
    expect(error.field).toBe('maxBufferedTimeMs');
    expect(error.code).toBe('INVALID_OPTION');
    expect(error.limit).toBe('an integer from 0 to 10');
  });

  it('says it got NaN for NaN (not that a number was expected)', () => {
    expect(integerMessage(Number.NaN)).toBe(
      'Invalid maxBufferedTimeMs: got NaN (allowed: an integer from 0 to 10)',
    );
  });

  it('says it got Infinity or -Infinity when infinity is not allowed', () => {
    expect(integerMessage(Number.POSITIVE_INFINITY)).toBe(
      'Invalid maxBufferedTimeMs: got Infinity (allowed: an integer from 0 to 10)',
    );
    expect(integerMessage(Number.NEGATIVE_INFINITY)).toBe(
      'Invalid maxBufferedTimeMs: got -Infinity (allowed: an integer from 0 to 10)',
    );
    expect(integerMessage(Number.POSITIVE_INFINITY, Number.POSITIVE_INFINITY)).toBe(
      'Invalid maxBufferedTimeMs: got Infinity (allowed: an integer of 0 or more)',
    );
  });

  it('accepts Infinity only with allowInfinity and an unbounded maximum, and says so in the limit', () => {
    expect(
      validateIntegerOption('x', Number.POSITIVE_INFINITY, 0, Number.POSITIVE_INFINITY, {
        allowInfinity: true,
      }),
    ).toBe(Number.POSITIVE_INFINITY);
    expect(integerMessage(-1, Number.POSITIVE_INFINITY, { allowInfinity: true })).toBe(
      'Invalid maxBufferedTimeMs: got -1 (allowed: an integer of 0 or more, or Infinity)',
    );
    expect(integerMessage(Number.POSITIVE_INFINITY, 10, { allowInfinity: true })).toBe(
      'Invalid maxBufferedTimeMs: got Infinity (allowed: an integer from 0 to 10)',
    );
  });

  it('says a fraction is not an integer', () => {
    expect(integerMessage(1.5)).toBe(
      'Invalid maxBufferedTimeMs: got 1.5, not an integer (allowed: an integer from 0 to 10)',
    );
  });

  it('says which number was out of range', () => {
    expect(integerMessage(11)).toBe('Invalid maxBufferedTimeMs: got 11 (allowed: an integer from 0 to 10)');
    expect(integerMessage(-1)).toBe('Invalid maxBufferedTimeMs: got -1 (allowed: an integer from 0 to 10)');
  });

  it('says what it got instead of a number, quoting a string so "5" is not taken for 5', () => {
    expect(integerMessage('5')).toBe(
      'Invalid maxBufferedTimeMs: expected a number, got the string "5" (allowed: an integer from 0 to 10)',
    );
    expect(integerMessage(5n)).toContain('expected a number, got 5n');
    expect(integerMessage(null)).toContain('expected a number, got null');
    expect(integerMessage(undefined)).toContain('expected a number, got undefined');
    expect(integerMessage([5])).toContain('expected a number, got an array');
    expect(integerMessage({})).toContain('expected a number, got Object');
  });

  it('says what a boolean option got instead', () => {
    expect(caught(() => validateBooleanOption('aggregation', 'true')).message).toBe(
      'Invalid aggregation: got the string "true" (allowed: true or false)',
    );
    expect(caught(() => validateBooleanOption('aggregation', 0)).message).toContain('got 0');
  });
});

describe('describeValue', () => {
  it('shows numbers as written, strings quoted and shortened, and other values by what they are', () => {
    expect(describeValue(Number.NaN)).toBe('NaN');
    expect(describeValue(Number.NEGATIVE_INFINITY)).toBe('-Infinity');
    expect(describeValue(1.5)).toBe('1.5');
    expect(describeValue(false)).toBe('false');
    expect(describeValue(12n)).toBe('12n');
    expect(describeValue('')).toBe('the string ""');
    expect(describeValue('x'.repeat(50))).toBe(`the string "${'x'.repeat(40)}…"`);
    expect(describeValue(null)).toBe('null');
    expect(describeValue(undefined)).toBe('undefined');
    expect(describeValue(() => 1)).toBe('a function');
    expect(describeValue(Symbol('s'))).toBe('a symbol');
    expect(describeValue([1])).toBe('an array');
    expect(describeValue(new Date(0))).toBe('Date');
    expect(describeValue(Object.create(null))).toBe('an object');
  });
});
