import type { StreamReference } from '../retrieval/records-retrieval.js';

/** The stream as Kinesis request parameters (`StreamName` or `StreamARN`). */
export function streamParameters(stream: StreamReference): { StreamName: string } | { StreamARN: string } {
  return 'streamArn' in stream ? { StreamARN: stream.streamArn } : { StreamName: stream.streamName };
}

/** The stream as the poison-record and event fields (`streamName` or `streamArn`). */
export function streamIdentity(stream: StreamReference): { streamName?: string; streamArn?: string } {
  return 'streamArn' in stream ? { streamArn: stream.streamArn } : { streamName: stream.streamName };
}

/** The stream's name or ARN, for messages. */
export function streamLabel(stream: StreamReference): string {
  return 'streamArn' in stream ? stream.streamArn : stream.streamName;
}
