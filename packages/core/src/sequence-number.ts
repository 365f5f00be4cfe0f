import { CoreErrorCode, ValidationError } from './errors.js';

/**
 * Kinesis sequence numbers are decimal strings of up to 128 digits. They are compared as integers,
 * never through `number` (which loses precision past 2^53).
 */

const DECIMAL_DIGITS = /^[0-9]+$/;

/** Whether `value` is a real sequence number: a non-empty string of decimal digits. */
export function isSequenceNumber(value: string): boolean {
  return DECIMAL_DIGITS.test(value);
}

/**
 * Compares two sequence numbers as unsigned integers: negative when `a` comes first, zero when they
 * are equal, positive when `a` comes after `b`. Leading zeros are ignored.
 * @throws ValidationError (`INVALID_SEQUENCE_NUMBER`) when either argument is not a string of decimal digits.
 */
export function compareSequenceNumbers(a: string, b: string): number {
  if (!isSequenceNumber(a) || !isSequenceNumber(b)) {
    const [field, value] = isSequenceNumber(a) ? ['b', b] : ['a', a];
    throw new ValidationError(
      `sequence number ${field}`,
      'a string of decimal digits',
      `got "${value}"`,
      CoreErrorCode.INVALID_SEQUENCE_NUMBER,
    );
  }
  const x = stripLeadingZeros(a);
  const y = stripLeadingZeros(b);
  if (x.length !== y.length) return x.length < y.length ? -1 : 1;
  return x < y ? -1 : x > y ? 1 : 0;
}

function stripLeadingZeros(value: string): string {
  let start = 0;
  while (start < value.length - 1 && value.charCodeAt(start) === 48) start++;
  return start === 0 ? value : value.slice(start);
}

/** The checkpoint values that are not sequence numbers, as the KCL writes them into the lease table. */
export const CheckpointSentinel = {
  TRIM_HORIZON: 'TRIM_HORIZON',
  LATEST: 'LATEST',
  AT_TIMESTAMP: 'AT_TIMESTAMP',
  SHARD_END: 'SHARD_END',
} as const;

/** One of the checkpoint sentinels. */
export type CheckpointSentinel = (typeof CheckpointSentinel)[keyof typeof CheckpointSentinel];

const SENTINELS: ReadonlySet<string> = new Set(Object.values(CheckpointSentinel));

/** Whether `value` is a checkpoint sentinel (`TRIM_HORIZON`, `LATEST`, `AT_TIMESTAMP`, `SHARD_END`). */
export function isCheckpointSentinel(value: string): value is CheckpointSentinel {
  return SENTINELS.has(value);
}

/**
 * A position inside a shard, fine enough to point into an aggregated record: the Kinesis sequence
 * number plus the user record's sub-sequence number (0 for records that were not aggregated). The
 * sequence number may also be a checkpoint sentinel, in which case the sub-sequence number is 0.
 */
export interface ExtendedSequenceNumber {
  readonly sequenceNumber: string;
  readonly subSequenceNumber: number;
}

/** Builds an extended sequence number, checking both parts. */
export function extendedSequenceNumber(
  sequenceNumber: string,
  subSequenceNumber = 0,
): ExtendedSequenceNumber {
  if (!isSequenceNumber(sequenceNumber) && !isCheckpointSentinel(sequenceNumber)) {
    throw new ValidationError(
      'sequenceNumber',
      'a string of decimal digits or a checkpoint sentinel',
      `got "${sequenceNumber}"`,
      CoreErrorCode.INVALID_SEQUENCE_NUMBER,
    );
  }
  if (!Number.isSafeInteger(subSequenceNumber) || subSequenceNumber < 0) {
    throw new ValidationError(
      'subSequenceNumber',
      'a non-negative safe integer',
      `got ${subSequenceNumber}`,
      CoreErrorCode.INVALID_SEQUENCE_NUMBER,
    );
  }
  return { sequenceNumber, subSequenceNumber };
}

/**
 * The rank of a sentinel in the KCL's order: AT_TIMESTAMP < TRIM_HORIZON < LATEST < every real
 * sequence number < SHARD_END. Real sequence numbers have rank 0.
 */
function rank(sequenceNumber: string): number {
  switch (sequenceNumber) {
    case CheckpointSentinel.AT_TIMESTAMP:
      return -3;
    case CheckpointSentinel.TRIM_HORIZON:
      return -2;
    case CheckpointSentinel.LATEST:
      return -1;
    case CheckpointSentinel.SHARD_END:
      return 1;
    default:
      return 0;
  }
}

/**
 * Orders extended sequence numbers as the KCL does: sentinels first (AT_TIMESTAMP, TRIM_HORIZON,
 * LATEST), then real positions by sequence number and sub-sequence number, SHARD_END last.
 */
export function compareExtendedSequenceNumbers(a: ExtendedSequenceNumber, b: ExtendedSequenceNumber): number {
  const rankA = rank(a.sequenceNumber);
  const rankB = rank(b.sequenceNumber);
  if (rankA !== rankB) return rankA < rankB ? -1 : 1;
  if (rankA !== 0) return 0;
  const bySequence = compareSequenceNumbers(a.sequenceNumber, b.sequenceNumber);
  if (bySequence !== 0) return bySequence;
  return a.subSequenceNumber === b.subSequenceNumber ? 0 : a.subSequenceNumber < b.subSequenceNumber ? -1 : 1;
}
