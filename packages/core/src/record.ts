/** A record as the application produces it: a partition key, a payload and an optional routing key. */
export interface UserRecord {
  /** 1 to 256 characters. Its MD5 picks the shard unless `explicitHashKey` is given. */
  readonly partitionKey: string;
  /** The payload. May be empty. */
  readonly data: Uint8Array;
  /**
   * Routes the record to the shard whose hash range contains this value instead of the MD5 of the
   * partition key: a decimal integer string or a bigint in [0, 2^128 − 1].
   */
  readonly explicitHashKey?: string | bigint;
}

/** A record as read from a shard (`GetRecords`, `SubscribeToShard` or a Lambda event), before deaggregation. */
export interface KinesisRecordInput {
  /** The partition key the record was put with (`"a"` for KPL aggregates). */
  readonly partitionKey: string;
  /** The record's data: a KPL aggregate or a plain payload. */
  readonly data: Uint8Array;
  /** The record's sequence number in its shard. */
  readonly sequenceNumber: string;
  /** The explicit hash key, where the source reports one (Kinesis read APIs do not). */
  readonly explicitHashKey?: string;
  /** When Kinesis accepted the record. */
  readonly approximateArrivalTimestamp?: Date;
}

/** One user record out of a Kinesis record: either one packed in a KPL aggregate, or the whole record. */
export interface DeaggregatedRecord {
  /** The user record's own partition key. */
  readonly partitionKey: string;
  /** The user record's payload (a view into the Kinesis record's data where possible, not a copy). */
  readonly data: Uint8Array;
  /** The explicit hash key the user record was put with, when it had one. */
  readonly explicitHashKey?: string;
  /** The sequence number of the Kinesis record that carried it (shared by every user record of an aggregate). */
  readonly sequenceNumber: string;
  /** The user record's position inside its aggregate, from 0; always 0 for a record that was not aggregated. */
  readonly subSequenceNumber: number;
  /** Whether the user record came out of a KPL aggregate. */
  readonly aggregated: boolean;
  /** When Kinesis accepted the carrying record. */
  readonly approximateArrivalTimestamp?: Date;
}
