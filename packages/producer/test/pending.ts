import { effectiveHashKey } from '@kinesis-ts/core';
import {
  markAdmitted,
  newPendingRecord,
  type PendingRecord,
  type RecordArrival,
  type RecordSettler,
} from '../src/pipeline/pending-record.js';

let sequence = 0;

/** What a unit test may set on a pending record (the rest gets test defaults). */
export interface PendingOverrides {
  readonly arrivedAt?: number;
  /** The arrival to share with other records (as records accepted in the same millisecond do); overrides the three times. */
  readonly arrival?: RecordArrival;
  readonly expiresAt?: number;
  readonly dueAt?: number;
  readonly explicitHashKey?: string;
  readonly hashKey?: bigint;
  readonly sizeBytes?: number;
  readonly sequence?: number;
  readonly admitted?: boolean;
  readonly settler?: RecordSettler;
  readonly slot?: number;
}

/** A pending record for unit tests of the pipeline's pure parts: arrived at 0, expires at 30,000, due at 100. */
export function pending(
  partitionKey: string,
  data: string | Uint8Array = 'x',
  overrides: PendingOverrides = {},
): PendingRecord {
  const bytes = typeof data === 'string' ? new Uint8Array(Buffer.from(data)) : data;
  sequence++;
  const record = newPendingRecord(
    { partitionKey, data: bytes },
    partitionKey,
    bytes,
    overrides.explicitHashKey,
    overrides.hashKey ?? effectiveHashKey(partitionKey, overrides.explicitHashKey),
    overrides.sizeBytes ?? bytes.byteLength + Buffer.byteLength(partitionKey),
    overrides.sequence ?? sequence,
    overrides.arrival ?? {
      arrivedAt: overrides.arrivedAt ?? 0,
      expiresAt: overrides.expiresAt ?? 30_000,
      dueAt: overrides.dueAt ?? 100,
    },
    overrides.settler ?? { resolve: () => undefined, reject: () => undefined },
    overrides.slot ?? 0,
  );
  if (overrides.admitted ?? true) markAdmitted(record);
  return record;
}
