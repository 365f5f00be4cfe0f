import { type EntryFailure, type PutRecordsPlan, planPutRecords } from './put-records-splice';
import type { RateWindow } from './rate-window';

/** A record of a PutRecord or PutRecords request as it is on the wire (`Data` in base64). */
export interface WireRecord {
  readonly Data?: unknown;
  readonly PartitionKey?: unknown;
  readonly ExplicitHashKey?: unknown;
}

/** A shard's write limits: records and bytes per second. */
export interface ShardWriteWindows {
  readonly records: RateWindow;
  readonly bytes: RateWindow;
}

/** The number of bytes a base64 text decodes to (without decoding it). */
export function base64DecodedLength(text: string): number {
  let length = text.length;
  while (length > 0 && text.charCodeAt(length - 1) === 61 /* '=' */) length -= 1;
  return Math.floor((length * 3) / 4);
}

/** What a record counts against its shard's byte limit: its data plus its partition key, in bytes. */
export function recordBytes(record: WireRecord): number {
  const data = typeof record.Data === 'string' ? base64DecodedLength(record.Data) : 0;
  const key = typeof record.PartitionKey === 'string' ? Buffer.byteLength(record.PartitionKey, 'utf8') : 0;
  return data + key;
}

/**
 * Decides which records of a write go through at `now`, in their order: a record is written when
 * its shard has a record and its size in bytes left in this second, and takes them; it is refused
 * with `failure(shardId)` otherwise (a later, smaller record of the same shard may still fit, as on
 * the service). A record whose shard is unknown (`shardOf` returns `undefined`) goes through
 * without counting.
 */
export function admitRecords<E extends WireRecord>(
  records: readonly E[],
  options: {
    readonly now: number;
    readonly shardOf: (record: E) => string | undefined;
    readonly windowsOf: (shardId: string) => ShardWriteWindows;
    readonly failure: (shardId: string) => EntryFailure;
  },
): PutRecordsPlan {
  return planPutRecords(records, (record) => {
    const shardId = options.shardOf(record);
    if (shardId === undefined) return undefined;
    const windows = options.windowsOf(shardId);
    if (windows.records.available(options.now) < 1) return options.failure(shardId);
    if (!windows.bytes.tryTake(options.now, recordBytes(record))) return options.failure(shardId);
    windows.records.tryTake(options.now, 1);
    return undefined;
  });
}
