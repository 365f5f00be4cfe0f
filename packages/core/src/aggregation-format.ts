/**
 * The KPL aggregated record format: `F3 89 9A C2` ‖ protobuf `AggregatedRecord` (proto2) ‖ MD5 of the
 * protobuf bytes. See docs/codec.md for the schema and the rules.
 */

/** The four bytes every KPL aggregate starts with. */
export const AGGREGATION_MAGIC = Uint8Array.of(0xf3, 0x89, 0x9a, 0xc2);
/** The length of the MD5 digest that ends every KPL aggregate. */
export const AGGREGATION_DIGEST_BYTES = 16;
/** Bytes an aggregate adds around its protobuf message: the magic and the digest. */
export const AGGREGATION_OVERHEAD_BYTES = AGGREGATION_MAGIC.length + AGGREGATION_DIGEST_BYTES;
/** The partition key the KPL gives every aggregate of two or more records; routing uses the explicit hash key. */
export const AGGREGATE_PARTITION_KEY = 'a';

/** Protobuf tag bytes (field number << 3 | wire type) of the messages in the format. */
export const Tag = {
  /** AggregatedRecord.partition_key_table (1), length-delimited. */
  PARTITION_KEY_TABLE: 0x0a,
  /** AggregatedRecord.explicit_hash_key_table (2), length-delimited. */
  EXPLICIT_HASH_KEY_TABLE: 0x12,
  /** AggregatedRecord.records (3), length-delimited. */
  RECORDS: 0x1a,
  /** Record.partition_key_index (1), varint. */
  PARTITION_KEY_INDEX: 0x08,
  /** Record.explicit_hash_key_index (2), varint. */
  EXPLICIT_HASH_KEY_INDEX: 0x10,
  /** Record.data (3), length-delimited. */
  DATA: 0x1a,
  /** Record.tags (4), length-delimited. Never written; skipped on read. */
  TAGS: 0x22,
} as const;

/** The number of bytes a non-negative integer takes as a protobuf varint. */
export function varintSize(value: number): number {
  if (value < 0x80) return 1;
  if (value < 0x4000) return 2;
  if (value < 0x200000) return 3;
  if (value < 0x10000000) return 4;
  if (value < 0x800000000) return 5;
  return Math.ceil(Math.log2(value + 1) / 7);
}

/** The bytes a length-delimited field with `length` bytes of content takes, its one-byte tag included. */
export function lengthDelimitedFieldSize(length: number): number {
  return 1 + varintSize(length) + length;
}
