import { KinesisTsError, type UserRecord } from '@kinesis-ts/core';
import type { Attempt } from './attempt.js';

/** The stable codes of the errors this package throws. Every one is listed in `docs/errors.md`. */
export const ProducerErrorCode = {
  /** Kinesis refused a record for a reason retrying cannot fix. */
  RECORD_FAILED: 'RECORD_FAILED',
  /** A record was not written within `recordTtlMs`. */
  RECORD_EXPIRED: 'RECORD_EXPIRED',
  /** A record was not written within `maxAttempts` attempts. */
  MAX_ATTEMPTS_EXCEEDED: 'MAX_ATTEMPTS_EXCEEDED',
  /** A record's shard was throttled and `failIfThrottled` is set. */
  RECORD_THROTTLED: 'RECORD_THROTTLED',
  /** `put` with `whenBufferFull: 'reject'` while the buffer was full. */
  BUFFER_FULL: 'BUFFER_FULL',
  /** `put` after `close()`. */
  PRODUCER_CLOSED: 'PRODUCER_CLOSED',
  /** A record written through `producer.writable()` failed; the stream is destroyed with it. */
  WRITABLE_RECORD_FAILED: 'WRITABLE_RECORD_FAILED',
  /**
   * The producer cannot write to the stream at all (the client cannot make calls, the caller may not
   * write, or the stream does not exist): every waiting record fails with it at once.
   */
  CANNOT_WRITE_STREAM: 'CANNOT_WRITE_STREAM',
  /** The `oversizedRecords` hook threw for a record above the limit, or returned data still above it. */
  OVERSIZED_RECORD_FAILED: 'OVERSIZED_RECORD_FAILED',
} as const;

/** One of the codes in {@link ProducerErrorCode}. */
export type ProducerErrorCode = (typeof ProducerErrorCode)[keyof typeof ProducerErrorCode];

/** Why a record was given up on. */
export type RecordFailureCode =
  /** Kinesis refused it for a reason retrying cannot fix (missing stream, no permission, KMS access…). */
  | 'RECORD_FAILED'
  /** It was not written within `recordTtlMs`. */
  | 'RECORD_EXPIRED'
  /** It was not written within `maxAttempts` attempts. */
  | 'MAX_ATTEMPTS_EXCEEDED'
  /** Its shard was throttled and `failIfThrottled` is set. */
  | 'RECORD_THROTTLED'
  /**
   * The producer cannot write to the stream at all: the SDK client cannot make calls (no region, no
   * credentials, a bad endpoint), the caller may not write (IAM, KMS), or the stream does not exist.
   */
  | 'CANNOT_WRITE_STREAM';

/**
 * A record the producer gave up on. Carries the record itself and its attempts (start, duration,
 * error code), so it can be logged, sent to a dead-letter store or put again.
 */
export class RecordFailedError extends KinesisTsError {
  override readonly code: RecordFailureCode;
  /** The record as it was given to `put`. */
  readonly record: UserRecord;
  /**
   * The attempts, in order; the last one holds the error that ended it. All of them up to 10, else
   * the first and the 9 latest.
   */
  readonly attempts: readonly Attempt[];
  /** How many attempts there were in all, including any dropped from `attempts`. */
  readonly attemptCount: number;
  /** The AWS error code of the last failed attempt (`ProvisionedThroughputExceededException`…), if any. */
  readonly lastErrorCode: string | undefined;

  constructor(
    code: RecordFailureCode,
    message: string,
    details: {
      record: UserRecord;
      attempts: readonly Attempt[];
      attemptCount?: number;
      lastErrorCode?: string;
      cause?: unknown;
    },
  ) {
    const retryable =
      code !== ProducerErrorCode.RECORD_FAILED && code !== ProducerErrorCode.CANNOT_WRITE_STREAM;
    super(message, { code, retryable, cause: details.cause });
    this.code = code;
    this.record = details.record;
    this.attempts = details.attempts;
    this.attemptCount = details.attemptCount ?? details.attempts.length;
    this.lastErrorCode = details.lastErrorCode;
  }

  /**
   * Whether `value` is a `RecordFailedError` from any copy of the package (a kinesis-ts error with one
   * of the record failure codes and its attempts), where `instanceof` is false for another copy's.
   */
  static override isInstance(value: unknown): value is RecordFailedError {
    return (
      KinesisTsError.hasCode(
        value,
        'RECORD_FAILED',
        'RECORD_EXPIRED',
        'MAX_ATTEMPTS_EXCEEDED',
        'RECORD_THROTTLED',
      ) && Array.isArray((value as { attempts?: unknown }).attempts)
    );
  }
}

/** `put` was called with `whenBufferFull: 'reject'` while the buffer was full. */
export class BufferFullError extends KinesisTsError {
  /** The record that was refused. */
  readonly record: UserRecord;

  constructor(record: UserRecord, limit: string) {
    super(`The producer's buffer is full (${limit}); the record was not accepted`, {
      code: ProducerErrorCode.BUFFER_FULL,
      retryable: true,
    });
    this.record = record;
  }
}

/** `put` was called after `close()`. */
export class ProducerClosedError extends KinesisTsError {
  constructor() {
    super('The producer is closed and accepts no more records', {
      code: ProducerErrorCode.PRODUCER_CLOSED,
      retryable: false,
    });
  }
}

/**
 * A record above the stream's record limit could not be replaced through the `oversizedRecords` hook:
 * the hook threw (the error is the `cause`), or the data it returned is still above the limit. Only
 * that record fails; nothing is sent for it.
 */
export class OversizedRecordError extends KinesisTsError {
  /** The record as it was given to `put`. */
  readonly record: UserRecord;

  constructor(record: UserRecord, detail: string, cause?: unknown) {
    super(`The oversizedRecords hook could not replace a record above the limit: ${detail}`, {
      code: ProducerErrorCode.OVERSIZED_RECORD_FAILED,
      retryable: false,
      cause,
    });
    this.record = record;
  }
}
