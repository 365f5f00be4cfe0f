import { explicitHashKeyEntryHead, partitionKeyEntryHead, writeAggregate } from './aggregate-writer.js';
import {
  AGGREGATE_PARTITION_KEY,
  AGGREGATION_OVERHEAD_BYTES,
  lengthDelimitedFieldSize,
  varintSize,
} from './aggregation-format.js';
import { emptyAggregateError, invalidDataError } from './encode-aggregated-record.js';
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

/** Size limits a record must respect to join an aggregate that already holds records. */
export interface AggregationLimits {
  /**
   * The largest aggregate, framing (magic and MD5) included, outer partition key excluded: the KPL's
   * `AggregationMaxSize`, in bytes (the producer passes 51200 by default). Required.
   */
  readonly maxAggregateSizeBytes: number;
  /** The stream's record size limit (data plus outer partition key), in bytes (1048576 unless the stream was raised). Required. */
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
  // The key tables as strings of one-byte characters, written with one call each (aggregate-writer.ts);
  // the partition key table only while every key is ASCII.
  private partitionKeyTable = '';
  private partitionKeysAreAscii = true;
  private explicitHashKeyTable = '';
  // One entry per record, in parallel arrays: no object per record. Only the first `recordCount`
  // entries are this aggregate's: the arrays keep their room from one aggregate to the next (a
  // reused builder would otherwise grow three arrays again for every aggregate).
  private recordCount = 0;
  private readonly recordData: (Uint8Array | undefined)[] = [];
  private readonly recordPartitionKeyIndexes: number[] = [];
  /** -1 for a record without an explicit hash key. */
  private readonly recordExplicitHashKeyIndexes: number[] = [];
  private firstRecord: UserRecord | undefined;
  private firstHashKey: bigint | undefined;
  private messageBytes = 0;

  // What `measure` worked out for the record about to be committed (kept in fields, not an object).
  private measuredExplicitHashKey: string | undefined;
  private measuredPartitionKeyIndex = 0;
  private measuredPartitionKeyIsNew = false;
  private measuredPartitionKeyBytes = 0;
  private measuredExplicitHashKeyIndex = -1;
  private measuredExplicitHashKeyIsNew = false;
  private measuredMessageBytes = 0;

  /**
   * @param options.recordsAreValidated skip checking keys and data on each add: for callers that
   *   validated every record already (`validateUserRecord`) and pass explicit hash keys in canonical
   *   decimal form. @defaultValue false
   */
  constructor(private readonly options: { readonly recordsAreValidated?: boolean } = {}) {}

  /** The number of user records added. */
  get count(): number {
    return this.recordCount;
  }

  /**
   * The exact size of the data of the entry `build()` would return: 0 when empty, the raw payload for
   * one record, the framed aggregate for two or more.
   */
  get dataSizeBytes(): number {
    const count = this.recordCount;
    if (count === 0) return 0;
    if (count === 1) return this.recordData[0]!.byteLength;
    return AGGREGATION_OVERHEAD_BYTES + this.messageBytes;
  }

  /** The size Kinesis counts for the entry `build()` would return: data plus its partition key's UTF-8 bytes. */
  get entrySizeBytes(): number {
    const count = this.recordCount;
    if (count === 0) return 0;
    if (count === 1) return this.recordData[0]!.byteLength + this.partitionKeyBytes[0]!;
    return AGGREGATION_OVERHEAD_BYTES + this.messageBytes + AGGREGATE_PARTITION_KEY.length;
  }

  /** The exact size of `encode()`'s output: the framed aggregate, even for a single record. */
  get aggregatedSizeBytes(): number {
    return this.recordCount === 0 ? 0 : AGGREGATION_OVERHEAD_BYTES + this.messageBytes;
  }

  /**
   * The exact size `encode()`'s output would have once `record` is added (the builder is unchanged).
   * @throws ValidationError when the partition key, explicit hash key or data is invalid.
   */
  aggregatedSizeWith(record: UserRecord): number {
    return AGGREGATION_OVERHEAD_BYTES + this.measure(record);
  }

  /**
   * Adds a record.
   * @param hashKey the record's effective hash key, when the caller already knows it (saves an MD5
   *   for the first record of the aggregate).
   * @throws ValidationError when the partition key, explicit hash key or data is invalid.
   */
  add(record: UserRecord, hashKey?: bigint): void {
    this.measure(record);
    this.commit(record, hashKey);
  }

  /**
   * Adds a record if the resulting entry stays within `limits`; an empty builder always takes the
   * record (it will be sent raw, alone, as the KPL does with records larger than the aggregate limit).
   * @returns whether the record was added.
   * @throws ValidationError when the partition key, explicit hash key or data is invalid.
   */
  tryAdd(record: UserRecord, limits: AggregationLimits, hashKey?: bigint): boolean {
    const messageBytes = this.measure(record);
    const count = this.recordCount;
    if (count > 0) {
      const aggregateBytes = AGGREGATION_OVERHEAD_BYTES + messageBytes;
      if (aggregateBytes > limits.maxAggregateSizeBytes) return false;
      if (aggregateBytes + AGGREGATE_PARTITION_KEY.length > limits.maxRecordSizeBytes) return false;
      if (count + 1 > (limits.maxUserRecords ?? Number.POSITIVE_INFINITY)) return false;
    }
    this.commit(record, hashKey);
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
    const explicitHashKey = this.firstHashKey.toString();
    const count = this.recordCount;
    if (count === 1) {
      return {
        partitionKey: first.partitionKey,
        explicitHashKey,
        data: first.data,
        aggregated: false,
        userRecordCount: 1,
      };
    }
    return {
      partitionKey: AGGREGATE_PARTITION_KEY,
      explicitHashKey,
      data: this.encode(),
      aggregated: true,
      userRecordCount: count,
    };
  }

  /**
   * Encodes the records as a KPL aggregate (magic, protobuf, MD5), even when there is only one.
   * @throws KinesisTsError (`EMPTY_AGGREGATE`) when no record was added.
   */
  encode(): Uint8Array {
    this.requireFirst();
    return writeAggregate({
      messageBytes: this.messageBytes,
      partitionKeys: this.partitionKeys,
      partitionKeyTable: this.partitionKeysAreAscii ? this.partitionKeyTable : undefined,
      partitionKeyBytes: this.partitionKeyBytes,
      explicitHashKeyTable: this.explicitHashKeyTable,
      recordCount: this.recordCount,
      data: this.recordData,
      partitionKeyIndexes: this.recordPartitionKeyIndexes,
      explicitHashKeyIndexes:
        this.explicitHashKeys.length > 0 ? this.recordExplicitHashKeyIndexes : undefined,
    });
  }

  /** Empties the builder so it can pack the next aggregate. */
  reset(): void {
    this.partitionKeys.length = 0;
    this.partitionKeyBytes.length = 0;
    this.partitionKeyLookup.clear();
    this.explicitHashKeys.length = 0;
    this.explicitHashKeyLookup.clear();
    this.partitionKeyTable = '';
    this.partitionKeysAreAscii = true;
    this.explicitHashKeyTable = '';
    // The arrays keep their room; the data references go, so a kept builder holds no records' bytes.
    for (let i = 0; i < this.recordCount; i++) this.recordData[i] = undefined;
    this.recordCount = 0;
    this.firstRecord = undefined;
    this.firstHashKey = undefined;
    this.messageBytes = 0;
  }

  /** Works out what `record` would add to the message, into the `measured…` fields; returns the new message size. */
  private measure(record: UserRecord): number {
    const partitionKey = record.partitionKey;
    const known = this.partitionKeyLookup.get(partitionKey);
    let messageBytes = this.messageBytes;
    let partitionKeyBytes: number;
    const validate = this.options.recordsAreValidated !== true;
    if (known === undefined) {
      if (validate) validatePartitionKey(partitionKey);
      partitionKeyBytes = Buffer.byteLength(partitionKey, 'utf8');
      messageBytes += lengthDelimitedFieldSize(partitionKeyBytes);
      this.measuredPartitionKeyIndex = this.partitionKeys.length;
    } else {
      partitionKeyBytes = this.partitionKeyBytes[known]!;
      this.measuredPartitionKeyIndex = known;
    }
    this.measuredPartitionKeyIsNew = known === undefined;
    this.measuredPartitionKeyBytes = partitionKeyBytes;

    const data = record.data;
    if (validate && !(data instanceof Uint8Array)) {
      throw invalidDataError(data);
    }
    let bodyBytes =
      1 + varintSize(this.measuredPartitionKeyIndex) + lengthDelimitedFieldSize(data.byteLength);

    this.measuredExplicitHashKeyIndex = -1;
    this.measuredExplicitHashKeyIsNew = false;
    this.measuredExplicitHashKey = undefined;
    if (record.explicitHashKey !== undefined) {
      const explicitHashKey = validate
        ? validateExplicitHashKey(record.explicitHashKey)
        : (record.explicitHashKey as string);
      const knownKey = this.explicitHashKeyLookup.get(explicitHashKey);
      this.measuredExplicitHashKey = explicitHashKey;
      this.measuredExplicitHashKeyIsNew = knownKey === undefined;
      this.measuredExplicitHashKeyIndex = knownKey ?? this.explicitHashKeys.length;
      if (knownKey === undefined) messageBytes += lengthDelimitedFieldSize(explicitHashKey.length);
      bodyBytes += 1 + varintSize(this.measuredExplicitHashKeyIndex);
    }
    this.measuredMessageBytes = messageBytes + lengthDelimitedFieldSize(bodyBytes);
    return this.measuredMessageBytes;
  }

  /** Adds the record last passed to `measure`. */
  private commit(record: UserRecord, hashKey: bigint | undefined): void {
    if (this.measuredPartitionKeyIsNew) {
      const partitionKey = record.partitionKey;
      this.partitionKeyLookup.set(partitionKey, this.partitionKeys.length);
      this.partitionKeys.push(partitionKey);
      this.partitionKeyBytes.push(this.measuredPartitionKeyBytes);
      if (this.partitionKeysAreAscii) {
        if (this.measuredPartitionKeyBytes === partitionKey.length) {
          this.partitionKeyTable += partitionKeyEntryHead(partitionKey.length) + partitionKey;
        } else {
          this.partitionKeysAreAscii = false;
          this.partitionKeyTable = '';
        }
      }
    }
    const explicitHashKey = this.measuredExplicitHashKey;
    if (this.measuredExplicitHashKeyIsNew && explicitHashKey !== undefined) {
      this.explicitHashKeyLookup.set(explicitHashKey, this.explicitHashKeys.length);
      this.explicitHashKeys.push(explicitHashKey);
      this.explicitHashKeyTable += explicitHashKeyEntryHead(explicitHashKey.length) + explicitHashKey;
    }
    const index = this.recordCount;
    if (index === 0) {
      this.firstRecord = record;
      this.firstHashKey = hashKey;
    }
    this.recordData[index] = record.data;
    this.recordPartitionKeyIndexes[index] = this.measuredPartitionKeyIndex;
    this.recordExplicitHashKeyIndexes[index] = this.measuredExplicitHashKeyIndex;
    this.recordCount = index + 1;
    this.messageBytes = this.measuredMessageBytes;
  }

  private explicitHashKeyOf(recordIndex: number): string | undefined {
    const index = this.recordExplicitHashKeyIndexes[recordIndex] ?? -1;
    return index >= 0 ? this.explicitHashKeys[index] : undefined;
  }

  private requireFirst(): UserRecord {
    if (this.firstRecord === undefined) {
      throw emptyAggregateError();
    }
    return this.firstRecord;
  }
}

export { encodeAggregatedRecord } from './encode-aggregated-record.js';
