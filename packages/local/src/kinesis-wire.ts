import type { IncomingHttpHeaders } from 'node:http';

/** A whole HTTP response, as the front sends it. */
export interface WireResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Buffer;
}

const TARGET_PREFIX = 'Kinesis_20131202.';
const JSON_CONTENT_TYPE = 'application/x-amz-json-1.1';

/** The Kinesis operation a request calls (`X-Amz-Target: Kinesis_20131202.PutRecords`), if any. */
export function operationOf(headers: IncomingHttpHeaders): string | undefined {
  const target = headers['x-amz-target'];
  const value = Array.isArray(target) ? target[0] : target;
  return value?.startsWith(TARGET_PREFIX) ? value.slice(TARGET_PREFIX.length) : undefined;
}

let answered = 0;

/** A JSON response of the service's protocol (awsJson 1.1), with a request id of the front's own. */
export function jsonResponse(status: number, value: unknown): WireResponse {
  answered += 1;
  return {
    status,
    headers: {
      'content-type': JSON_CONTENT_TYPE,
      'x-amzn-requestid': `kinesis-ts-local-limits-${answered.toString(16).padStart(8, '0')}`,
    },
    body: Buffer.from(JSON.stringify(value)),
  };
}

/** A Kinesis error response as the service (and the emulator) sends it: 400, `{ __type, message }`. */
export function kinesisErrorResponse(type: string, message: string): WireResponse {
  return jsonResponse(400, { __type: type, message });
}

/** Parses a request or response body as a JSON object; `undefined` when it is not one. */
export function parseJsonObject(body: Buffer): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(body.toString('utf8'));
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/** The stream name in a stream ARN (`arn:aws:kinesis:…:stream/NAME`) or a consumer ARN (`…:stream/NAME/consumer/C:1`). */
export function streamNameFromArn(arn: string): string | undefined {
  const match = /:stream\/([^/]+)/.exec(arn);
  return match?.[1];
}

/**
 * The stream a request is about, by name: `StreamName`, else the name in `StreamARN`, else the one
 * in `ConsumerARN`.
 */
export function streamNameOf(request: Record<string, unknown>): string | undefined {
  if (typeof request.StreamName === 'string') return request.StreamName;
  if (typeof request.StreamARN === 'string') return streamNameFromArn(request.StreamARN);
  if (typeof request.ConsumerARN === 'string') return streamNameFromArn(request.ConsumerARN);
  return undefined;
}

/**
 * The error messages of refused calls. The PutRecords entry's is the service's, from the
 * developer guide's example ("Rate exceeded for shard shardId-000000000001 in stream
 * exampleStreamName under account 111111111111."), and so is the GetRecords one, as the service
 * returns it ("Rate exceeded for Shard - 123456789012/stream/shardId-000000000010"); the service's
 * texts for the others are not documented and follow the same form.
 */
export const LIMIT_MESSAGES = {
  shardWrite: (shardId: string, stream: string, account: string) =>
    `Rate exceeded for shard ${shardId} in stream ${stream} under account ${account}.`,
  shardRead: (shardId: string, stream: string, account: string) =>
    `Rate exceeded for Shard - ${account}/${stream}/${shardId}`,
  stream: (operation: string, stream: string, account: string) =>
    `Rate exceeded for ${operation} on stream ${stream} under account ${account}.`,
  account: (operation: string, account: string) => `Rate exceeded for ${operation} under account ${account}.`,
  subscribe: (consumerArn: string, shardId: string) =>
    `Rate exceeded for consumer ${consumerArn} and shard ${shardId}: one SubscribeToShard per second.`,
} as const;
