import { CoreErrorCode, ValidationError } from './errors.js';
import { parseExplicitHashKey } from './hash-key.js';
import {
  DEFAULT_MAX_RECORD_SIZE_BYTES,
  MAX_PARTITION_KEY_LENGTH,
  MAX_RECORD_SIZE_LIMIT_BYTES,
  MIN_PARTITION_KEY_LENGTH,
} from './limits.js';
import type { UserRecord } from './record.js';

/**
 * The codes of the record and option validation failures: a part of {@link CoreErrorCode}, kept
 * under this name for programs that import it.
 */
export const ValidationErrorCode = {
  INVALID_RECORD: CoreErrorCode.INVALID_RECORD,
  INVALID_PARTITION_KEY: CoreErrorCode.INVALID_PARTITION_KEY,
  INVALID_EXPLICIT_HASH_KEY: CoreErrorCode.INVALID_EXPLICIT_HASH_KEY,
  INVALID_DATA: CoreErrorCode.INVALID_DATA,
  RECORD_TOO_LARGE: CoreErrorCode.RECORD_TOO_LARGE,
  INVALID_OPTION: CoreErrorCode.INVALID_OPTION,
} as const;

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
/** `String.prototype.isWellFormed` (Node ≥ 20): a lone surrogate check in native code. */
const isWellFormed = (String.prototype as { isWellFormed?: (this: string) => boolean }).isWellFormed;

/** Whether a string has an unpaired UTF-16 surrogate (checked on every new partition key: kept cheap). */
function hasLoneSurrogate(value: string): boolean {
  return isWellFormed === undefined ? LONE_SURROGATE.test(value) : !isWellFormed.call(value);
}

const PARTITION_KEY_LIMIT = `a string of ${MIN_PARTITION_KEY_LENGTH}..${MAX_PARTITION_KEY_LENGTH} characters`;

/**
 * Checks a partition key: a string of 1 to 256 characters (UTF-16 code units, as Kinesis and the KPL
 * count them) that is valid Unicode, so that its UTF-8 bytes, and so its hash key, are well defined.
 * @throws ValidationError (`INVALID_PARTITION_KEY`) naming `field`.
 */
export function validatePartitionKey(
  partitionKey: unknown,
  field = 'partitionKey',
): asserts partitionKey is string {
  const limit = PARTITION_KEY_LIMIT;
  if (typeof partitionKey !== 'string') {
    throw new ValidationError(
      field,
      limit,
      `expected a string, got ${describe(partitionKey)}`,
      CoreErrorCode.INVALID_PARTITION_KEY,
    );
  }
  if (partitionKey.length < MIN_PARTITION_KEY_LENGTH || partitionKey.length > MAX_PARTITION_KEY_LENGTH) {
    throw new ValidationError(
      field,
      limit,
      `length is ${partitionKey.length}`,
      CoreErrorCode.INVALID_PARTITION_KEY,
    );
  }
  if (hasLoneSurrogate(partitionKey)) {
    throw new ValidationError(
      field,
      limit,
      'contains an unpaired UTF-16 surrogate',
      CoreErrorCode.INVALID_PARTITION_KEY,
    );
  }
}

/**
 * Checks an explicit hash key and returns it in canonical decimal form (no sign, no leading zeros,
 * no white space), as it must appear in the aggregate's table and in `PutRecords`.
 * @throws ValidationError (`INVALID_EXPLICIT_HASH_KEY`) naming `field`.
 */
export function validateExplicitHashKey(explicitHashKey: unknown, field = 'explicitHashKey'): string {
  const limit = 'a decimal integer in [0, 2^128 - 1]';
  if (typeof explicitHashKey !== 'string' && typeof explicitHashKey !== 'bigint') {
    throw new ValidationError(
      field,
      limit,
      `expected a string or bigint, got ${describe(explicitHashKey)}`,
      CoreErrorCode.INVALID_EXPLICIT_HASH_KEY,
    );
  }
  const parsed = parseExplicitHashKey(explicitHashKey);
  if (parsed === undefined) {
    const shown = String(explicitHashKey);
    const detail = `"${shown.length > 60 ? `${shown.slice(0, 60)}…` : shown}" is not in range`;
    throw new ValidationError(field, limit, detail, CoreErrorCode.INVALID_EXPLICIT_HASH_KEY);
  }
  return parsed.toString();
}

/**
 * Checks a maximum record size option: a whole number of bytes from 1 to 10 MiB.
 * @throws ValidationError (`INVALID_OPTION`) naming `field`.
 */
export function validateMaxRecordSizeBytes(value: unknown, field = 'maxRecordSizeBytes'): number {
  return validateIntegerOption(field, value, 1, MAX_RECORD_SIZE_LIMIT_BYTES);
}

/**
 * Checks a numeric option: an integer (or `Infinity` when `allowInfinity` and `max` is `Infinity`)
 * within `[min, max]`, or 0 when `zeroMeansOff` (a duration where 0 turns the feature off). The error
 * says what was given: `NaN`, `Infinity`, a fraction, a number out of range, or a value that is not a
 * number at all (a string such as `"5000"` from the environment…).
 * @throws ValidationError (`INVALID_OPTION`) naming `field`.
 */
export function validateIntegerOption(
  field: string,
  value: unknown,
  min: number,
  max: number,
  options: { allowInfinity?: boolean; zeroMeansOff?: boolean } = {},
): number {
  const allowInfinity = options.allowInfinity === true && max === Number.POSITIVE_INFINITY;
  const zeroMeansOff = options.zeroMeansOff === true && min > 0;
  const limit = integerLimit(min, max, { allowInfinity, zeroMeansOff });
  if (typeof value !== 'number') {
    throw new ValidationError(
      field,
      limit,
      `expected a number, got ${describeValue(value)}`,
      CoreErrorCode.INVALID_OPTION,
    );
  }
  if (value === Number.POSITIVE_INFINITY && allowInfinity) return value;
  if (!Number.isInteger(value)) {
    const detail = Number.isFinite(value) ? `got ${value}, not an integer` : `got ${value}`;
    throw new ValidationError(field, limit, detail, CoreErrorCode.INVALID_OPTION);
  }
  if ((value < min || value > max) && !(zeroMeansOff && value === 0)) {
    throw new ValidationError(field, limit, `got ${value}`, CoreErrorCode.INVALID_OPTION);
  }
  return value;
}

/**
 * What {@link validateIntegerOption} accepts, in words: `an integer from 1 to 500`, `an integer of 0
 * or more, or Infinity`, `0 (never) or at least 100 and at most 86400000`.
 */
export function integerLimit(
  min: number,
  max: number,
  options: { allowInfinity?: boolean; zeroMeansOff?: boolean } = {},
): string {
  const unbounded = max === Number.POSITIVE_INFINITY;
  if (options.zeroMeansOff === true && min > 0) {
    return unbounded ? `0 (never) or at least ${min}` : `0 (never) or at least ${min} and at most ${max}`;
  }
  if (!unbounded) return `an integer from ${min} to ${max}`;
  return options.allowInfinity === true
    ? `an integer of ${min} or more, or Infinity`
    : `an integer of ${min} or more`;
}

/**
 * A value as an error message shows it: a number as written (`NaN`, `Infinity`, `1.5`), a string
 * quoted (so `"5"` is not taken for the number 5), a bigint with its `n`, `null`, `undefined`, and
 * for anything else what it is (`an array`, `a function`, the class name of an object).
 */
export function describeValue(value: unknown): string {
  switch (typeof value) {
    case 'number':
    case 'boolean':
      return String(value);
    case 'bigint':
      return `${value}n`;
    case 'string':
      return `the string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
    case 'undefined':
      return 'undefined';
    case 'function':
      return 'a function';
    case 'symbol':
      return 'a symbol';
    default:
      return describe(value);
  }
}

/**
 * Checks a boolean option.
 * @throws ValidationError (`INVALID_OPTION`) naming `field`.
 */
export function validateBooleanOption(field: string, value: unknown): boolean {
  if (typeof value !== 'boolean') {
    throw new ValidationError(
      field,
      'true or false',
      `got ${describeValue(value)}`,
      CoreErrorCode.INVALID_OPTION,
    );
  }
  return value;
}

/** A user record after validation, with what routing and sizing need already worked out. */
export interface ValidatedUserRecord {
  readonly partitionKey: string;
  readonly data: Uint8Array;
  /** The explicit hash key in canonical decimal form, when the record has one. */
  readonly explicitHashKey?: string;
  /** Data plus the partition key's UTF-8 bytes: what Kinesis counts against the record size limit. */
  readonly sizeBytes: number;
}

/**
 * Checks a user record before anything is sent: the partition key, the explicit hash key, that `data`
 * is a `Uint8Array`, and that data plus partition key (UTF-8 bytes) fit in `maxRecordSizeBytes`.
 * @param maxRecordSizeBytes the stream's record size limit in bytes. @defaultValue 1048576 (1 MiB)
 * @throws ValidationError naming the field and the limit.
 */
export function validateUserRecord(
  record: UserRecord,
  maxRecordSizeBytes: number = DEFAULT_MAX_RECORD_SIZE_BYTES,
): ValidatedUserRecord {
  if (record === null || typeof record !== 'object') {
    throw new ValidationError(
      'record',
      'an object { partitionKey, data, explicitHashKey? }',
      `got ${describe(record)}`,
      CoreErrorCode.INVALID_RECORD,
    );
  }
  validatePartitionKey(record.partitionKey);
  if (!(record.data instanceof Uint8Array)) {
    throw new ValidationError(
      'data',
      'a Uint8Array (or Buffer)',
      `got ${describe(record.data)}`,
      CoreErrorCode.INVALID_DATA,
    );
  }
  const explicitHashKey =
    record.explicitHashKey === undefined ? undefined : validateExplicitHashKey(record.explicitHashKey);
  const sizeBytes = record.data.byteLength + Buffer.byteLength(record.partitionKey, 'utf8');
  if (sizeBytes > maxRecordSizeBytes) {
    throw new ValidationError(
      'data',
      `data + partition key at most ${maxRecordSizeBytes} bytes`,
      `record is ${sizeBytes} bytes`,
      CoreErrorCode.RECORD_TOO_LARGE,
    );
  }
  return explicitHashKey === undefined
    ? { partitionKey: record.partitionKey, data: record.data, sizeBytes }
    : { partitionKey: record.partitionKey, data: record.data, explicitHashKey, sizeBytes };
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return value.constructor?.name ?? 'an object';
  return typeof value;
}
