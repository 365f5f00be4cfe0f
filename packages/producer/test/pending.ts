import { effectiveHashKey } from '@kinesis-ts/core';
import { noAttempts, type PendingRecord } from '../src/pipeline/pending-record.js';

let sequence = 0;

/** A pending record for unit tests of the pipeline's pure parts. */
export function pending(
  partitionKey: string,
  data: string | Uint8Array = 'x',
  overrides: Partial<PendingRecord> = {},
): PendingRecord {
  const bytes = typeof data === 'string' ? new Uint8Array(Buffer.from(data)) : data;
  sequence++;
  return {
    userRecord: { partitionKey, data: bytes },
    partitionKey,
    data: bytes,
    explicitHashKey: undefined,
    hashKey: effectiveHashKey(partitionKey),
    sizeBytes: bytes.byteLength + Buffer.byteLength(partitionKey),
    sequence,
    arrivedAt: 0,
    expiresAt: 30_000,
    dueAt: 100,
    lastAttemptEndedAt: 0,
    attempts: noAttempts(),
    attemptCount: 0,
    admitted: true,
    settled: false,
    settler: { resolve: () => undefined, reject: () => undefined },
    slot: 0,
    ...overrides,
  };
}
