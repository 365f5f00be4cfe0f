/**
 * The aggregate encoder as it was before issue 16's rewrite (commit 1214a30), kept verbatim as the
 * reference the differential tests compare the current encoder against: the bytes must not change.
 * Test-only; not exported by the package.
 */
import { createHash } from 'node:crypto';
import type { AggregationLimits, PutRecordsEntry } from '../src/aggregated-record-builder.js';
import {
  AGGREGATE_PARTITION_KEY,
  AGGREGATION_MAGIC,
  AGGREGATION_OVERHEAD_BYTES,
  lengthDelimitedFieldSize,
  Tag,
  varintSize,
} from '../src/aggregation-format.js';
import { CoreErrorCode, KinesisTsError, ValidationError } from '../src/errors.js';
import { effectiveHashKey } from '../src/hash-key.js';
import type { UserRecord } from '../src/record.js';
import { validateExplicitHashKey, validatePartitionKey } from '../src/validation.js';

/**
 * Packs user records into one KPL aggregated record, knowing the exact encoded size before each
 * record is added. Keys are de-duplicated into the aggregate's tables.
 *
 * All records in one builder must route to the same shard: the KCL drops an aggregate whose records
 * fall outside the shard that received it. The producer keeps one builder per predicted shard.
 */
export class ReferenceAggregatedRecordBuilder {
  private readonly partitionKeys: string[] = [];
  private readonly partitionKeyBytes: number[] = [];
  private readonly partitionKeyLookup = new Map<string, number>();
  private readonly explicitHashKeys: string[] = [];
  private readonly explicitHashKeyLookup = new Map<string, number>();
  // One entry per record, in parallel arrays: no object per record.
  private readonly recordData: Uint8Array[] = [];
  private readonly recordPartitionKeyIndexes: number[] = [];
  /** -1 for a record without an explicit hash key. */
  private readonly recordExplicitHashKeyIndexes: number[] = [];
  private readonly recordBodyBytes: number[] = [];
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
  private measuredBodyBytes = 0;
  private measuredMessageBytes = 0;

  /**
   * @param options.recordsAreValidated skip checking keys and data on each add: for callers that
   *   validated every record already (`validateUserRecord`) and pass explicit hash keys in canonical
   *   decimal form. @defaultValue false
   */
  constructor(private readonly options: { readonly recordsAreValidated?: boolean } = {}) {}

  /** The number of user records added. */
  get count(): number {
    return this.recordData.length;
  }

  /**
   * The exact size of the data of the entry `build()` would return: 0 when empty, the raw payload for
   * one record, the framed aggregate for two or more.
   */
  get dataSizeBytes(): number {
    const count = this.recordData.length;
    if (count === 0) return 0;
    if (count === 1) return this.recordData[0]!.byteLength;
    return AGGREGATION_OVERHEAD_BYTES + this.messageBytes;
  }

  /** The size Kinesis counts for the entry `build()` would return: data plus its partition key's UTF-8 bytes. */
  get entrySizeBytes(): number {
    const count = this.recordData.length;
    if (count === 0) return 0;
    if (count === 1) return this.recordData[0]!.byteLength + this.partitionKeyBytes[0]!;
    return AGGREGATION_OVERHEAD_BYTES + this.messageBytes + AGGREGATE_PARTITION_KEY.length;
  }

  /** The exact size of `encode()`'s output: the framed aggregate, even for a single record. */
  get aggregatedSizeBytes(): number {
    return this.recordData.length === 0 ? 0 : AGGREGATION_OVERHEAD_BYTES + this.messageBytes;
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
    const count = this.recordData.length;
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
    const count = this.recordData.length;
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
    const out = Buffer.allocUnsafe(AGGREGATION_OVERHEAD_BYTES + this.messageBytes);
    out.set(AGGREGATION_MAGIC, 0);
    let at = AGGREGATION_MAGIC.length;
    const partitionKeys = this.partitionKeys;
    const partitionKeyBytes = this.partitionKeyBytes;
    for (let i = 0; i < partitionKeys.length; i++) {
      out[at++] = Tag.PARTITION_KEY_TABLE;
      at = writeVarint(out, at, partitionKeyBytes[i]!);
      at += out.write(partitionKeys[i]!, at, 'utf8');
    }
    for (const key of this.explicitHashKeys) {
      out[at++] = Tag.EXPLICIT_HASH_KEY_TABLE;
      at = writeVarint(out, at, key.length);
      at += out.write(key, at, 'latin1');
    }
    const data = this.recordData;
    const partitionKeyIndexes = this.recordPartitionKeyIndexes;
    const explicitHashKeyIndexes = this.recordExplicitHashKeyIndexes;
    const bodyBytes = this.recordBodyBytes;
    for (let i = 0; i < data.length; i++) {
      const recordData = data[i]!;
      out[at++] = Tag.RECORDS;
      at = writeVarint(out, at, bodyBytes[i]!);
      out[at++] = Tag.PARTITION_KEY_INDEX;
      at = writeVarint(out, at, partitionKeyIndexes[i]!);
      const explicitHashKeyIndex = explicitHashKeyIndexes[i]!;
      if (explicitHashKeyIndex >= 0) {
        out[at++] = Tag.EXPLICIT_HASH_KEY_INDEX;
        at = writeVarint(out, at, explicitHashKeyIndex);
      }
      const length = recordData.byteLength;
      out[at++] = Tag.DATA;
      at = writeVarint(out, at, length);
      out.set(recordData, at);
      at += length;
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
    this.recordData.length = 0;
    this.recordPartitionKeyIndexes.length = 0;
    this.recordExplicitHashKeyIndexes.length = 0;
    this.recordBodyBytes.length = 0;
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
      throw new ValidationError(
        'data',
        'a Uint8Array (or Buffer)',
        `got ${typeof data}`,
        CoreErrorCode.INVALID_DATA,
      );
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
    this.measuredBodyBytes = bodyBytes;
    this.measuredMessageBytes = messageBytes + lengthDelimitedFieldSize(bodyBytes);
    return this.measuredMessageBytes;
  }

  /** Adds the record last passed to `measure`. */
  private commit(record: UserRecord, hashKey: bigint | undefined): void {
    if (this.measuredPartitionKeyIsNew) {
      this.partitionKeyLookup.set(record.partitionKey, this.partitionKeys.length);
      this.partitionKeys.push(record.partitionKey);
      this.partitionKeyBytes.push(this.measuredPartitionKeyBytes);
    }
    if (this.measuredExplicitHashKeyIsNew && this.measuredExplicitHashKey !== undefined) {
      this.explicitHashKeyLookup.set(this.measuredExplicitHashKey, this.explicitHashKeys.length);
      this.explicitHashKeys.push(this.measuredExplicitHashKey);
    }
    if (this.recordData.length === 0) {
      this.firstRecord = record;
      this.firstHashKey = hashKey;
    }
    this.recordData.push(record.data);
    this.recordPartitionKeyIndexes.push(this.measuredPartitionKeyIndex);
    this.recordExplicitHashKeyIndexes.push(this.measuredExplicitHashKeyIndex);
    this.recordBodyBytes.push(this.measuredBodyBytes);
    this.messageBytes = this.measuredMessageBytes;
  }

  private explicitHashKeyOf(recordIndex: number): string | undefined {
    const index = this.recordExplicitHashKeyIndexes[recordIndex] ?? -1;
    return index >= 0 ? this.explicitHashKeys[index] : undefined;
  }

  private requireFirst(): UserRecord {
    if (this.firstRecord === undefined) {
      throw new KinesisTsError('An aggregated record needs at least one user record', {
        code: CoreErrorCode.EMPTY_AGGREGATE,
      });
    }
    return this.firstRecord;
  }
}

function writeVarint(out: Buffer, at: number, value: number): number {
  if (value < 0x80) {
    out[at] = value;
    return at + 1;
  }
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
export function referenceEncodeAggregatedRecord(records: readonly UserRecord[]): Uint8Array {
  const builder = new ReferenceAggregatedRecordBuilder();
  for (const record of records) builder.add(record);
  return builder.encode();
}
