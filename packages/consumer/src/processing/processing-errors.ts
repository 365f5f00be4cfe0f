import { compareSequenceNumbers, describeError, isSequenceNumber, KinesisTsError } from '@kinesis-ts/core';

/**
 * The stable codes of the processing toolkit's errors (partial batches, dead letters, idempotency,
 * sequence regressions). Every one is listed in `docs/errors.md`.
 */
export const ProcessingErrorCode = {
  PARTIAL_BATCH_FAILURE: 'PARTIAL_BATCH_FAILURE',
  DEAD_LETTER_FAILED: 'DEAD_LETTER_FAILED',
  IDEMPOTENCY_KEY_MISSING: 'IDEMPOTENCY_KEY_MISSING',
  IDEMPOTENCY_IN_PROGRESS: 'IDEMPOTENCY_IN_PROGRESS',
  SEQUENCE_REGRESSION: 'SEQUENCE_REGRESSION',
  /** `decodeDeadLetter` was given bytes that are not a dead letter (a `ValidationError`). */
  INVALID_DEAD_LETTER: 'INVALID_DEAD_LETTER',
  /** A tumbling window's state is larger than Lambda keeps (`WindowStateTooLargeError`). */
  WINDOW_STATE_TOO_LARGE: 'WINDOW_STATE_TOO_LARGE',
  /** A Lambda on-failure destination message could not be read (a `ValidationError`). */
  INVALID_FAILURE_MESSAGE: 'INVALID_FAILURE_MESSAGE',
  /** The records of a failed Lambda batch are no longer (or not all) in the stream (`FailedBatchUnavailableError`). */
  FAILED_BATCH_UNAVAILABLE: 'FAILED_BATCH_UNAVAILABLE',
} as const;

/** One of the codes in {@link ProcessingErrorCode}. */
export type ProcessingErrorCode = (typeof ProcessingErrorCode)[keyof typeof ProcessingErrorCode];

/** A record's position in its shard: what identifies a record of a batch. */
export interface RecordPosition {
  readonly sequenceNumber: string;
  /** @defaultValue 0 */
  readonly subSequenceNumber?: number;
}

/** A record a handler could not process, and why. */
export interface RecordFailure<R extends RecordPosition = RecordPosition> {
  /** The record (or anything with its sequence and sub-sequence numbers). */
  readonly record: R;
  /** What went wrong with it. */
  readonly error: unknown;
}

/**
 * Thrown by a batch handler that processed part of its batch: the records it names failed; every
 * record of the batch before the first of them is done. The consumer checkpoints just before the
 * first failed record and retries the batch from there (not from its start); after
 * `maxProcessingAttempts` failures at the same record, that record is the poison one.
 *
 * `parallelByKey` and `bisectOnError` throw it; a handler can too:
 *
 * ```ts
 * throw new PartialBatchFailureError([{ record, error }]);
 * ```
 *
 * Records are matched to the batch by sequence and sub-sequence number. An error that names no
 * record of the batch counts as a failure of the whole batch.
 */
export class PartialBatchFailureError<R extends RecordPosition = RecordPosition> extends KinesisTsError {
  /** The failed records with their errors, in shard order. */
  readonly failures: readonly RecordFailure<R>[];

  constructor(failures: readonly RecordFailure<R>[], message?: string) {
    const sorted = [...failures].sort((a, b) => comparePositions(a.record, b.record));
    const first = sorted[0];
    super(
      message ??
        (first === undefined
          ? 'A batch failed (no record named)'
          : `${sorted.length} record(s) of a batch failed, the first at ${describePosition(first.record)}: ${describeError(first.error)}`),
      { code: ProcessingErrorCode.PARTIAL_BATCH_FAILURE, retryable: true, cause: first?.error },
    );
    this.failures = sorted;
  }

  /** The index in `records` of the first record this error names, or -1 when it names none of them. */
  firstFailedIndex(records: readonly RecordPosition[]): number {
    return firstFailedIndex(this.failures, records);
  }

  /** The error this failure reports for `record`, if it names it. */
  errorOf(record: RecordPosition): unknown {
    return failureErrorOf(this.failures, record);
  }

  /**
   * Whether `value` is a `PartialBatchFailureError`, made by this copy of the package or another (the
   * `/lambda` entry and the main one bundled apart, two versions installed): a kinesis-ts error with
   * the code `PARTIAL_BATCH_FAILURE` and a `failures` array. Read it with its `failures`, not its
   * methods, when it may come from another copy.
   */
  static override isInstance(value: unknown): value is PartialBatchFailureError {
    return (
      KinesisTsError.hasCode(value, ProcessingErrorCode.PARTIAL_BATCH_FAILURE) &&
      Array.isArray((value as { failures?: unknown }).failures)
    );
  }
}

/** The index in `records` of the first record `failures` names, or -1 when it names none of them. */
export function firstFailedIndex(
  failures: readonly RecordFailure[],
  records: readonly RecordPosition[],
): number {
  if (failures.length === 0) return -1;
  const failed = new Set(failures.map((failure) => positionKey(failure.record)));
  return records.findIndex((record) => failed.has(positionKey(record)));
}

/** The error `failures` reports for `record`, if they name it. */
export function failureErrorOf(failures: readonly RecordFailure[], record: RecordPosition): unknown {
  const key = positionKey(record);
  return failures.find((failure) => positionKey(failure.record) === key)?.error;
}

/**
 * A dead-letter sink could not take a record (it kept failing, or the record is too large for it).
 * The record was not skipped: `onPoisonRecord` rethrows it, so the shard stops at the record.
 */
export class DeadLetterDeliveryError extends KinesisTsError {
  /** How many records could not be sent. */
  readonly records: number;

  constructor(message: string, records: number, options: { retryable: boolean; cause?: unknown }) {
    super(message, { code: ProcessingErrorCode.DEAD_LETTER_FAILED, ...options });
    this.records = records;
  }
}

/** `eventIdOf` returned no id for a record (an empty string, `undefined`…): nothing can be deduplicated. */
export class IdempotencyKeyMissingError extends KinesisTsError {
  constructor(detail: string) {
    super(`No idempotency key for a record: ${detail}`, {
      code: ProcessingErrorCode.IDEMPOTENCY_KEY_MISSING,
      retryable: false,
    });
  }
}

/**
 * Another worker holds an unexpired in-progress claim on the event id (it is running the side effect
 * now, or died doing it and the claim has not expired yet), and `idempotent` was told not to wait.
 */
export class IdempotencyInProgressError extends KinesisTsError {
  readonly eventId: string;
  /** When the other claim expires, in ms since the epoch. */
  readonly leaseExpiresAtMs: number;

  constructor(eventId: string, leaseExpiresAtMs: number) {
    super(
      `Event ${eventId} is being processed elsewhere (claim expires at ${new Date(leaseExpiresAtMs).toISOString()})`,
      {
        code: ProcessingErrorCode.IDEMPOTENCY_IN_PROGRESS,
        retryable: true,
      },
    );
    this.eventId = eventId;
    this.leaseExpiresAtMs = leaseExpiresAtMs;
  }
}

/** A record's producer sequence went backwards for its key and the policy is `'reject'`. */
export class SequenceRegressionError extends KinesisTsError {
  readonly key: string;
  readonly sequence: bigint;
  readonly previous: bigint;

  constructor(key: string, sequence: bigint, previous: bigint) {
    super(`Sequence of key ${key} went backwards: ${sequence} after ${previous}`, {
      code: ProcessingErrorCode.SEQUENCE_REGRESSION,
      retryable: false,
    });
    this.key = key;
    this.sequence = sequence;
    this.previous = previous;
  }
}

function positionKey(position: RecordPosition): string {
  return `${position.sequenceNumber}/${position.subSequenceNumber ?? 0}`;
}

function describePosition(position: RecordPosition): string {
  return positionKey(position);
}

function comparePositions(a: RecordPosition, b: RecordPosition): number {
  const bySequence =
    isSequenceNumber(a.sequenceNumber) && isSequenceNumber(b.sequenceNumber)
      ? compareSequenceNumbers(a.sequenceNumber, b.sequenceNumber)
      : 0;
  return bySequence !== 0 ? bySequence : (a.subSequenceNumber ?? 0) - (b.subSequenceNumber ?? 0);
}
