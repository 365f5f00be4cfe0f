import { createHash } from 'node:crypto';
import {
  AGGREGATE_PARTITION_KEY,
  AGGREGATION_MAGIC,
  AGGREGATION_OVERHEAD_BYTES,
  lengthDelimitedFieldSize,
  Tag,
  varintSize,
} from './aggregation-format.js';
import { KinesisTsError, ValidationError } from './errors.js';
import { effectiveHashKey } from './hash-key.js';
import type { UserRecord } from './record.js';
import { validateExplicitHashKey, validatePartitionKey } from './validation.js';

/** One entry of a `PutRecords` request, as the builder makes it. */
export interface PutRecordsEntry {
  /** The entry's partition key: the user record's own for a single record, `"a"` for an aggregate. */
  readonly partitionKey: string;
  /**
   * The hash key that routes the entry, as a decimal string: the single record's effective hash key,
   * or the first user record's for an aggregate (all its records were predicted to the same shard).
   */
  readonly explicitHashKey: string;
  /** The entry's data: the single record's payload, or the encoded aggregate. */
  readonly data: Uint8Array;
  /** Whether `data` is a KPL aggregate (two or more user records) rather than one record's raw payload. */
  readonly aggregated: boolean;
  /** How many user records the entry carries. */
  readonly userRecordCount: number;
}

/** What a record would cost the aggregate; computed once by `measure`, applied by `commit`. */
interface Measurement {
  readonly record: UserRecord;
  readonly explicitHashKey: string | undefined;
  readonly partitionKeyIndex: number;
  readonly partitionKeyIsNew: boolean;
  readonly partitionKeyBytes: number;
  readonly explicitHashKeyIndex: number;
  readonly explicitHashKeyIsNew: boolean;
  readonly recordBodyBytes: number;
  /** The protobuf message size once the record is added. */
  readonly messageBytes: number;
}

interface PackedRecord {
  readonly partitionKeyIndex: number;
  /** -1 when the record has no explicit hash key. */
  readonly explicitHashKeyIndex: number;
  readonly data: Uint8Array;
  readonly bodyBytes: number;
}

/** Size limits a record must respect to join an aggregate that already holds records. */
export interface AggregationLimits {
  /**
   * The largest aggregate, framing (magic and MD5) included, outer partition key excluded: the KPL's
   * `AggregationMaxSize`. @defaultValue 51200
   */
  readonly maxAggregateSizeBytes: number;
  /** The stream's record size limit (data plus outer partition key). @defaultValue 1048576 */
  readonly maxRecordSizeBytes: number;
  /** The most user records in one aggregate. @defaultValue Infinity */
  readonly maxUserRecords?: number;
}

/**
 * Packs user records into one KPL aggregated record, knowing the exact encoded size before each
 * record is added. Keys are de-duplicated into the aggregate's tables.
 *
 * All records in one builder must route to the same shard: the KCL drops an aggregate whose records
 * fall outside the shard that received it. The producer keeps one builder per predicted shard.
 */
export class AggregatedRecordBuilder {
  private readonly partitionKeys: string[] = [];
  private readonly partitionKeyBytes: number[] = [];
  private readonly partitionKeyLookup = new Map<string, number>();
  private readonly explicitHashKeys: string[] = [];
  private readonly explicitHashKeyLookup = new Map<string, number>();
  private readonly records: PackedRecord[] = [];
  private firstRecord: UserRecord | undefined;
  private firstHashKey: bigint | undefined;
  private messageBytes = 0;

  /** The number of user records added. */
  get count(): number {
    return this.records.length;
  }

  /**
   * The exact size of the data of the entry `build()` would return: 0 when empty, the raw payload for
   * one record, the framed aggregate for two or more.
   */
  get dataSizeBytes(): number {
    if (this.records.length === 0) return 0;
    if (this.records.length === 1) return this.records[0]!.data.byteLength;
    return AGGREGATION_OVERHEAD_BYTES + this.messageBytes;
  }

  /** The size Kinesis counts for the entry `build()` would return: data plus its partition key's UTF-8 bytes. */
  get entrySizeBytes(): number {
    if (this.records.length === 0) return 0;
    if (this.records.length === 1) return this.records[0]!.data.byteLength + this.partitionKeyBytes[0]!;
    return AGGREGATION_OVERHEAD_BYTES + this.messageBytes + AGGREGATE_PARTITION_KEY.length;
  }

  /** The exact size of `encode()`'s output: the framed aggregate, even for a single record. */
  get aggregatedSizeBytes(): number {
    return this.records.length === 0 ? 0 : AGGREGATION_OVERHEAD_BYTES + this.messageBytes;
  }

  /**
   * The exact size `encode()`'s output would have once `record` is added (the builder is unchanged).
   * @throws ValidationError when the partition key or explicit hash key is invalid.
   */
  aggregatedSizeWith(record: UserRecord): number {
    return AGGREGATION_OVERHEAD_BYTES + this.measure(record).messageBytes;
  }

  /**
   * Adds a record.
   * @param hashKey the record's effective hash key, when the caller already knows it (saves an MD5
   *   for the first record of the aggregate).
   * @throws ValidationError when the partition key or explicit hash key is invalid.
   */
  add(record: UserRecord, hashKey?: bigint): void {
    this.commit(this.measure(record), hashKey);
  }

  /**
   * Adds a record if the resulting entry stays within `limits`; an empty builder always takes the
   * record (it will be sent raw, alone, as the KPL does with records larger than the aggregate limit).
   * @returns whether the record was added.
   */
  tryAdd(record: UserRecord, limits: AggregationLimits, hashKey?: bigint): boolean {
    const measurement = this.measure(record);
    if (this.records.length > 0) {
      const aggregateBytes = AGGREGATION_OVERHEAD_BYTES + measurement.messageBytes;
      if (aggregateBytes > limits.maxAggregateSizeBytes) return false;
      if (aggregateBytes + AGGREGATE_PARTITION_KEY.length > limits.maxRecordSizeBytes) return false;
      if (this.records.length + 1 > (limits.maxUserRecords ?? Number.POSITIVE_INFINITY)) return false;
    }
    this.commit(measurement, hashKey);
    return true;
  }

  /**
   * The `PutRecords` entry for the records added, by the KPL's rule: a single record goes raw with its
   * own partition key; two or more become an aggregate with partition key `"a"`. Either way the
   * explicit hash key is the (first) record's effective hash key.
   * @throws KinesisTsError (`EMPTY_AGGREGATE`) when no record was added.
   */
  build(): PutRecordsEntry {
    const first = this.requireFirst();
    this.firstHashKey ??= effectiveHashKey(first.partitionKey, this.explicitHashKeyOf(0));
    const hashKey = this.firstHashKey;
    if (this.records.length === 1) {
      return {
        partitionKey: first.partitionKey,
        explicitHashKey: hashKey.toString(),
        data: first.data,
        aggregated: false,
        userRecordCount: 1,
      };
    }
    return {
      partitionKey: AGGREGATE_PARTITION_KEY,
      explicitHashKey: hashKey.toString(),
      data: this.encode(),
      aggregated: true,
      userRecordCount: this.records.length,
    };
  }

  /**
   * Encodes the records as a KPL aggregate (magic, protobuf, MD5), even when there is only one.
   * @throws KinesisTsError (`EMPTY_AGGREGATE`) when no record was added.
   */
  encode(): Uint8Array {
    this.requireFirst();
    const out = Buffer.allocUnsafe(AGGREGATION_OVERHEAD_BYTES + this.messageBytes);
    out.set(AGGREGATION_MAGIC, 0);
    let at = AGGREGATION_MAGIC.length;
    for (let i = 0; i < this.partitionKeys.length; i++) {
      out[at++] = Tag.PARTITION_KEY_TABLE;
      at = writeVarint(out, at, this.partitionKeyBytes[i]!);
      at += out.write(this.partitionKeys[i]!, at, 'utf8');
    }
    for (const key of this.explicitHashKeys) {
      out[at++] = Tag.EXPLICIT_HASH_KEY_TABLE;
      at = writeVarint(out, at, key.length);
      at += out.write(key, at, 'latin1');
    }
    for (const record of this.records) {
      out[at++] = Tag.RECORDS;
      at = writeVarint(out, at, record.bodyBytes);
      out[at++] = Tag.PARTITION_KEY_INDEX;
      at = writeVarint(out, at, record.partitionKeyIndex);
      if (record.explicitHashKeyIndex >= 0) {
        out[at++] = Tag.EXPLICIT_HASH_KEY_INDEX;
        at = writeVarint(out, at, record.explicitHashKeyIndex);
      }
      out[at++] = Tag.DATA;
      at = writeVarint(out, at, record.data.byteLength);
      out.set(record.data, at);
      at += record.data.byteLength;
    }
    const digest = createHash('md5').update(out.subarray(AGGREGATION_MAGIC.length, at)).digest();
    out.set(digest, at);
    return out;
  }

  /** Empties the builder so it can pack the next aggregate. */
  reset(): void {
    this.partitionKeys.length = 0;
    this.partitionKeyBytes.length = 0;
    this.partitionKeyLookup.clear();
    this.explicitHashKeys.length = 0;
    this.explicitHashKeyLookup.clear();
    this.records.length = 0;
    this.firstRecord = undefined;
    this.firstHashKey = undefined;
    this.messageBytes = 0;
  }

  private measure(record: UserRecord): Measurement {
    validatePartitionKey(record.partitionKey);
    if (!(record.data instanceof Uint8Array)) {
      throw new ValidationError(
        'data',
        'a Uint8Array (or Buffer)',
        `got ${typeof record.data}`,
        'INVALID_DATA',
      );
    }
    const explicitHashKey =
      record.explicitHashKey === undefined ? undefined : validateExplicitHashKey(record.explicitHashKey);
    let messageBytes = this.messageBytes;

    const knownPartitionKey = this.partitionKeyLookup.get(record.partitionKey);
    const partitionKeyIndex = knownPartitionKey ?? this.partitionKeys.length;
    const partitionKeyBytes =
      knownPartitionKey === undefined
        ? Buffer.byteLength(record.partitionKey, 'utf8')
        : this.partitionKeyBytes[knownPartitionKey]!;
    if (knownPartitionKey === undefined) messageBytes += lengthDelimitedFieldSize(partitionKeyBytes);

    let explicitHashKeyIndex = -1;
    let explicitHashKeyIsNew = false;
    let recordBodyBytes = 1 + varintSize(partitionKeyIndex);
    if (explicitHashKey !== undefined) {
      const known = this.explicitHashKeyLookup.get(explicitHashKey);
      explicitHashKeyIsNew = known === undefined;
      explicitHashKeyIndex = known ?? this.explicitHashKeys.length;
      if (explicitHashKeyIsNew) messageBytes += lengthDelimitedFieldSize(explicitHashKey.length);
      recordBodyBytes += 1 + varintSize(explicitHashKeyIndex);
    }
    recordBodyBytes += lengthDelimitedFieldSize(record.data.byteLength);
    messageBytes += lengthDelimitedFieldSize(recordBodyBytes);

    return {
      record,
      explicitHashKey,
      partitionKeyIndex,
      partitionKeyIsNew: knownPartitionKey === undefined,
      partitionKeyBytes,
      explicitHashKeyIndex,
      explicitHashKeyIsNew,
      recordBodyBytes,
      messageBytes,
    };
  }

  private commit(m: Measurement, hashKey: bigint | undefined): void {
    if (m.partitionKeyIsNew) {
      this.partitionKeyLookup.set(m.record.partitionKey, this.partitionKeys.length);
      this.partitionKeys.push(m.record.partitionKey);
      this.partitionKeyBytes.push(m.partitionKeyBytes);
    }
    if (m.explicitHashKeyIsNew && m.explicitHashKey !== undefined) {
      this.explicitHashKeyLookup.set(m.explicitHashKey, this.explicitHashKeys.length);
      this.explicitHashKeys.push(m.explicitHashKey);
    }
    if (this.records.length === 0) {
      this.firstRecord = m.record;
      this.firstHashKey = hashKey;
    }
    this.records.push({
      partitionKeyIndex: m.partitionKeyIndex,
      explicitHashKeyIndex: m.explicitHashKeyIndex,
      data: m.record.data,
      bodyBytes: m.recordBodyBytes,
    });
    this.messageBytes = m.messageBytes;
  }

  private explicitHashKeyOf(recordIndex: number): string | undefined {
    const index = this.records[recordIndex]?.explicitHashKeyIndex ?? -1;
    return index >= 0 ? this.explicitHashKeys[index] : undefined;
  }

  private requireFirst(): UserRecord {
    if (this.firstRecord === undefined) {
      throw new KinesisTsError('An aggregated record needs at least one user record', {
        code: 'EMPTY_AGGREGATE',
      });
    }
    return this.firstRecord;
  }
}

function writeVarint(out: Buffer, at: number, value: number): number {
  let position = at;
  let rest = value;
  while (rest >= 0x80) {
    out[position++] = (rest & 0x7f) | 0x80;
    rest = Math.floor(rest / 128);
  }
  out[position++] = rest;
  return position;
}

/**
 * Encodes user records as one KPL aggregated record: magic `F3 89 9A C2`, the proto2
 * `AggregatedRecord` (keys de-duplicated, required fields always written), then the MD5 of the
 * protobuf bytes. The caller is responsible for routing: the KCL drops an aggregate any of whose
 * records falls outside the shard it was read from.
 * @throws KinesisTsError (`EMPTY_AGGREGATE`) on an empty list; ValidationError on an invalid key.
 */
export function encodeAggregatedRecord(records: readonly UserRecord[]): Uint8Array {
  const builder = new AggregatedRecordBuilder();
  for (const record of records) builder.add(record);
  return builder.encode();
}
