import type { StreamReference } from '@kinesis-ts/core';
import type { EventStreamFields } from '../consumer-events.js';
import { parseMultiStreamLeaseKey } from '../leases/stream-identifier.js';
import { streamIdentity } from './stream.js';

/**
 * The stream fields of an event about lease `leaseKey`. Single-stream (`single` given): the stream
 * as configured, `streamName` or `streamArn`, as in `onPoisonRecord`. Multi-stream: the tracked
 * stream's name and ARN; for a stream no longer tracked, the name its lease key holds.
 */
export function leaseEventStream(
  leaseKey: string,
  single: StreamReference | undefined,
  tracked: (leaseKey: string) => { readonly streamName: string; readonly streamArn: string } | undefined,
): EventStreamFields {
  if (single !== undefined) return streamIdentity(single);
  const stream = tracked(leaseKey);
  if (stream) return { streamName: stream.streamName, streamArn: stream.streamArn };
  const parsed = parseMultiStreamLeaseKey(leaseKey);
  return parsed ? { streamName: parsed.streamIdentifier.streamName } : {};
}
