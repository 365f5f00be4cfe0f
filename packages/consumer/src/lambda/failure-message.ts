import { isSequenceNumber, type LambdaKinesisEvent, ValidationError } from '@kinesis-ts/core';
import { ProcessingErrorCode } from '../processing/processing-errors.js';

/**
 * A batch that a Lambda event source mapping gave up on, as its on-failure destination tells it:
 * where the records are (SQS and SNS destinations carry only this), and for an S3 destination the
 * original invocation event, payloads included.
 */
export interface KinesisFailedBatch {
  readonly streamArn: string;
  readonly shardId: string;
  /** The first Kinesis record of the batch. */
  readonly startSequenceNumber: string;
  /** The last Kinesis record of the batch (included). */
  readonly endSequenceNumber: string;
  /** Kinesis records in the batch, as Lambda counted them. */
  readonly batchSize?: number;
  readonly approximateArrivalOfFirstRecord?: Date;
  readonly approximateArrivalOfLastRecord?: Date;
  /** Why Lambda gave up: `RetryAttemptsExhausted`, `RecordAgeExceeded`, `RecordAgeExpired`… */
  readonly condition?: string;
  readonly functionArn?: string;
  readonly requestId?: string;
  readonly approximateInvokeCount?: number;
  /** `Unhandled`, `Handled`… when the function failed (rather than, say, timing out before the call). */
  readonly functionError?: string;
  /** When Lambda wrote the message. */
  readonly timestamp?: Date;
  /** The original invocation event: only in an S3 destination's object (its `payload`). */
  readonly event?: LambdaKinesisEvent;
}

type Json = { readonly [key: string]: unknown };

/**
 * Reads the on-failure destination messages of a Lambda Kinesis event source mapping into
 * {@link KinesisFailedBatch}es. `input` is the message as text or parsed JSON, in any of its wrappings:
 *
 * - the invocation record itself (`requestContext`, `responseContext`, `KinesisBatchInfo`), as an SQS
 *   message body holds it, or an S3 destination's object (which adds the original event in `payload`);
 * - an SNS notification (`Type: 'Notification'`, the record in `Message`), as an SQS queue subscribed
 *   to the topic receives it;
 * - an SQS message (`body` or `Body`), or a whole Lambda SQS or SNS event (`Records`), giving one
 *   batch per record.
 *
 * Anything else is refused with a `ValidationError` (`INVALID_FAILURE_MESSAGE`) naming the field.
 */
export function parseKinesisFailureMessages(input: unknown): KinesisFailedBatch[] {
  return unwrap(input, 'message', 0);
}

function unwrap(input: unknown, field: string, depth: number): KinesisFailedBatch[] {
  if (depth > 4)
    throw invalid(field, 'an on-failure message nested at most 4 deep', 'it is wrapped too deeply');
  const value = typeof input === 'string' || input instanceof Uint8Array ? parseJson(input, field) : input;
  if (!isObject(value)) throw invalid(field, 'a JSON object', `got ${describe(value)}`);
  if (isObject(value.KinesisBatchInfo)) return [toBatch(value, field)];
  if (typeof value.Message === 'string') return unwrap(value.Message, `${field}.Message`, depth + 1); // SNS notification
  if (typeof value.body === 'string') return unwrap(value.body, `${field}.body`, depth + 1); // SQS (Lambda event record)
  if (typeof value.Body === 'string') return unwrap(value.Body, `${field}.Body`, depth + 1); // SQS (ReceiveMessage)
  if (isObject(value.Sns)) return unwrap(value.Sns, `${field}.Sns`, depth + 1); // SNS (Lambda event record)
  if (Array.isArray(value.Records)) {
    if (value.Records.some((record) => isObject(record) && 'kinesis' in record)) {
      throw invalid(field, 'an on-failure message', 'this is a Kinesis event, not a failure message');
    }
    return value.Records.flatMap((record, index) => unwrap(record, `${field}.Records[${index}]`, depth + 1));
  }
  throw invalid(
    `${field}.KinesisBatchInfo`,
    'an object with streamArn, shardId, startSequenceNumber and endSequenceNumber',
    'the message has no KinesisBatchInfo (is it from a Kinesis event source mapping?)',
  );
}

function toBatch(record: Json, field: string): KinesisFailedBatch {
  const info = record.KinesisBatchInfo as Json;
  const at = `${field}.KinesisBatchInfo`;
  const streamArn = requiredString(info, 'streamArn', at);
  const shardId = requiredString(info, 'shardId', at);
  const startSequenceNumber = sequenceNumber(info, 'startSequenceNumber', at);
  const endSequenceNumber = sequenceNumber(info, 'endSequenceNumber', at);
  const requestContext = isObject(record.requestContext) ? record.requestContext : {};
  const responseContext = isObject(record.responseContext) ? record.responseContext : {};
  return {
    streamArn,
    shardId,
    startSequenceNumber,
    endSequenceNumber,
    batchSize: optionalNumber(info.batchSize),
    approximateArrivalOfFirstRecord: optionalDate(info.approximateArrivalOfFirstRecord),
    approximateArrivalOfLastRecord: optionalDate(info.approximateArrivalOfLastRecord),
    condition: optionalString(requestContext.condition),
    functionArn: optionalString(requestContext.functionArn),
    requestId: optionalString(requestContext.requestId),
    approximateInvokeCount: optionalNumber(requestContext.approximateInvokeCount),
    functionError: optionalString(responseContext.functionError),
    timestamp: optionalDate(record.timestamp),
    event: record.payload === undefined ? undefined : toEvent(record.payload, `${field}.payload`),
  };
}

/** The `payload` of an S3 destination's object: the original event, as escaped JSON (or as an object). */
function toEvent(payload: unknown, field: string): LambdaKinesisEvent {
  const event = typeof payload === 'string' ? parseJson(payload, field) : payload;
  if (!isObject(event) || !Array.isArray(event.Records)) {
    throw invalid(field, 'the original Kinesis event ({ Records: [...] })', `got ${describe(event)}`);
  }
  event.Records.forEach((record, index) => {
    const kinesis = isObject(record) ? record.kinesis : undefined;
    if (
      !isObject(kinesis) ||
      typeof kinesis.data !== 'string' ||
      typeof kinesis.partitionKey !== 'string' ||
      !isSequenceNumberText(kinesis.sequenceNumber)
    ) {
      throw invalid(
        `${field}.Records[${index}].kinesis`,
        'partitionKey, data (base64) and sequenceNumber',
        'the record is not a Kinesis event record',
      );
    }
  });
  return event as unknown as LambdaKinesisEvent;
}

function parseJson(text: string | Uint8Array, field: string): unknown {
  const source = typeof text === 'string' ? text : new TextDecoder().decode(text);
  try {
    return JSON.parse(source);
  } catch (error) {
    throw invalid(field, 'JSON', `it does not parse (${(error as Error).message})`);
  }
}

function requiredString(object: Json, key: string, at: string): string {
  const value = object[key];
  if (typeof value !== 'string' || value === '')
    throw invalid(`${at}.${key}`, 'a non-empty string', `got ${describe(value)}`);
  return value;
}

function sequenceNumber(object: Json, key: string, at: string): string {
  const value = object[key];
  if (!isSequenceNumberText(value))
    throw invalid(`${at}.${key}`, 'a Kinesis sequence number (decimal digits)', `got ${describe(value)}`);
  return value;
}

function isSequenceNumberText(value: unknown): value is string {
  return typeof value === 'string' && isSequenceNumber(value);
}

function optionalString(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function optionalNumber(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

function optionalDate(value: unknown): Date | undefined {
  if (typeof value !== 'string' && typeof value !== 'number') return undefined;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string')
    return `the string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
  return `a ${typeof value}`;
}

function invalid(field: string, limit: string, detail: string): ValidationError {
  return new ValidationError(field, limit, detail, ProcessingErrorCode.INVALID_FAILURE_MESSAGE);
}
