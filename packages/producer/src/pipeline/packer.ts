import { AggregatedRecordBuilder, type PutRecordsEntry } from '@kinesis-ts/core';
import { EntryFigures } from './entry-figures.js';
import type { PendingRecord } from './pending-record.js';
import type { RecordQueue } from './record-queue.js';
import type { Tokens } from './token-bucket.js';

/** One `PutRecords` entry and the user records it carries. */
export interface PackedEntry {
  readonly entry: PutRecordsEntry;
  readonly records: readonly PendingRecord[];
  /** Partition key plus data, in bytes: what the entry counts against request and rate limits. */
  readonly sizeBytes: number;
  /** What the sender and the metrics need of `records`, gathered as they were packed. */
  readonly figures: EntryFigures;
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
  /**
   * Bytes the request (and the tokens) must still have room for to open another aggregate once one
   * was packed in this pass: behind a saturated shard, what is left after the last full aggregate
   * waits rather than going out as a small entry. @defaultValue 0
   */
  readonly minRoomToOpenAggregate?: number;
  /** Stop after skipping this many records of keys that must wait. @defaultValue 10000 */
  readonly maxSkipped?: number;
}

/**
 * Takes records from the front of a shard's queue and packs them into entries for one request,
 * within the request's room and the shard's tokens. Records not taken stay in the queue, in order.
 *
 * With `preserveKeyOrder`, a partition key appears in at most one entry of the request, so that an
 * entry that fails can never be overtaken by a later entry of its key that succeeded: with
 * aggregation, each key's records are packed together into one aggregate (a key with more than an
 * aggregate's worth sends the first aggregate-full now and the rest in the next request); without
 * aggregation, a key sends one record per request.
 */
export function packRecords(queue: RecordQueue, limits: PackLimits): PackedEntry[] {
  const budget = {
    entries: Math.min(limits.maxEntries, Math.floor(limits.tokens.records)),
    bytes: Math.min(limits.maxBytes, Math.floor(limits.tokens.bytes)),
  };
  if (budget.entries < 1 || budget.bytes < 1) return [];
  if (limits.preserveKeyOrder && limits.aggregation) return packByKey(queue, limits, budget);
  return packInOrder(queue, limits, budget);
}

/**
 * The builder every packing pass uses (records reach the packer validated by `put`, explicit hash
 * keys in canonical form). One for all: a pass runs from start to end without yielding, so two never
 * share it, and a builder kept keeps the room of its arrays from one aggregate to the next.
 */
const sharedBuilder = new AggregatedRecordBuilder({ recordsAreValidated: true });

interface Budget {
  readonly entries: number;
  readonly bytes: number;
}

/** Builds aggregates one after the other, in queue order. */
class EntryAssembler {
  readonly entries: PackedEntry[] = [];
  closedBytes = 0;
  private readonly builder = sharedBuilder;
  private builderRecords: PendingRecord[] = [];
  private builderFigures = new EntryFigures();

  constructor(
    private readonly limits: PackLimits,
    private readonly budget: Budget,
  ) {
    if (this.builder.count > 0) this.builder.reset(); // a pass that ended without closing its last entry
  }

  /** Whether an entry is being built. */
  get open(): boolean {
    return this.builder.count > 0;
  }

  /** Bytes the open aggregate can still take (within the aggregate limit and the request's room). */
  get openRoomBytes(): number {
    const limit = Math.min(this.limits.maxAggregateSizeBytes, this.budget.bytes - this.closedBytes - 1);
    return limit - this.builder.aggregatedSizeBytes;
  }

  /** Starts a new entry with `record` if the request has room for it; returns whether it did. */
  startWith(record: PendingRecord): boolean {
    const room = this.budget.bytes - this.closedBytes;
    if (
      this.entries.length + 1 > this.budget.entries ||
      record.sizeBytes > room ||
      (this.entries.length > 0 && room < (this.limits.minRoomToOpenAggregate ?? 0))
    ) {
      return false;
    }
    this.builder.add(record, record.hashKey);
    this.builderRecords.push(record);
    this.builderFigures.add(record);
    return true;
  }

  /** Adds `record` to the open entry if it still fits the aggregate and the request; returns whether it did. */
  tryAppend(record: PendingRecord): boolean {
    const added = this.builder.tryAdd(
      record,
      {
        // The aggregate's entry also carries its one-byte partition key "a".
        maxAggregateSizeBytes: Math.min(
          this.limits.maxAggregateSizeBytes,
          this.budget.bytes - this.closedBytes - 1,
        ),
        maxRecordSizeBytes: this.limits.maxRecordSizeBytes,
        maxUserRecords: this.limits.maxAggregateRecords,
      },
      record.hashKey,
    );
    if (added) {
      this.builderRecords.push(record);
      this.builderFigures.add(record);
    }
    return added;
  }

  /** Adds `record` as an entry of its own (no aggregation); returns whether the request had room. */
  addRaw(record: PendingRecord): boolean {
    if (
      this.entries.length + 1 > this.budget.entries ||
      this.closedBytes + record.sizeBytes > this.budget.bytes
    ) {
      return false;
    }
    this.entries.push({
      entry: rawEntry(record),
      records: [record],
      sizeBytes: record.sizeBytes,
      figures: EntryFigures.of([record]),
    });
    this.closedBytes += record.sizeBytes;
    return true;
  }

  close(): void {
    if (this.builder.count === 0) return;
    const entry = this.builder.build();
    const sizeBytes = this.builder.entrySizeBytes;
    this.entries.push({ entry, records: this.builderRecords, sizeBytes, figures: this.builderFigures });
    this.closedBytes += sizeBytes;
    this.builder.reset(); // the entry holds only what build() returned: the builder is reused
    this.builderRecords = [];
    this.builderFigures = new EntryFigures();
  }
}

/** Queue order, one record after the other; a key blocked once stays blocked for this request. */
function packInOrder(queue: RecordQueue, limits: PackLimits, budget: Budget): PackedEntry[] {
  const maxSkipped = limits.maxSkipped ?? 10_000;
  const assembler = new EntryAssembler(limits, budget);
  const keysSent = new Set<string>();
  const skipped: PendingRecord[] = [];
  let walked = 0;
  while (walked < queue.length && skipped.length < maxSkipped) {
    const record = queue.at(walked)!;
    if (limits.preserveKeyOrder && keysSent.has(record.partitionKey)) {
      skipped.push(record); // without aggregation, a key sends one record per request
      walked++;
      continue;
    }
    let taken: boolean;
    if (!limits.aggregation) {
      taken = assembler.addRaw(record);
    } else if (assembler.open && assembler.tryAppend(record)) {
      taken = true;
    } else {
      assembler.close();
      taken = assembler.startWith(record);
    }
    if (!taken) break;
    keysSent.add(record.partitionKey);
    walked++;
  }
  assembler.close();
  queue.removeWalked(walked, skipped);
  return assembler.entries;
}

/**
 * Groups the front of the queue by key (keys in order of first appearance, each key's records in
 * order) and packs whole groups into aggregates, so that each key is in one entry.
 */
function packByKey(queue: RecordQueue, limits: PackLimits, budget: Budget): PackedEntry[] {
  const groups = new Map<string, KeyGroup>();
  let walked = 0;
  let walkedBytes = 0;
  while (walked < queue.length && walkedBytes < budget.bytes) {
    const record = queue.at(walked)!;
    const group = groups.get(record.partitionKey);
    if (group === undefined) groups.set(record.partitionKey, { records: [record], taken: 0, seen: 0 });
    else group.records.push(record);
    walkedBytes += record.sizeBytes;
    walked++;
  }

  const assembler = new EntryAssembler(limits, budget);
  let taken = 0;
  for (const group of groups.values()) {
    // A key that would not fit whole in the open aggregate starts a new one, rather than being cut.
    if (assembler.open && groupSizeBound(group.records) > assembler.openRoomBytes) assembler.close();
    const records = group.records;
    for (let index = 0; index < records.length; index++) {
      const record = records[index]!;
      if (assembler.open && assembler.tryAppend(record)) {
        group.taken++;
        continue;
      }
      if (index > 0) break; // the rest of this key waits: a key stays in one entry
      assembler.close();
      if (!assembler.startWith(record)) break;
      group.taken++;
    }
    taken += group.taken;
    if (group.taken === 0) break; // the request is full
  }
  assembler.close();

  // Each key's taken records are a prefix of its group: the rest stay queued, in queue order.
  const kept: PendingRecord[] = [];
  // (When every record walked over was taken, the usual case in a burst, nothing is kept.)
  for (let i = 0; taken < walked && i < walked; i++) {
    const record = queue.at(i)!;
    const group = groups.get(record.partitionKey)!;
    if (group.seen++ >= group.taken) kept.push(record);
  }
  queue.removeWalked(walked, kept);
  return assembler.entries;
}

/** One key's records in a packing pass, and how many of them (a prefix) went into the request. */
interface KeyGroup {
  readonly records: PendingRecord[];
  taken: number;
  /** How many of its records the final pass over the queue has met. */
  seen: number;
}

/** An upper bound of the bytes a key's records add to an aggregate: table entry, framing, data. */
function groupSizeBound(group: readonly PendingRecord[]): number {
  const first = group[0]!;
  let bytes = first.sizeBytes - first.data.byteLength + 3; // the partition key table entry
  for (const record of group) {
    bytes += record.data.byteLength + 16; // record framing, indexes and data length, as varints
    if (record.explicitHashKey !== undefined) bytes += record.explicitHashKey.length + 8;
  }
  return bytes;
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
