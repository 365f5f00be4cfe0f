import {
  entryHeadHighCharacters,
  explicitHashKeyEntryHead,
  partitionKeyEntryHead,
  recordFieldBytes,
  seal,
  writeHead,
  writeRecord,
} from './aggregate-writer.js';
import { AGGREGATION_OVERHEAD_BYTES, lengthDelimitedFieldSize } from './aggregation-format.js';
import { CoreErrorCode, KinesisTsError, ValidationError } from './errors.js';
import { PartitionKeyIndex } from './partition-key-index.js';
import type { UserRecord } from './record.js';
import { validateExplicitHashKey, validatePartitionKey } from './validation.js';

/**
 * Where `encodeAggregatedRecord` writes the records while it reads them (the key tables, which come
 * first in the format, are only known at the end); reused from call to call, so the small copies
 * land in memory the cache holds. Kept up to {@link SCRATCH_KEPT_BYTES}. Taken while in use, so that a
 * call made from inside another (from a getter of a record) gets a buffer of its own.
 */
let scratch: Buffer = Buffer.allocUnsafe(0);
const NO_SCRATCH = scratch;
const SCRATCH_KEPT_BYTES = 1024 * 1024;

/**
 * Encodes user records as one KPL aggregated record: magic `F3 89 9A C2`, the proto2
 * `AggregatedRecord` (keys de-duplicated, required fields always written), then the MD5 of the
 * protobuf bytes. The caller is responsible for routing: the KCL drops an aggregate any of whose
 * records falls outside the shard it was read from.
 * @throws KinesisTsError (`EMPTY_AGGREGATE`) on an empty list; ValidationError on an invalid key.
 */
export function encodeAggregatedRecord(records: readonly UserRecord[]): Uint8Array {
  // The same bytes as `AggregatedRecordBuilder#encode` after `add`ing each record, in one pass
  // without the builder's per-record bookkeeping: the records go to the scratch buffer as they are
  // read, the key tables are built as strings (see aggregate-writer.ts), and the partition keys' UTF-8
  // size comes from one `Buffer.byteLength` over the whole table when it is ASCII.
  const count = records.length;
  if (count === 0) throw emptyAggregateError();
  const partitionKeys: string[] = [];
  const partitionKeyIndex = new PartitionKeyIndex(partitionKeys, count);
  try {
    return encode(records, partitionKeys, partitionKeyIndex);
  } finally {
    partitionKeyIndex.release();
  }
}

function encode(
  records: readonly UserRecord[],
  partitionKeys: string[],
  partitionKeyIndex: PartitionKeyIndex,
): Buffer {
  const count = records.length;
  let partitionKeyTable = '';
  let tableHighCharacters = 0;
  let firstCharacters = 0;
  let explicitHashKeyLookup: Map<string, number> | undefined;
  let explicitHashKeyCount = 0;
  let explicitHashKeyTable = '';
  let out = scratch;
  scratch = NO_SCRATCH;
  let at = 0;
  for (let i = 0; i < count; i++) {
    const record = records[i]!;
    const partitionKey = record.partitionKey;
    if (typeof partitionKey !== 'string') validatePartitionKey(partitionKey);
    let keyIndex = partitionKeyIndex.find(partitionKey);
    if (keyIndex < 0) {
      validatePartitionKey(partitionKey);
      // Reading a character also flattens a key built by concatenation (V8 keeps it as a tree of
      // pieces until then), once, in place: the lookups and the table copy then read it whole.
      firstCharacters |= partitionKey.charCodeAt(0);
      keyIndex = partitionKeys.length;
      partitionKeys.push(partitionKey);
      partitionKeyIndex.added(partitionKey);
      partitionKeyTable += partitionKeyEntryHead(partitionKey.length) + partitionKey;
      if (partitionKey.length >= 0x80) tableHighCharacters += entryHeadHighCharacters(partitionKey.length);
    }
    const data = record.data;
    if (!(data instanceof Uint8Array)) throw invalidDataError(data);
    let explicitHashKeyIndex = -1;
    if (record.explicitHashKey !== undefined) {
      const explicitHashKey = validateExplicitHashKey(record.explicitHashKey);
      explicitHashKeyLookup ??= new Map();
      const known = explicitHashKeyLookup.get(explicitHashKey);
      if (known === undefined) {
        explicitHashKeyIndex = explicitHashKeyCount++;
        explicitHashKeyLookup.set(explicitHashKey, explicitHashKeyIndex);
        explicitHashKeyTable += explicitHashKeyEntryHead(explicitHashKey.length) + explicitHashKey;
      } else {
        explicitHashKeyIndex = known;
      }
    }
    const dataBytes = data.byteLength;
    const recordBytes = recordFieldBytes(dataBytes, keyIndex, explicitHashKeyIndex);
    if (at + recordBytes > out.length) out = grow(out, at, at + recordBytes);
    at = writeRecord(out, at, data, dataBytes, keyIndex, explicitHashKeyIndex);
  }

  // An ASCII table takes one byte per character, but for the characters ≥ 0x80 of long keys' length
  // varints (two UTF-8 bytes each): any other difference means a key is not ASCII.
  const tableIsAscii =
    firstCharacters < 0x80 &&
    Buffer.byteLength(partitionKeyTable, 'utf8') === partitionKeyTable.length + tableHighCharacters;
  let partitionKeyBytes: number[] | undefined;
  let tableBytes = partitionKeyTable.length;
  if (!tableIsAscii) {
    partitionKeyBytes = partitionKeys.map((key) => Buffer.byteLength(key, 'utf8'));
    tableBytes = 0;
    for (const bytes of partitionKeyBytes) tableBytes += lengthDelimitedFieldSize(bytes);
  }
  const aggregate = Buffer.allocUnsafe(
    AGGREGATION_OVERHEAD_BYTES + tableBytes + explicitHashKeyTable.length + at,
  );
  const recordsAt = writeHead(
    aggregate,
    partitionKeys,
    tableIsAscii ? partitionKeyTable : undefined,
    partitionKeyBytes,
    explicitHashKeyTable,
  );
  aggregate.set(out.subarray(0, at), recordsAt);
  if (out.length <= SCRATCH_KEPT_BYTES) scratch = out;
  return seal(aggregate, recordsAt + at);
}

/** A larger scratch buffer holding the first `used` bytes of `buffer`. */
function grow(buffer: Buffer, used: number, needed: number): Buffer {
  const larger = Buffer.allocUnsafe(Math.max(needed, 2 * buffer.length, 64 * 1024));
  larger.set(buffer.subarray(0, used), 0);
  return larger;
}

/** The error for an aggregate of no records. */
export function emptyAggregateError(): KinesisTsError {
  return new KinesisTsError('An aggregated record needs at least one user record', {
    code: CoreErrorCode.EMPTY_AGGREGATE,
  });
}

/** The error for a record whose data is not bytes. */
export function invalidDataError(data: unknown): ValidationError {
  return new ValidationError(
    'data',
    'a Uint8Array (or Buffer)',
    `got ${typeof data}`,
    CoreErrorCode.INVALID_DATA,
  );
}
