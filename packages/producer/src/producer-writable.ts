import { Writable } from 'node:stream';
import { CoreErrorCode, KinesisTsError, type UserRecord, ValidationError } from '@kinesis-ts/core';
import type { PutResult } from './attempt.js';
import { ProducerErrorCode } from './errors.js';

/** What a chunk written to {@link ProducerWritableOptions} may be. */
export type WritableChunk = UserRecord | Uint8Array | string;

/** The options of `producer.writable()`. */
export interface ProducerWritableOptions {
  /**
   * The partition key of a chunk that is bytes or a string (a record brings its own). Without it,
   * such a chunk is refused (the stream errors).
   */
  readonly partitionKey?: (chunk: Uint8Array | string) => string;
  /**
   * Chunks the stream holds before `write()` returns false (Node's `highWaterMark`, in objects).
   * The producer's own buffer (`maxBufferedRecords`, `maxBufferedBytes`) is what bounds memory: a
   * chunk is taken only once the producer has room for it.
   * @defaultValue 16
   */
  readonly highWaterMark?: number;
  /** Called with each record's result once Kinesis has it (a progress count, a log). */
  readonly onPut?: (result: PutResult, record: UserRecord) => void;
}

/** The part of `KinesisProducer` the writable uses (its public API). */
interface Producer {
  put(record: UserRecord): Promise<PutResult>;
  waitForCapacity(): Promise<void>;
  flush(): Promise<void>;
}

/**
 * A record written through `producer.writable()` failed: it is invalid, or the producer gave up on
 * it. The stream is destroyed with this error; `record` is the record (or the chunk) and `cause` the
 * producer's error (`RecordFailedError`, `ValidationError`…).
 */
export class ProducerWritableError extends KinesisTsError {
  /** The record that failed, or the chunk when it could not be made into one. */
  readonly record: UserRecord | Uint8Array | string;

  constructor(record: UserRecord | Uint8Array | string, cause: unknown) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    const key =
      typeof record === 'object' && 'partitionKey' in record ? ` (partition key ${record.partitionKey})` : '';
    super(`A record written to the producer's stream failed${key}: ${reason}`, {
      code: ProducerErrorCode.WRITABLE_RECORD_FAILED,
      retryable: KinesisTsError.isInstance(cause) ? cause.retryable : false,
      cause,
    });
    this.record = record;
  }
}

/**
 * A Node `Writable` in object mode that puts each chunk into the producer: records
 * (`{ partitionKey, data }`), or bytes and strings keyed by `options.partitionKey`. Backpressure is
 * the producer's: a write completes once the record is accepted and the producer's buffer has room,
 * so a faster source (a file, an HTTP body in `stream.pipeline`) is paused while Kinesis throttles,
 * and memory stays bounded by the producer's buffer limits.
 *
 * The stream finishes once every record written is settled (it flushes the producer). The first
 * record that fails destroys the stream with a {@link ProducerWritableError} carrying the record; the
 * producer itself stays open (close it when done).
 */
export function producerWritable(producer: Producer, options: ProducerWritableOptions = {}): Writable {
  const { partitionKey, onPut } = options;
  if (partitionKey !== undefined && typeof partitionKey !== 'function') {
    throw new ValidationError(
      'partitionKey',
      'a function of the chunk',
      'partitionKey is not a function',
      CoreErrorCode.INVALID_OPTION,
    );
  }
  const highWaterMark = options.highWaterMark ?? 16;
  if (!Number.isInteger(highWaterMark) || highWaterMark < 1) {
    throw new ValidationError(
      'highWaterMark',
      'an integer from 1',
      `got ${highWaterMark}`,
      CoreErrorCode.INVALID_OPTION,
    );
  }
  const pending = new Set<Promise<void>>();
  let failure: ProducerWritableError | undefined;
  const writable: Writable = new Writable({
    objectMode: true,
    highWaterMark,
    write(chunk: WritableChunk, _encoding, callback) {
      if (failure) return callback(failure);
      let record: UserRecord;
      try {
        record = toRecord(chunk, partitionKey);
      } catch (error) {
        return callback(new ProducerWritableError(chunk, error));
      }
      const settled = producer.put(record).then(
        (result) => {
          onPut?.(result, record);
        },
        (error: unknown) => {
          failure ??= new ProducerWritableError(record, error);
          writable.destroy(failure);
        },
      );
      pending.add(settled);
      void settled.finally(() => pending.delete(settled));
      producer.waitForCapacity().then(
        () => callback(failure),
        (error: unknown) => callback(failure ?? new ProducerWritableError(record, error)),
      );
    },
    final(callback) {
      producer
        .flush()
        .then(() => Promise.all(pending))
        .then(
          () => callback(failure),
          (error: unknown) => callback(error as Error),
        );
    },
  });
  return writable;
}

function toRecord(
  chunk: WritableChunk,
  partitionKey: ((chunk: Uint8Array | string) => string) | undefined,
): UserRecord {
  if (typeof chunk === 'string' || chunk instanceof Uint8Array) {
    if (partitionKey === undefined) {
      throw new ValidationError(
        'partitionKey',
        'a function, to write bytes or strings',
        'the chunk is not a record ({ partitionKey, data }) and producer.writable() was given no partitionKey',
        CoreErrorCode.INVALID_RECORD,
      );
    }
    return {
      partitionKey: partitionKey(chunk),
      data: typeof chunk === 'string' ? new TextEncoder().encode(chunk) : chunk,
    };
  }
  if (chunk === null || typeof chunk !== 'object' || !('data' in chunk)) {
    throw new ValidationError(
      'chunk',
      'a record ({ partitionKey, data }), bytes or a string',
      `got ${chunk === null ? 'null' : typeof chunk}`,
      CoreErrorCode.INVALID_RECORD,
    );
  }
  return chunk;
}
