import { Tag } from './aggregation-format.js';

/**
 * An `AggregatedRecord` message as read from the wire, kept as offsets into the message buffer so
 * that nothing is copied or allocated per record until the caller asks for it.
 */
export interface ParsedAggregate {
  readonly partitionKeys: string[];
  readonly explicitHashKeys: string[];
  /** Per record: the partition key index, cut to a signed 32-bit integer as the KCL's `(int)` cast does. */
  readonly partitionKeyIndexes: number[];
  /** Per record: the explicit hash key index (same cut), or -1 when the field is absent. */
  readonly explicitHashKeyIndexes: number[];
  /** Per record: where its data starts in the message buffer. */
  readonly dataStarts: number[];
  /** Per record: where its data ends in the message buffer. */
  readonly dataEnds: number[];
}

/** Thrown inside the parser; never escapes `parseAggregatedRecordMessage`. */
class InvalidMessage extends Error {}

const WIRE_VARINT = 0;
const WIRE_FIXED64 = 1;
const WIRE_LENGTH_DELIMITED = 2;
const WIRE_START_GROUP = 3;
const WIRE_END_GROUP = 4;
const WIRE_FIXED32 = 5;

/**
 * Parses the protobuf part of a KPL aggregate with proto2 semantics, as the KCL's generated Java
 * parser does: fields may come in any order, unknown fields (and known fields with another wire type)
 * are skipped, a record that lacks a required field (`partition_key_index`, `data`) or a tag without
 * its required `key` makes the message invalid, and so does anything truncated. Strings are decoded as
 * UTF-8 with replacement characters, as Java does.
 * @returns the parsed message, or `undefined` when it is not a valid `AggregatedRecord`.
 */
export function parseAggregatedRecordMessage(message: Buffer): ParsedAggregate | undefined {
  try {
    return new MessageParser(message).readAggregatedRecord();
  } catch (error) {
    if (error instanceof InvalidMessage) return undefined;
    throw error;
  }
}

/** A cursor over the message; small methods so that V8 inlines them in the loops. */
class MessageParser {
  private position = 0;

  constructor(private readonly bytes: Buffer) {}

  readAggregatedRecord(): ParsedAggregate {
    const parsed: ParsedAggregate = {
      partitionKeys: [],
      explicitHashKeys: [],
      partitionKeyIndexes: [],
      explicitHashKeyIndexes: [],
      dataStarts: [],
      dataEnds: [],
    };
    const end = this.bytes.length;
    while (this.position < end) {
      const tag = this.readTag();
      if (tag === Tag.RECORDS) this.readRecord(parsed);
      else if (tag === Tag.PARTITION_KEY_TABLE) parsed.partitionKeys.push(this.readString());
      else if (tag === Tag.EXPLICIT_HASH_KEY_TABLE) parsed.explicitHashKeys.push(this.readString());
      else this.skipField(tag);
    }
    return parsed;
  }

  private readRecord(parsed: ParsedAggregate): void {
    const end = this.readLengthEnd();
    let partitionKeyIndex = -1;
    let hasPartitionKeyIndex = false;
    let explicitHashKeyIndex = -1;
    let dataStart = -1;
    let dataEnd = -1;
    while (this.position < end) {
      const tag = this.readTag();
      if (tag === Tag.PARTITION_KEY_INDEX) {
        partitionKeyIndex = this.readVarint32();
        hasPartitionKeyIndex = true;
      } else if (tag === Tag.DATA) {
        dataEnd = this.readLengthEnd();
        dataStart = this.position;
        this.position = dataEnd;
      } else if (tag === Tag.EXPLICIT_HASH_KEY_INDEX) {
        explicitHashKeyIndex = this.readVarint32();
      } else if (tag === Tag.TAGS) {
        this.readTagMessage();
      } else {
        this.skipField(tag);
      }
    }
    if (this.position !== end || !hasPartitionKeyIndex || dataStart < 0) throw new InvalidMessage();
    parsed.partitionKeyIndexes.push(partitionKeyIndex);
    parsed.explicitHashKeyIndexes.push(explicitHashKeyIndex);
    parsed.dataStarts.push(dataStart);
    parsed.dataEnds.push(dataEnd);
  }

  /** Reads a `Tag { required string key = 1; optional string value = 2; }` only to check it. */
  private readTagMessage(): void {
    const end = this.readLengthEnd();
    let hasKey = false;
    while (this.position < end) {
      const tag = this.readTag();
      if (tag === 0x0a) hasKey = true;
      this.skipField(tag);
    }
    if (this.position !== end || !hasKey) throw new InvalidMessage();
  }

  private readString(): string {
    const end = this.readLengthEnd();
    const start = this.position;
    this.position = end;
    return this.bytes.toString('utf8', start, end);
  }

  private readTag(): number {
    const tag = this.readVarint32();
    const wireType = tag & 7;
    if (tag >>> 3 === 0 || wireType === WIRE_END_GROUP || wireType > WIRE_FIXED32) throw new InvalidMessage();
    return tag;
  }

  /** Reads the length of a length-delimited field and returns where the field ends. */
  private readLengthEnd(): number {
    const length = this.readVarint32() >>> 0;
    const end = this.position + length;
    if (end > this.bytes.length) throw new InvalidMessage();
    return end;
  }

  /**
   * Reads a varint of up to 10 bytes and returns its low 32 bits as a signed integer: what Java's
   * `(int)` cast of a parsed `uint64` gives.
   */
  private readVarint32(): number {
    const bytes = this.bytes;
    let position = this.position;
    let byte = bytes[position++];
    if (byte === undefined) throw new InvalidMessage();
    let value = byte & 0x7f;
    let shift = 7;
    while (byte! >= 0x80) {
      byte = bytes[position++];
      if (byte === undefined || shift > 63) throw new InvalidMessage();
      if (shift < 32) value |= (byte & 0x7f) << shift;
      shift += 7;
    }
    this.position = position;
    return value | 0;
  }

  private skipField(tag: number): void {
    switch (tag & 7) {
      case WIRE_VARINT:
        this.readVarint32();
        return;
      case WIRE_FIXED64:
        this.advance(8);
        return;
      case WIRE_LENGTH_DELIMITED:
        this.position = this.readLengthEnd();
        return;
      case WIRE_START_GROUP:
        this.skipGroup(tag >>> 3);
        return;
      case WIRE_FIXED32:
        this.advance(4);
        return;
      default:
        throw new InvalidMessage();
    }
  }

  private skipGroup(fieldNumber: number): void {
    for (;;) {
      if (this.position >= this.bytes.length) throw new InvalidMessage();
      const tag = this.readVarint32();
      if ((tag & 7) === WIRE_END_GROUP) {
        if (tag >>> 3 !== fieldNumber) throw new InvalidMessage();
        return;
      }
      if (tag >>> 3 === 0 || (tag & 7) > WIRE_FIXED32) throw new InvalidMessage();
      this.skipField(tag);
    }
  }

  private advance(count: number): void {
    if (this.position + count > this.bytes.length) throw new InvalidMessage();
    this.position += count;
  }
}
