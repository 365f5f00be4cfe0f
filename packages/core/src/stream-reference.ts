import { ValidationError } from './errors.js';

/** Which stream a call is about: by name, or by ARN (cross-account access). */
export type StreamReference = { readonly streamName: string } | { readonly streamArn: string };

/** A Kinesis stream name: 1 to 128 of `a-z A-Z 0-9 _ . -`. */
export const STREAM_NAME_PATTERN = /^[a-zA-Z0-9_.-]{1,128}$/;
/** The rule of {@link STREAM_NAME_PATTERN}, in words. */
export const STREAM_NAME_LIMIT = 'a stream name of 1 to 128 of a-z A-Z 0-9 _ . -';

/** A Kinesis stream ARN: `arn:aws[-partition]:kinesis:<region>:<12-digit account>:stream/<name>`. */
export const STREAM_ARN_PATTERN = /^arn:aws[a-z-]*:kinesis:[a-z0-9-]+:\d{12}:stream\/[a-zA-Z0-9_.-]{1,128}$/;
/** The rule of {@link STREAM_ARN_PATTERN}, in words. */
export const STREAM_ARN_LIMIT =
  'a Kinesis stream ARN (arn:aws:kinesis:<region>:<12-digit account>:stream/<name>)';

/**
 * Checks a stream name.
 * @throws ValidationError (`INVALID_OPTION`) naming `field`.
 */
export function validateStreamName(value: unknown, field = 'streamName'): asserts value is string {
  check(value, field, STREAM_NAME_PATTERN, STREAM_NAME_LIMIT);
}

/**
 * Checks a stream ARN.
 * @throws ValidationError (`INVALID_OPTION`) naming `field`.
 */
export function validateStreamArn(value: unknown, field = 'streamArn'): asserts value is string {
  check(value, field, STREAM_ARN_PATTERN, STREAM_ARN_LIMIT);
}

/** The names of the two options that say which stream, for the errors. */
export interface StreamFields {
  readonly streamName: string;
  readonly streamArn: string;
}

/**
 * The stream given by exactly one of `streamName` and `streamArn`, checked.
 * @throws ValidationError (`INVALID_OPTION`) naming the field: both given, neither, or one malformed.
 */
export function streamReference(
  streamName: unknown,
  streamArn: unknown,
  fields: StreamFields = { streamName: 'streamName', streamArn: 'streamArn' },
): StreamReference {
  if (streamName !== undefined && streamArn !== undefined) {
    throw new ValidationError(
      fields.streamName,
      `exactly one of ${fields.streamName} and ${fields.streamArn}, not both`,
      'both were given',
      'INVALID_OPTION',
    );
  }
  if (streamArn !== undefined) {
    validateStreamArn(streamArn, fields.streamArn);
    return { streamArn };
  }
  if (streamName === undefined) {
    throw new ValidationError(
      fields.streamName,
      `a stream name or (${fields.streamArn}) a stream ARN`,
      'neither was given',
      'INVALID_OPTION',
    );
  }
  validateStreamName(streamName, fields.streamName);
  return { streamName };
}

/** The stream as Kinesis request parameters (`StreamName` or `StreamARN`). */
export function streamParameters(stream: StreamReference): { StreamName: string } | { StreamARN: string } {
  return 'streamArn' in stream ? { StreamARN: stream.streamArn } : { StreamName: stream.streamName };
}

/** The stream's name or ARN, for messages. */
export function streamLabel(stream: StreamReference): string {
  return 'streamArn' in stream ? stream.streamArn : stream.streamName;
}

function check(value: unknown, field: string, pattern: RegExp, limit: string): void {
  if (typeof value !== 'string') {
    const got = value === null ? 'null' : typeof value;
    throw new ValidationError(field, limit, `expected a string, got ${got}`, 'INVALID_OPTION');
  }
  if (!pattern.test(value)) {
    const shown = value.length > 140 ? `${value.slice(0, 140)}… (${value.length} characters)` : value;
    throw new ValidationError(field, limit, `got '${shown}'`, 'INVALID_OPTION');
  }
}
