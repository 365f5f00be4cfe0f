/**
 * The pure part of the front's large-record store (see `large-record-store.ts`): the checks the
 * front makes itself on records the emulator will only see as placeholders, the swap of large
 * `Data` for placeholders in a write, and the swap back in a read. Everything here works on the
 * wire's JSON (awsJson 1.1, `Data` in base64).
 */
import { kinesisErrorResponse, type WireResponse } from './kinesis-wire';
import { base64DecodedLength, recordBytes, type WireRecord } from './put-records-admission';
import type { EntryFailure } from './put-records-splice';

const MIB = 1024 * 1024;

/**
 * The most a PutRecords request may carry, data and partition keys of all its entries, in bytes
 * (10 MiB since the service took records up to 10 MiB; the emulator does not check it).
 */
export const MAX_PUT_RECORDS_REQUEST_BYTES = 10 * MIB;
/**
 * The most one GetRecords call returns, data and partition keys of its records, in bytes (the
 * emulator applies it to the records it stores, placeholders included, not to the data put back).
 */
export const MAX_GET_RECORDS_BYTES = 10 * MIB;
/** The smallest `MaxRecordSizeInKiB` a stream can have, in bytes: data up to it never needs the stream's limit. */
export const MIN_MAX_RECORD_BYTES = MIB;
/** The text every placeholder starts with (followed by the front's nonce and the placeholder's id). */
export const PLACEHOLDER_MARKER = 'kinesis-ts-local:large-record:';

/** A record whose `Data` was swapped for a placeholder, by its index in the request sent. */
export interface SwappedRecord {
  /** Index of the entry in the request sent to the emulator (0 for PutRecord). */
  readonly index: number;
  /** The placeholder, in base64, as the emulator stores and returns it. */
  readonly placeholder: string;
  /** The record's own `Data`, in base64, as the client sent it. */
  readonly data: string;
  /** The size of the record's data, in bytes. */
  readonly bytes: number;
}

/** The size of a wire record's data in bytes (0 without data). */
export function dataBytes(record: WireRecord): number {
  return typeof record.Data === 'string' ? base64DecodedLength(record.Data) : 0;
}

/** The `Data` (base64) of the placeholder number `id` of a front whose nonce is `nonce`. */
export function placeholderData(nonce: string, id: number): string {
  return Buffer.from(`${PLACEHOLDER_MARKER}${nonce}:${id}`, 'utf8').toString('base64');
}

/**
 * The emulator's own error for a record whose data exceeds the stream's `MaxRecordSizeInKiB` (a
 * PutRecords entry failure, or PutRecord's `InvalidArgumentException`): the front gives the same
 * for the records it checks itself.
 */
export function oversizeFailure(bytes: number, limitBytes: number): EntryFailure {
  return {
    ErrorCode: 'InvalidArgumentException',
    ErrorMessage: `Record data size ${bytes} exceeds the stream's max record size of ${limitBytes} bytes`,
  };
}

/** PutRecord's refusal of a record above the stream's limit (400, as the emulator answers). */
export function oversizeRecordResponse(bytes: number, limitBytes: number): WireResponse {
  const failure = oversizeFailure(bytes, limitBytes);
  return kinesisErrorResponse(failure.ErrorCode, failure.ErrorMessage);
}

/**
 * The service's refusal of a PutRecords request above {@link MAX_PUT_RECORDS_REQUEST_BYTES}, data
 * and partition keys counted (its message for the former 5 MiB limit was "Records size exceeds 5
 * MB limit"); `undefined` when the request is within it.
 */
export function requestSizeRefusal(records: readonly WireRecord[]): WireResponse | undefined {
  let total = 0;
  for (const record of records) total += recordBytes(record);
  if (total <= MAX_PUT_RECORDS_REQUEST_BYTES) return undefined;
  return kinesisErrorResponse(
    'InvalidArgumentException',
    `Records size exceeds ${MAX_PUT_RECORDS_REQUEST_BYTES / MIB} MB limit`,
  );
}

/**
 * Swaps the `Data` of every record above `thresholdBytes` for a new placeholder (`nextPlaceholder()`),
 * keeping the other fields; returns the records to send and what was swapped. Records at or under
 * the threshold are left as they are (the same objects).
 */
export function swapLargeData<R extends WireRecord>(
  records: readonly R[],
  thresholdBytes: number,
  nextPlaceholder: () => string,
): { records: R[]; swapped: SwappedRecord[] } {
  const swapped: SwappedRecord[] = [];
  const sent = records.map((record, index) => {
    const bytes = dataBytes(record);
    if (bytes <= thresholdBytes || typeof record.Data !== 'string') return record;
    const placeholder = nextPlaceholder();
    swapped.push({ index, placeholder, data: record.Data, bytes });
    return { ...record, Data: placeholder };
  });
  return { records: sent, swapped };
}

/**
 * Puts the original data back into the records of a read (GetRecords `Records`, a
 * SubscribeToShard event's `Records`): a record gets its data back when `original(Data,
 * SequenceNumber)` knows the pair (a placeholder the front issued, stored at that sequence number);
 * any other record is left alone, so a record that only looks like a placeholder keeps its bytes.
 * Returns `undefined` when nothing was put back.
 */
export function restoreLargeData(
  records: readonly unknown[],
  original: (data: string, sequenceNumber: string) => string | undefined,
): { records: unknown[]; restored: number } | undefined {
  let restored = 0;
  const back = records.map((value) => {
    const record = value as { Data?: unknown; SequenceNumber?: unknown } | null;
    if (typeof record !== 'object' || record === null) return value;
    if (typeof record.Data !== 'string' || typeof record.SequenceNumber !== 'string') return value;
    const data = original(record.Data, record.SequenceNumber);
    if (data === undefined) return value;
    restored += 1;
    return { ...record, Data: data };
  });
  return restored === 0 ? undefined : { records: back, restored };
}

/** Whether a value is a record as PutRecord(s) sends it: `Data` and `PartitionKey` strings. */
export function isWireRecord(value: unknown): value is WireRecord & { Data: string; PartitionKey: string } {
  const record = value as WireRecord | null;
  return (
    typeof record === 'object' &&
    record !== null &&
    typeof record.Data === 'string' &&
    typeof record.PartitionKey === 'string'
  );
}

/**
 * How many of a read's records, from the first, one GetRecords call returns: those within
 * {@link MAX_GET_RECORDS_BYTES} (data and partition keys), and always the first.
 */
export function recordsWithinReadLimit(records: readonly unknown[]): number {
  let total = 0;
  for (let index = 0; index < records.length; index++) {
    total += recordBytes(records[index] as WireRecord);
    if (total > MAX_GET_RECORDS_BYTES && index > 0) return index;
  }
  return records.length;
}
