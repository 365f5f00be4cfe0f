import { type DeaggregatedRecord, ValidationError } from '@kinesis-ts/core';
import { ProcessingErrorCode } from './processing-errors.js';

/** What a dead letter says about the error that made the record a poison one. */
export interface DeadLetterErrorInfo {
  /** The error's `name` (`Error`, `TypeError`, `SyntaxError`…), or `typeof` for a thrown non-error. */
  readonly name: string;
  readonly message: string;
  /** The error's `code`, when it had a string one (kinesis-ts errors, Node system errors, AWS errors). */
  readonly code?: string;
}

/**
 * A record given up on, with everything needed to look into it and to replay it: where it was read
 * from, its position (sequence and sub-sequence number), its partition key, arrival time and
 * payload, the last error and how many times it was tried.
 */
export interface DeadLetter {
  readonly streamName?: string;
  readonly streamArn?: string;
  readonly shardId?: string;
  /** The sequence number of the Kinesis record that carried it. */
  readonly sequenceNumber: string;
  /** Its position inside a KPL aggregate (0 when it was not aggregated). */
  readonly subSequenceNumber: number;
  readonly partitionKey: string;
  readonly explicitHashKey?: string;
  /** Whether it came out of a KPL aggregate. */
  readonly aggregated: boolean;
  /** When Kinesis accepted the carrying record. */
  readonly approximateArrivalTimestamp?: Date;
  /** The user record's payload (a copy). */
  readonly data: Uint8Array;
  readonly error: DeadLetterErrorInfo;
  /** How many times it was tried. */
  readonly attempts: number;
  /** When it was given up on. */
  readonly deadLetteredAt: Date;
}

/** A poison record as the consumer's `onPoisonRecord` (or the Lambda handler) hands it over. */
export interface PoisonRecordInput {
  readonly streamName?: string;
  readonly streamArn?: string;
  readonly shardId?: string;
  readonly record: DeaggregatedRecord;
  readonly error: unknown;
  readonly attempts: number;
}

/** Where dead letters go: a Kinesis stream ({@link KinesisDeadLetterSink}), a queue, a table… */
export interface DeadLetterSink {
  /**
   * Stores the letters durably, or throws. The consumer moves past a poison record only once this
   * resolved; when it throws, the shard stops at the record (nothing is skipped).
   */
  send(letters: readonly DeadLetter[]): Promise<void>;
}

/** The callback form of a sink: called once per dead letter. */
export type DeadLetterCallback = (letter: DeadLetter) => Promise<void> | void;

/**
 * Makes an `onPoisonRecord` hook (of `KinesisConsumer`, or of the Lambda handler) that turns each
 * poison record into a {@link DeadLetter} and hands it to `sink`, a {@link DeadLetterSink} or a
 * callback. When the sink throws, so does the hook, and the consumer stops the shard at the record.
 *
 * ```ts
 * onPoisonRecord: deadLetterTo(new KinesisDeadLetterSink({ client, streamName: 'orders-dlq' }))
 * ```
 */
export function deadLetterTo(
  sink: DeadLetterSink | DeadLetterCallback,
  options: { readonly now?: () => number } = {},
): (poison: PoisonRecordInput) => Promise<void> {
  const now = options.now ?? Date.now;
  return async (poison) => {
    const letter = toDeadLetter(poison, new Date(now()));
    if (typeof sink === 'function') await sink(letter);
    else await sink.send([letter]);
  };
}

/** Builds the dead letter of a poison record (the stream name is taken from the ARN when only that is known). */
export function toDeadLetter(poison: PoisonRecordInput, deadLetteredAt: Date = new Date()): DeadLetter {
  const { record } = poison;
  return {
    streamName: poison.streamName ?? streamNameFromArn(poison.streamArn),
    streamArn: poison.streamArn,
    shardId: poison.shardId,
    sequenceNumber: record.sequenceNumber,
    subSequenceNumber: record.subSequenceNumber,
    partitionKey: record.partitionKey,
    explicitHashKey: record.explicitHashKey,
    aggregated: record.aggregated,
    approximateArrivalTimestamp: record.approximateArrivalTimestamp,
    data: Uint8Array.from(record.data),
    error: deadLetterErrorInfo(poison.error),
    attempts: poison.attempts,
    deadLetteredAt,
  };
}

/** What {@link encodeDeadLetter} writes: JSON, with the payload in base64 and times in ISO 8601. */
export interface DeadLetterEnvelope {
  /** The envelope's format version. */
  readonly kinesisTsDeadLetter: 1;
  readonly streamName?: string;
  readonly streamArn?: string;
  readonly shardId?: string;
  readonly sequenceNumber: string;
  readonly subSequenceNumber: number;
  readonly partitionKey: string;
  readonly explicitHashKey?: string;
  readonly aggregated: boolean;
  readonly approximateArrivalTimestamp?: string;
  /** The payload, base64. */
  readonly data: string;
  readonly error: DeadLetterErrorInfo;
  readonly attempts: number;
  readonly deadLetteredAt: string;
}

/** Serializes a dead letter as a JSON envelope (UTF-8), for sinks that store bytes. */
export function encodeDeadLetter(letter: DeadLetter): Uint8Array {
  const envelope: DeadLetterEnvelope = {
    kinesisTsDeadLetter: 1,
    streamName: letter.streamName,
    streamArn: letter.streamArn,
    shardId: letter.shardId,
    sequenceNumber: letter.sequenceNumber,
    subSequenceNumber: letter.subSequenceNumber,
    partitionKey: letter.partitionKey,
    explicitHashKey: letter.explicitHashKey,
    aggregated: letter.aggregated,
    approximateArrivalTimestamp: letter.approximateArrivalTimestamp?.toISOString(),
    data: Buffer.from(letter.data.buffer, letter.data.byteOffset, letter.data.byteLength).toString('base64'),
    error: letter.error,
    attempts: letter.attempts,
    deadLetteredAt: letter.deadLetteredAt.toISOString(),
  };
  return new TextEncoder().encode(JSON.stringify(envelope));
}

/**
 * Reads back a dead letter written by {@link encodeDeadLetter} (to inspect or replay it).
 * @throws ValidationError (`INVALID_DEAD_LETTER`) when the bytes are not such an envelope.
 */
export function decodeDeadLetter(bytes: Uint8Array): DeadLetter {
  let envelope: Partial<DeadLetterEnvelope> | null;
  try {
    envelope = JSON.parse(new TextDecoder().decode(bytes)) as Partial<DeadLetterEnvelope> | null;
  } catch (error) {
    throw new ValidationError(
      'deadLetter',
      'a kinesis-ts dead letter envelope, version 1',
      `the bytes are not JSON (${(error as Error).message})`,
      ProcessingErrorCode.INVALID_DEAD_LETTER,
    );
  }
  if (
    envelope === null ||
    typeof envelope !== 'object' ||
    envelope.kinesisTsDeadLetter !== 1 ||
    typeof envelope.sequenceNumber !== 'string' ||
    typeof envelope.partitionKey !== 'string' ||
    typeof envelope.data !== 'string' ||
    typeof envelope.deadLetteredAt !== 'string'
  ) {
    throw new ValidationError(
      'deadLetter',
      'a kinesis-ts dead letter envelope, version 1',
      'the bytes are JSON of another shape',
      ProcessingErrorCode.INVALID_DEAD_LETTER,
    );
  }
  return {
    streamName: envelope.streamName,
    streamArn: envelope.streamArn,
    shardId: envelope.shardId,
    sequenceNumber: envelope.sequenceNumber,
    subSequenceNumber: envelope.subSequenceNumber ?? 0,
    partitionKey: envelope.partitionKey,
    explicitHashKey: envelope.explicitHashKey,
    aggregated: envelope.aggregated ?? false,
    approximateArrivalTimestamp:
      envelope.approximateArrivalTimestamp === undefined
        ? undefined
        : new Date(envelope.approximateArrivalTimestamp),
    data: new Uint8Array(Buffer.from(envelope.data, 'base64')),
    error: envelope.error ?? { name: 'Unknown', message: '' },
    attempts: envelope.attempts ?? 0,
    deadLetteredAt: new Date(envelope.deadLetteredAt),
  };
}

/** `arn:aws:kinesis:us-east-1:123456789012:stream/orders` → `orders`. */
export function streamNameFromArn(streamArn: string | undefined): string | undefined {
  if (streamArn === undefined) return undefined;
  const match = /:stream\/([^/:]+)/.exec(streamArn);
  return match?.[1];
}

function deadLetterErrorInfo(error: unknown): DeadLetterErrorInfo {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return typeof code === 'string'
      ? { name: error.name, message: error.message, code }
      : { name: error.name, message: error.message };
  }
  return { name: typeof error, message: String(error) };
}
