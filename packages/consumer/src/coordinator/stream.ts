import type { StreamReference } from '@kinesis-ts/core';

/** The stream as the poison-record and event fields (`streamName` or `streamArn`). */
export function streamIdentity(stream: StreamReference): { streamName?: string; streamArn?: string } {
  return 'streamArn' in stream ? { streamArn: stream.streamArn } : { streamName: stream.streamName };
}
