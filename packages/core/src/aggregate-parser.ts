import protobuf from 'protobufjs/minimal.js';
import { Tag } from './aggregation-format.js';

/** A record of an `AggregatedRecord` message, as read from the wire. */
export interface ParsedRecord {
  /** The partition key index, cut to a signed 32-bit integer as the KCL's `(int)` cast does. */
  readonly partitionKeyIndex: number;
  /** The explicit hash key index (same cut), or -1 when the field is absent. */
  readonly explicitHashKeyIndex: number;
  readonly data: Uint8Array;
}

/** An `AggregatedRecord` message, as read from the wire. */
export interface ParsedAggregate {
  readonly partitionKeys: string[];
  readonly explicitHashKeys: string[];
  readonly records: ParsedRecord[];
}

const END_GROUP = 4;

/**
 * Parses the protobuf part of a KPL aggregate with proto2 semantics, as the KCL's generated Java
 * parser does: unknown fields (and known fields with another wire type) are skipped, a message that
 * lacks a required field (`Record.partition_key_index`, `Record.data`, `Tag.key`) is invalid, and so
 * is a truncated one. Strings are decoded as UTF-8 with replacement characters; `data` are views into
 * `message`, not copies.
 * @returns the parsed message, or `undefined` when it is not a valid `AggregatedRecord`.
 */
export function parseAggregatedRecordMessage(message: Buffer): ParsedAggregate | undefined {
  try {
    return readAggregatedRecord(protobuf.Reader.create(message));
  } catch {
    return undefined;
  }
}

function readAggregatedRecord(reader: protobuf.Reader): ParsedAggregate {
  const aggregate: ParsedAggregate = { partitionKeys: [], explicitHashKeys: [], records: [] };
  while (reader.pos < reader.len) {
    const tag = readTag(reader);
    if (tag === Tag.PARTITION_KEY_TABLE) aggregate.partitionKeys.push(readString(reader));
    else if (tag === Tag.EXPLICIT_HASH_KEY_TABLE) aggregate.explicitHashKeys.push(readString(reader));
    else if (tag === Tag.RECORDS) aggregate.records.push(readRecord(reader));
    else reader.skipType(tag & 7);
  }
  return aggregate;
}

function readRecord(reader: protobuf.Reader): ParsedRecord {
  const end = messageEnd(reader);
  let partitionKeyIndex: number | undefined;
  let explicitHashKeyIndex = -1;
  let data: Uint8Array | undefined;
  while (reader.pos < end) {
    const tag = readTag(reader);
    if (tag === Tag.PARTITION_KEY_INDEX) partitionKeyIndex = reader.int32();
    else if (tag === Tag.EXPLICIT_HASH_KEY_INDEX) explicitHashKeyIndex = reader.int32();
    else if (tag === Tag.DATA) data = reader.bytes();
    else if (tag === Tag.TAGS) readTagMessage(reader);
    else reader.skipType(tag & 7);
  }
  if (reader.pos !== end) throw new RangeError('Record overruns its length');
  if (partitionKeyIndex === undefined || data === undefined)
    throw new RangeError('Record misses a required field');
  return { partitionKeyIndex, explicitHashKeyIndex, data };
}

/** Reads a `Tag { required string key = 1; optional string value = 2; }` only to check it is valid. */
function readTagMessage(reader: protobuf.Reader): void {
  const end = messageEnd(reader);
  let hasKey = false;
  while (reader.pos < end) {
    const tag = readTag(reader);
    if (tag === 0x0a) {
      reader.skipType(2);
      hasKey = true;
    } else {
      reader.skipType(tag & 7);
    }
  }
  if (reader.pos !== end || !hasKey) throw new RangeError('Invalid Tag message');
}

/** Reads a length-delimited UTF-8 string; unlike `Reader.string`, refuses one that overruns the buffer. */
function readString(reader: protobuf.Reader): string {
  const end = messageEnd(reader);
  const start = reader.pos;
  reader.pos = end;
  return (reader.buf as Buffer).toString('utf8', start, end);
}

function readTag(reader: protobuf.Reader): number {
  const tag = reader.uint32();
  if (tag >>> 3 === 0 || (tag & 7) === END_GROUP) throw new RangeError(`Invalid protobuf tag ${tag}`);
  return tag;
}

function messageEnd(reader: protobuf.Reader): number {
  const length = reader.uint32();
  const end = reader.pos + length;
  if (end > reader.len) throw new RangeError('Embedded message overruns the buffer');
  return end;
}
