import { AggregatedRecordBuilder, type PutRecordsEntry } from '@kinesis-ts/core';
import type { PendingRecord } from './pending-record.js';
import type { RecordQueue } from './record-queue.js';
import type { Tokens } from './token-bucket.js';

/** One `PutRecords` entry and the user records it carries. */
export interface PackedEntry {
  readonly entry: PutRecordsEntry;
  readonly records: readonly PendingRecord[];
  /** Partition key plus data, in bytes: what the entry counts against request and rate limits. */
  readonly sizeBytes: number;
}

/** What bounds one packing pass over a shard's queue. */
export interface PackLimits {
  /** Pack several records into KPL aggregates; otherwise one record per entry. */
  readonly aggregation: boolean;
  readonly maxAggregateSizeBytes: number;
  readonly maxAggregateRecords: number;
  readonly maxRecordSizeBytes: number;
  /** A partition key may appear in at most one entry, so a failed entry never lets a later one of its key overtake it. */
  readonly preserveKeyOrder: boolean;
  /** Entries still free in the request being built. */
  readonly maxEntries: number;
  /** Bytes still free in the request being built. */
  readonly maxBytes: number;
  /** The shard's rate-limit tokens: each entry costs one record token and its size in byte tokens. */
  readonly tokens: Tokens;
  /** Stop after skipping this many records of keys that must wait. @defaultValue 10000 */
  readonly maxSkipped?: number;
}

/**
 * Takes records from the front of a shard's queue and packs them into entries for one request,
 * within the request's room and the shard's tokens. With `preserveKeyOrder`, once a key's records
 * are in an entry that is closed, its later records stay in the queue (in order) for the next
 * request, while other keys go on. Records not taken stay in the queue in their order.
 */
export function packRecords(queue: RecordQueue, limits: PackLimits): PackedEntry[] {
  const maxEntries = Math.min(limits.maxEntries, Math.floor(limits.tokens.records));
  const maxBytes = Math.min(limits.maxBytes, Math.floor(limits.tokens.bytes));
  const maxSkipped = limits.maxSkipped ?? 10_000;
  const entries: PackedEntry[] = [];
  const entryOfKey = new Map<string, number>();
  const blockedKeys = new Set<string>();
  const skipped: PendingRecord[] = [];
  let closedBytes = 0;
  let builder = new AggregatedRecordBuilder();
  let builderRecords: PendingRecord[] = [];

  const closeBuilder = () => {
    const entry = builder.build();
    const sizeBytes = builder.entrySizeBytes;
    entries.push({ entry, records: builderRecords, sizeBytes });
    closedBytes += sizeBytes;
    builder = new AggregatedRecordBuilder();
    builderRecords = [];
  };

  let walked = 0;
  while (walked < queue.length && skipped.length < maxSkipped) {
    const record = queue.at(walked)!;
    const key = record.partitionKey;
    const openEntry = entries.length;
    if (limits.preserveKeyOrder) {
      const entryIndex = entryOfKey.get(key);
      const inClosedEntry = entryIndex !== undefined && (entryIndex !== openEntry || !limits.aggregation);
      if (blockedKeys.has(key) || inClosedEntry) {
        blockedKeys.add(key);
        skipped.push(record);
        walked++;
        continue;
      }
    }

    if (!limits.aggregation) {
      if (entries.length + 1 > maxEntries || closedBytes + record.sizeBytes > maxBytes) break;
      entries.push({ entry: rawEntry(record), records: [record], sizeBytes: record.sizeBytes });
      closedBytes += record.sizeBytes;
      entryOfKey.set(key, openEntry);
      walked++;
      continue;
    }

    if (builder.count === 0) {
      if (entries.length + 1 > maxEntries || closedBytes + record.sizeBytes > maxBytes) break;
      builder.add(record, record.hashKey);
      builderRecords.push(record);
      entryOfKey.set(key, openEntry);
      walked++;
      continue;
    }

    const added = builder.tryAdd(
      record,
      {
        // The aggregate's entry also carries its one-byte partition key "a".
        maxAggregateSizeBytes: Math.min(limits.maxAggregateSizeBytes, maxBytes - closedBytes - 1),
        maxRecordSizeBytes: limits.maxRecordSizeBytes,
        maxUserRecords: limits.maxAggregateRecords,
      },
      record.hashKey,
    );
    if (added) {
      builderRecords.push(record);
      entryOfKey.set(key, openEntry);
      walked++;
    } else {
      closeBuilder(); // and look at the same record again, for a new entry
    }
  }
  if (builder.count > 0) closeBuilder();
  queue.removeWalked(walked, skipped);
  return entries;
}

/** A record sent on its own: its data, its partition key, and its hash key as explicit hash key (as the KPL does). */
function rawEntry(record: PendingRecord): PutRecordsEntry {
  return {
    partitionKey: record.partitionKey,
    explicitHashKey: record.explicitHashKey ?? record.hashKey.toString(),
    data: record.data,
    aggregated: false,
    userRecordCount: 1,
  };
}
