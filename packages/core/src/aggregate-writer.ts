/**
 * Writes a KPL aggregate (magic, protobuf `AggregatedRecord`, MD5) in one pass into one buffer of the
 * exact size. Shared by `encodeAggregatedRecord` and `AggregatedRecordBuilder#encode`.
 *
 * Where the time goes: the MD5 of the protobuf bytes is the floor; on top of it, every call into the
 * runtime per key costs about as much as hashing 100 bytes. So a key table whose keys are all ASCII is
 * kept as one string of one-byte characters (tag, length, key, tag, length, key…) and written with a
 * single `latin1` write, instead of one UTF-8 write per key.
 */
import { createHash } from 'node:crypto';
import {
  AGGREGATION_DIGEST_BYTES,
  AGGREGATION_MAGIC,
  AGGREGATION_OVERHEAD_BYTES,
  Tag,
} from './aggregation-format.js';
import { CoreErrorCode, ValidationError } from './errors.js';

/** What `writeAggregate` needs: the tables, then one entry per record in parallel arrays. */
export interface AggregateParts {
  /** The size of the protobuf message, in bytes (the output is this plus the magic and the MD5). */
  readonly messageBytes: number;
  /** The partition key table, in index order. */
  readonly partitionKeys: readonly string[];
  /**
   * The whole partition key table as one string of one-byte characters (see {@link tableEntryHead}),
   * when every key is ASCII; otherwise `undefined`, and the keys are written one by one as UTF-8.
   */
  readonly partitionKeyTable: string | undefined;
  /** The UTF-8 size of each partition key; read only when `partitionKeyTable` is `undefined`. */
  readonly partitionKeyBytes: readonly number[] | undefined;
  /** The explicit hash key table, as one string of one-byte characters (the keys are decimal digits). */
  readonly explicitHashKeyTable: string;
  /** How many records: the first `recordCount` elements of the three arrays below are theirs. */
  readonly recordCount: number;
  /** Each record's data. */
  readonly data: readonly (Uint8Array | undefined)[];
  /** Each record's index into the partition key table. */
  readonly partitionKeyIndexes: readonly number[];
  /** Each record's index into the explicit hash key table, -1 for none; `undefined` when no record has one. */
  readonly explicitHashKeyIndexes: readonly number[] | undefined;
}

const HEADS_BY_TAG = new Map<number, readonly string[]>(
  [Tag.PARTITION_KEY_TABLE, Tag.EXPLICIT_HASH_KEY_TABLE].map((tag) => [
    tag,
    Array.from({ length: 0x80 }, (_, length) => String.fromCharCode(tag, length)),
  ]),
);
const PARTITION_KEY_HEADS = HEADS_BY_TAG.get(Tag.PARTITION_KEY_TABLE)!;
const EXPLICIT_HASH_KEY_HEADS = HEADS_BY_TAG.get(Tag.EXPLICIT_HASH_KEY_TABLE)!;

/**
 * The tag and length varint of a partition key table entry whose key is `length` ASCII characters, as
 * a string of one-byte characters (written as `latin1`, each character is one byte).
 */
export function partitionKeyEntryHead(length: number): string {
  return length < 0x80 ? PARTITION_KEY_HEADS[length]! : longEntryHead(Tag.PARTITION_KEY_TABLE, length);
}

/** As {@link partitionKeyEntryHead}, for the explicit hash key table. */
export function explicitHashKeyEntryHead(length: number): string {
  return length < 0x80
    ? EXPLICIT_HASH_KEY_HEADS[length]!
    : longEntryHead(Tag.EXPLICIT_HASH_KEY_TABLE, length);
}

function longEntryHead(tag: number, length: number): string {
  let head = String.fromCharCode(tag);
  let rest = length;
  while (rest >= 0x80) {
    head += String.fromCharCode((rest & 0x7f) | 0x80);
    rest = Math.floor(rest / 128);
  }
  return head + String.fromCharCode(rest);
}

/**
 * How many characters of a table string built with {@link partitionKeyEntryHead} are at or above
 * 0x80 for a key of `length` characters: the varint's continuation bytes (0 below 128 characters).
 */
export function entryHeadHighCharacters(length: number): number {
  let count = 0;
  for (let rest = length; rest >= 0x80; rest = Math.floor(rest / 128)) count++;
  return count;
}

/** Writes the aggregate described by `parts` into a new buffer of exactly its size. */
export function writeAggregate(parts: AggregateParts): Buffer {
  const size = AGGREGATION_OVERHEAD_BYTES + parts.messageBytes;
  const out = Buffer.allocUnsafe(size);
  let at = writeHead(
    out,
    parts.partitionKeys,
    parts.partitionKeyTable,
    parts.partitionKeyBytes,
    parts.explicitHashKeyTable,
  );
  const data = parts.data;
  const partitionKeyIndexes = parts.partitionKeyIndexes;
  const explicitHashKeyIndexes = parts.explicitHashKeyIndexes;
  for (let i = 0; i < parts.recordCount; i++) {
    const recordData = data[i]!;
    at = writeRecord(
      out,
      at,
      recordData,
      recordData.byteLength,
      partitionKeyIndexes[i]!,
      explicitHashKeyIndexes === undefined ? -1 : explicitHashKeyIndexes[i]!,
    );
  }
  return seal(out, at);
}

/**
 * Writes the magic and both key tables at the start of `out`.
 * @param partitionKeyTable the whole partition key table as one string of one-byte characters when
 *   every key is ASCII, else `undefined` (then each key is written as UTF-8, `partitionKeyBytes` long).
 * @returns where the records start.
 */
export function writeHead(
  out: Buffer,
  partitionKeys: readonly string[],
  partitionKeyTable: string | undefined,
  partitionKeyBytes: readonly number[] | undefined,
  explicitHashKeyTable: string,
): number {
  out.set(AGGREGATION_MAGIC, 0);
  let at = AGGREGATION_MAGIC.length;
  if (partitionKeyTable !== undefined) {
    at += out.write(partitionKeyTable, at, 'latin1');
  } else {
    for (let i = 0; i < partitionKeys.length; i++) {
      out[at++] = Tag.PARTITION_KEY_TABLE;
      at = writeVarint(out, at, partitionKeyBytes![i]!);
      at += out.write(partitionKeys[i]!, at, 'utf8');
    }
  }
  if (explicitHashKeyTable.length > 0) at += out.write(explicitHashKeyTable, at, 'latin1');
  return at;
}

/**
 * The bytes a record takes in the message, its tag and length included.
 * @param explicitHashKeyIndex -1 for none.
 */
export function recordFieldBytes(dataBytes: number, keyIndex: number, explicitHashKeyIndex: number): number {
  let bodyBytes = 2 + varintBytes(keyIndex) + varintBytes(dataBytes) + dataBytes;
  if (explicitHashKeyIndex >= 0) bodyBytes += 1 + varintBytes(explicitHashKeyIndex);
  return 1 + varintBytes(bodyBytes) + bodyBytes;
}

/**
 * Writes one `records` entry at `at`; `out` must have room for {@link recordFieldBytes}.
 * @param length `data.byteLength`, which the caller has already read to size the entry (reading a
 *   typed array's length is not free: once per record, not twice).
 * @param explicitHashKeyIndex -1 for none.
 * @returns the position after it.
 */
export function writeRecord(
  out: Buffer,
  at: number,
  data: Uint8Array,
  length: number,
  keyIndex: number,
  explicitHashKeyIndex: number,
): number {
  let bodyBytes = 2 + varintBytes(keyIndex) + varintBytes(length) + length;
  if (explicitHashKeyIndex >= 0) bodyBytes += 1 + varintBytes(explicitHashKeyIndex);
  let position = at;
  out[position++] = Tag.RECORDS;
  if (bodyBytes < 0x80) out[position++] = bodyBytes;
  else position = writeVarint(out, position, bodyBytes);
  out[position++] = Tag.PARTITION_KEY_INDEX;
  if (keyIndex < 0x80) out[position++] = keyIndex;
  else position = writeVarint(out, position, keyIndex);
  if (explicitHashKeyIndex >= 0) {
    out[position++] = Tag.EXPLICIT_HASH_KEY_INDEX;
    position = writeVarint(out, position, explicitHashKeyIndex);
  }
  out[position++] = Tag.DATA;
  if (length < 0x80) out[position++] = length;
  else position = writeVarint(out, position, length);
  out.set(data, position);
  return position + length;
}

/**
 * Appends the MD5 of the message (from the magic to `at`) and returns `out`, after checking that the
 * message filled `out` exactly.
 */
export function seal(out: Buffer, at: number): Buffer {
  if (at !== out.length - AGGREGATION_DIGEST_BYTES) {
    // The sizes were worked out from the same records when they were added: only data whose
    // length changed since (a view over a resized or transferred buffer) gets here. Refuse rather
    // than send uninitialised bytes.
    throw new ValidationError(
      'data',
      'the length it had when the record was added',
      `the aggregate's message now takes ${at - AGGREGATION_MAGIC.length} bytes instead of ${out.length - AGGREGATION_OVERHEAD_BYTES}`,
      CoreErrorCode.INVALID_DATA,
    );
  }
  out.set(createHash('md5').update(out.subarray(AGGREGATION_MAGIC.length, at)).digest(), at);
  return out;
}

/** The number of bytes a non-negative integer below 2^28 takes as a varint (indexes and lengths in one aggregate). */
function varintBytes(value: number): number {
  return value < 0x80 ? 1 : value < 0x4000 ? 2 : value < 0x200000 ? 3 : value < 0x10000000 ? 4 : 5;
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
