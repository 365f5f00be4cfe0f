import { describeError, KinesisTsError } from '@kinesis-ts/core';

/** The stable codes of the errors this package throws or reports. Every one is listed in `docs/errors.md`. */
export const ConsumerErrorCode = {
  LEASE_LOST: 'LEASE_LOST',
  INVALID_CHECKPOINT: 'INVALID_CHECKPOINT',
  CHECKPOINT_FAILED: 'CHECKPOINT_FAILED',
  SHARD_END_NOT_CHECKPOINTED: 'SHARD_END_NOT_CHECKPOINTED',
  RECORD_PROCESSING_FAILED: 'RECORD_PROCESSING_FAILED',
  PROCESSING_TIMEOUT: 'PROCESSING_TIMEOUT',
  STREAM_NOT_FOUND: 'STREAM_NOT_FOUND',
  LEASE_TABLE_NOT_FOUND: 'LEASE_TABLE_NOT_FOUND',
  LEASE_TABLE_NOT_READY: 'LEASE_TABLE_NOT_READY',
  START_FAILED: 'START_FAILED',
  INVALID_STATE: 'INVALID_STATE',
  INVALID_RETRIEVAL_RESULT: 'INVALID_RETRIEVAL_RESULT',
  STREAM_CONSUMER_NOT_ACTIVE: 'STREAM_CONSUMER_NOT_ACTIVE',
  STREAM_CONSUMER_NOT_FOUND: 'STREAM_CONSUMER_NOT_FOUND',
  KCL3_FLEET: 'KCL3_FLEET',
  STREAM_TRACKER_FAILED: 'STREAM_TRACKER_FAILED',
  STREAM_RECREATED: 'STREAM_RECREATED',
  KCL3_TABLE_NOT_FOUND: 'KCL3_TABLE_NOT_FOUND',
} as const;

/** One of the codes in {@link ConsumerErrorCode}. */
export type ConsumerErrorCode = (typeof ConsumerErrorCode)[keyof typeof ConsumerErrorCode];

/**
 * This worker no longer holds the shard's lease: another worker took it, the lease expired locally
 * because renewals failed for `failoverTimeMs`, or the consumer stopped. Checkpoints on the shard fail
 * with it; stop processing the shard (the KCL's `ShutdownException`).
 */
export class LeaseLostError extends KinesisTsError {
  /** The lease (the shard id in a single-stream application). */
  readonly leaseKey: string;

  constructor(leaseKey: string, detail: string, cause?: unknown) {
    super(`Lease ${leaseKey} is no longer held by this worker: ${detail}`, {
      code: ConsumerErrorCode.LEASE_LOST,
      retryable: false,
      cause,
    });
    this.leaseKey = leaseKey;
  }

  /**
   * Whether `value` is a `LeaseLostError` from any copy of the package (a kinesis-ts error with the
   * code `LEASE_LOST`): a processor may rethrow one its checkpointer threw.
   */
  static override isInstance(value: unknown): value is LeaseLostError {
    return KinesisTsError.hasCode(value, ConsumerErrorCode.LEASE_LOST);
  }
}

/**
 * A checkpoint at a position that is not one of a record delivered on the shard: before the last
 * checkpoint (or, from a new shard, before the first record delivered), after the last record
 * delivered, a sequence number another shard issued, SHARD_END before the shard's end, a negative
 * sub-sequence number or a string that is not a sequence number (the KCL's
 * `IllegalArgumentException`). Nothing was written.
 */
export class InvalidCheckpointError extends KinesisTsError {
  /** The shard checkpointed, when known. */
  readonly shardId: string | undefined;
  /** The sequence number (or sentinel) refused, when there was one. */
  readonly sequenceNumber: string | undefined;
  /** The sub-sequence number refused, when there was one. */
  readonly subSequenceNumber: number | undefined;

  constructor(
    message: string,
    details: { shardId?: string; sequenceNumber?: string; subSequenceNumber?: number } = {},
  ) {
    super(message, { code: ConsumerErrorCode.INVALID_CHECKPOINT, retryable: false });
    this.shardId = details.shardId;
    this.sequenceNumber = details.sequenceNumber;
    this.subSequenceNumber = details.subSequenceNumber;
  }
}

/** Writing a checkpoint failed for a reason other than a lost lease (throttling, a network error…), after retries. */
export class CheckpointFailedError extends KinesisTsError {
  readonly leaseKey: string;

  constructor(leaseKey: string, cause: unknown) {
    super(`Checkpoint of ${leaseKey} could not be written: ${describeError(cause)}`, {
      code: ConsumerErrorCode.CHECKPOINT_FAILED,
      retryable: true,
      cause,
    });
    this.leaseKey = leaseKey;
  }
}

/**
 * A processor's `shardEnded` returned without checkpointing at SHARD_END, so the shard's children
 * could never start. The call is retried; the shard stays held until it succeeds.
 */
export class ShardEndNotCheckpointedError extends KinesisTsError {
  readonly shardId: string;

  constructor(shardId: string) {
    super(
      `shardEnded for ${shardId} returned without checkpointing at SHARD_END: call checkpointer.checkpoint() in shardEnded`,
      { code: ConsumerErrorCode.SHARD_END_NOT_CHECKPOINTED, retryable: true },
    );
    this.shardId = shardId;
  }
}

/**
 * The handler (or processor) failed on a batch `maxProcessingAttempts` times and no `onPoisonRecord`
 * took the records over: the shard stops, nothing is skipped, and the lease stays held.
 */
export class RecordProcessingError extends KinesisTsError {
  readonly shardId: string;
  /** How many times the batch (or record) was tried. */
  readonly attempts: number;
  /** The record processing stopped at: the first of the batch, or the one a partial failure named. */
  readonly sequenceNumber: string | undefined;
  readonly subSequenceNumber: number | undefined;

  constructor(
    shardId: string,
    attempts: number,
    position: { sequenceNumber: string; subSequenceNumber: number } | undefined,
    cause: unknown,
  ) {
    const at = position === undefined ? '' : ` at ${position.sequenceNumber}/${position.subSequenceNumber}`;
    super(
      `Processing of shard ${shardId} failed ${attempts} times${at}; the shard is stopped: ${describeError(cause)}`,
      { code: ConsumerErrorCode.RECORD_PROCESSING_FAILED, retryable: false, cause },
    );
    this.shardId = shardId;
    this.attempts = attempts;
    this.sequenceNumber = position?.sequenceNumber;
    this.subSequenceNumber = position?.subSequenceNumber;
  }
}

/**
 * A try of the handler (or `processRecords`) ran longer than `processingTimeoutMs`: its context's
 * `signal` was aborted with this error and the try counts as failed, so the batch is retried and, after
 * `maxProcessingAttempts`, stops the shard or goes to `onPoisonRecord` like any failure. Reported through
 * `processing:error` once the handler has returned (the next try never starts before that).
 */
export class ProcessingTimeoutError extends KinesisTsError {
  readonly shardId: string;
  /** The `processingTimeoutMs` that was exceeded. */
  readonly timeoutMs: number;
  /** Which try of the records timed out (1 for the first). */
  readonly attempt: number;
  /** How many records the try was given. */
  readonly records: number;
  /** The first record's sequence number (undefined for an empty batch). */
  readonly sequenceNumber: string | undefined;

  constructor(
    shardId: string,
    timeoutMs: number,
    attempt: number,
    records: number,
    sequenceNumber: string | undefined,
  ) {
    const at = sequenceNumber === undefined ? '' : ` starting at ${sequenceNumber}`;
    super(
      `Processing ${records} record(s) of shard ${shardId}${at} did not finish within processingTimeoutMs (${timeoutMs} ms, try ${attempt})`,
      { code: ConsumerErrorCode.PROCESSING_TIMEOUT, retryable: true },
    );
    this.shardId = shardId;
    this.timeoutMs = timeoutMs;
    this.attempt = attempt;
    this.records = records;
    this.sequenceNumber = sequenceNumber;
  }
}

/** `start()` could not complete: the stream or lease table is missing, access is denied, or the table never became ACTIVE. */
export class ConsumerStartError extends KinesisTsError {
  constructor(code: ConsumerErrorCode, message: string, cause?: unknown) {
    super(cause === undefined ? message : `${message}: ${describeError(cause)}`, {
      code,
      retryable:
        code === ConsumerErrorCode.LEASE_TABLE_NOT_READY ||
        code === ConsumerErrorCode.STREAM_CONSUMER_NOT_ACTIVE,
      cause,
    });
  }

  /** Whether `value` is a `ConsumerStartError` from any copy of the package (`instanceof` fails across copies). */
  static override isInstance(value: unknown): value is ConsumerStartError {
    const { START_FAILED, STREAM_NOT_FOUND, LEASE_TABLE_NOT_FOUND, LEASE_TABLE_NOT_READY, KCL3_FLEET } =
      ConsumerErrorCode;
    return (
      KinesisTsError.hasCode(
        value,
        START_FAILED,
        STREAM_NOT_FOUND,
        LEASE_TABLE_NOT_FOUND,
        LEASE_TABLE_NOT_READY,
        KCL3_FLEET,
        ConsumerErrorCode.KCL3_TABLE_NOT_FOUND,
      ) ||
      // a StreamConsumerError has the same code, and names its consumer
      (KinesisTsError.hasCode(value, ConsumerErrorCode.STREAM_CONSUMER_NOT_ACTIVE) && !('consumer' in value))
    );
  }
}

/** A method was called in a state that does not allow it (`start()` twice, `start()` after `stop()`). */
export class ConsumerStateError extends KinesisTsError {
  constructor(message: string) {
    super(message, { code: ConsumerErrorCode.INVALID_STATE, retryable: false });
  }
}

/**
 * A GetRecords response or a SubscribeToShard event whose end-of-shard signal is inconsistent (the
 * KCL's `isValidResult` rules): an end without children, children before the end, or a child without
 * parents. Reported through `retrieval:error`; the read is retried, nothing is checkpointed.
 */
export class InvalidRetrievalResultError extends KinesisTsError {
  readonly shardId: string;
  /** What was wrong: `end-without-children`, `children-before-end`, `child-without-parents`, `malformed-child`. */
  readonly reason: string;

  constructor(shardId: string, operation: 'GetRecords' | 'SubscribeToShard', reason: string) {
    super(`${operation} returned an inconsistent end of shard for ${shardId} (${reason}); retrying`, {
      code: ConsumerErrorCode.INVALID_RETRIEVAL_RESULT,
      retryable: true,
    });
    this.shardId = shardId;
    this.reason = reason;
  }

  /** Whether `value` is an `InvalidRetrievalResultError` from any copy of the package. */
  static override isInstance(value: unknown): value is InvalidRetrievalResultError {
    return KinesisTsError.hasCode(value, ConsumerErrorCode.INVALID_RETRIEVAL_RESULT);
  }
}

/**
 * The enhanced fan-out stream consumer is not usable: it did not become ACTIVE in time
 * (`STREAM_CONSUMER_NOT_ACTIVE`, retryable), or it does not exist (`STREAM_CONSUMER_NOT_FOUND`: a
 * SubscribeToShard or deregistration named a consumer that is gone).
 */
export class StreamConsumerError extends KinesisTsError {
  /** The consumer's name or ARN, as given. */
  readonly consumer: string;

  constructor(
    code:
      | typeof ConsumerErrorCode.STREAM_CONSUMER_NOT_ACTIVE
      | typeof ConsumerErrorCode.STREAM_CONSUMER_NOT_FOUND,
    consumer: string,
    message: string,
    cause?: unknown,
  ) {
    super(cause === undefined ? message : `${message}: ${describeError(cause)}`, {
      code,
      retryable: code === ConsumerErrorCode.STREAM_CONSUMER_NOT_ACTIVE,
      cause,
    });
    this.consumer = consumer;
  }

  /** Whether `value` is a `StreamConsumerError` from any copy of the package (it names its consumer). */
  static override isInstance(value: unknown): value is StreamConsumerError {
    const { STREAM_CONSUMER_NOT_ACTIVE, STREAM_CONSUMER_NOT_FOUND } = ConsumerErrorCode;
    return (
      KinesisTsError.hasCode(value, STREAM_CONSUMER_NOT_ACTIVE, STREAM_CONSUMER_NOT_FOUND) &&
      'consumer' in value
    );
  }
}

/**
 * Multi-stream: the `streams` function threw or rejected, or a stream it named could not be
 * described. Reported through `streams:error` (the streams already running keep running, the list
 * is asked for again after `streamSyncIntervalMs`); at `start()`, the `cause` of the `ConsumerStartError`.
 */
export class StreamTrackerError extends KinesisTsError {
  /** The stream concerned, when the failure is about one stream. */
  readonly stream: string | undefined;

  constructor(message: string, stream: string | undefined, cause?: unknown) {
    super(cause === undefined ? message : `${message}: ${describeError(cause)}`, {
      code: ConsumerErrorCode.STREAM_TRACKER_FAILED,
      retryable: true,
      cause,
    });
    this.stream = stream;
  }
}

/**
 * Single-stream mode: the stream was deleted and created again under the same name while the
 * application ran (its creation time changed). The lease table's checkpoints are the old stream's,
 * and its lease keys (bare shard ids) would be reused: the consumer stops instead of reading the new
 * stream from them. Reported through `stream:recreated`.
 */
export class StreamRecreatedError extends KinesisTsError {
  readonly stream: string;
  readonly previousCreationTime: Date;
  readonly creationTime: Date;

  constructor(stream: string, previousCreationTime: Date, creationTime: Date) {
    super(
      `Stream ${stream} was deleted and created again (created ${creationTime.toISOString()}, was ${previousCreationTime.toISOString()}): the lease table holds the old stream's checkpoints; the consumer stops`,
      { code: ConsumerErrorCode.STREAM_RECREATED, retryable: false },
    );
    this.stream = stream;
    this.previousCreationTime = previousCreationTime;
    this.creationTime = creationTime;
  }
}
