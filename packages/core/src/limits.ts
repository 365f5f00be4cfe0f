/**
 * Kinesis Data Streams service limits and KPL constants that both libraries rely on.
 * Sizes are in bytes, rates per second per shard.
 */

/** A partition key holds 1 to 256 characters (UTF-16 code units, as the service and the KPL count). */
export const MIN_PARTITION_KEY_LENGTH = 1;
/** A partition key holds 1 to 256 characters (UTF-16 code units, as the service and the KPL count). */
export const MAX_PARTITION_KEY_LENGTH = 256;

/** The largest hash key: the Kinesis hash space is [0, 2^128 − 1]. */
export const MAX_HASH_KEY = (1n << 128n) - 1n;

/** The default largest record a stream accepts: data plus partition key, 1 MiB. */
export const DEFAULT_MAX_RECORD_SIZE_BYTES = 1024 * 1024;
/** The largest record size a stream can be raised to with `UpdateMaxRecordSize`: 10 MiB. */
export const MAX_RECORD_SIZE_LIMIT_BYTES = 10 * 1024 * 1024;

/** At most 500 entries in one `PutRecords` request. */
export const PUT_RECORDS_MAX_ENTRIES = 500;
/**
 * At most 10 MiB in one `PutRecords` request, counting every entry's partition key and data (the
 * limit since records of up to 10 MiB, late 2025).
 */
export const PUT_RECORDS_MAX_BYTES = 10 * 1024 * 1024;
/** The `PutRecords` request limit before late 2025, 5 MiB: what older endpoints and emulators take. */
export const PUT_RECORDS_LEGACY_MAX_BYTES = 5 * 1024 * 1024;

/** Each shard accepts up to 1,000 records per second of writes. */
export const SHARD_WRITE_RECORDS_PER_SECOND = 1000;
/** Each shard accepts up to 1 MiB per second of writes. */
export const SHARD_WRITE_BYTES_PER_SECOND = 1024 * 1024;
/** Each shard serves up to 2 MiB per second to shared-throughput (polling) readers. */
export const SHARD_READ_BYTES_PER_SECOND = 2 * 1024 * 1024;
/** Each shard serves up to 5 `GetRecords` calls per second to shared-throughput readers. */
export const SHARD_READ_CALLS_PER_SECOND = 5;
/** One `GetRecords` call returns at most 10,000 records. */
export const GET_RECORDS_MAX_LIMIT = 10_000;

/** The KPL's default largest aggregated record: 50 KiB, 20 bytes of framing included. */
export const DEFAULT_AGGREGATION_MAX_SIZE_BYTES = 51_200;
