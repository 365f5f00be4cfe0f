import { createHash } from 'node:crypto';
import { parseAggregatedRecordMessage } from './aggregate-parser.js';
import {
  AGGREGATION_DIGEST_BYTES,
  AGGREGATION_MAGIC,
  AGGREGATION_OVERHEAD_BYTES,
} from './aggregation-format.js';
import { CoreErrorCode, KinesisTsError } from './errors.js';
import { parseHashKeyBound, partitionKeyToHashKey } from './hash-key.js';
import { MAX_HASH_KEY } from './limits.js';
import type { DeaggregatedRecord, KinesisRecordInput } from './record.js';

/** Why user records of an aggregate were not returned. */
export type DeaggregationDiscardReason =
  /** A user record's effective hash key is outside the shard's range: the whole aggregate is dropped. */
  | 'hash-key-out-of-range'
  /** A table index or explicit hash key is invalid: the records before it are kept, the rest dropped. */
  | 'malformed-record';

/** A report of user records that deaggregation dropped, following the KCL's rules. */
export interface DeaggregationDiscard {
  readonly reason: DeaggregationDiscardReason;
  /** The Kinesis record's sequence number. */
  readonly sequenceNumber: string;
  /** How many user records of the aggregate were kept (0 for `hash-key-out-of-range`). */
  readonly keptCount: number;
  /** How many user records the aggregate held. */
  readonly totalCount: number;
  /** The offending user record's position in the aggregate. */
  readonly subSequenceNumber: number;
  /** What was wrong, in words. */
  readonly message: string;
}

/** Options of {@link deaggregate}. */
export interface DeaggregateOptions {
  /**
   * Check the MD5 digest that ends an aggregate; a record whose digest does not match is passed
   * through as one raw record, as the KCL does. @defaultValue true
   */
  readonly verifyChecksum?: boolean;
  /**
   * The hash range of the shard the record was read from. When any user record of an aggregate has an
   * effective hash key outside it, the whole aggregate is dropped (the KCL's rule: such records are
   * duplicates the KPL re-sent to the right shard after a reshard). @defaultValue the whole hash space
   */
  readonly hashKeyRange?: {
    readonly startingHashKey: string | bigint;
    readonly endingHashKey: string | bigint;
  };
  /**
   * Throw a `DeaggregationError` (code `INVALID_AGGREGATE`) for a record that starts with the KPL
   * magic but has a bad digest or an unparsable body, instead of passing it through raw.
   * @defaultValue false
   */
  readonly strict?: boolean;
  /** Called whenever user records are dropped by the KCL's rules, so the loss can be logged or counted. @defaultValue none */
  readonly onDiscard?: (discard: DeaggregationDiscard) => void;
}

/** An aggregate that failed its checksum or could not be parsed, reported only with `strict: true`. */
export class DeaggregationError extends KinesisTsError {
  /** The Kinesis record's sequence number. */
  readonly sequenceNumber: string;

  constructor(message: string, sequenceNumber: string) {
    super(`${message} (sequence number ${sequenceNumber})`, {
      code: CoreErrorCode.INVALID_AGGREGATE,
      retryable: false,
    });
    this.sequenceNumber = sequenceNumber;
  }
}

const JAVA_BIG_INTEGER = /^[+-]?[0-9]+$/;

/**
 * Whether `data` has the shape of a KPL aggregate: it starts with the magic bytes and is long enough
 * to hold a digest and a message. The digest is not checked.
 */
export function isAggregatedRecord(data: Uint8Array): boolean {
  if (data.byteLength <= AGGREGATION_OVERHEAD_BYTES) return false;
  for (let i = 0; i < AGGREGATION_MAGIC.length; i++) if (data[i] !== AGGREGATION_MAGIC[i]) return false;
  return true;
}

/**
 * Splits a Kinesis record into the user records it carries, exactly as the KCL does:
 * - data without the KPL magic, too short, with a bad MD5 (when checked) or an invalid protobuf body
 *   comes back as one record (`aggregated: false`, `subSequenceNumber: 0`); this never throws unless
 *   `strict` is set;
 * - otherwise each user record comes back with its own partition key, explicit hash key (only when it
 *   has one) and data, the Kinesis record's sequence number and its position as sub-sequence number;
 * - if any user record's effective hash key is outside `hashKeyRange`, none is returned;
 * - a bad table index or a non-numeric explicit hash key keeps the records before it and drops the rest.
 */
export function deaggregate(
  record: KinesisRecordInput,
  options: DeaggregateOptions = {},
): DeaggregatedRecord[] {
  const data = record.data;
  if (!isAggregatedRecord(data)) return [passThrough(record)];

  const bytes = Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  const messageEnd = bytes.byteLength - AGGREGATION_DIGEST_BYTES;
  const message = bytes.subarray(AGGREGATION_MAGIC.length, messageEnd);
  if (options.verifyChecksum !== false) {
    const digest = createHash('md5').update(message).digest();
    if (!digest.equals(bytes.subarray(messageEnd))) {
      if (options.strict)
        throw new DeaggregationError('Aggregated record has a bad MD5 digest', record.sequenceNumber);
      return [passThrough(record)];
    }
  }
  const aggregate = parseAggregatedRecordMessage(message);
  if (aggregate === undefined) {
    if (options.strict)
      throw new DeaggregationError('Aggregated record is not valid protobuf', record.sequenceNumber);
    return [passThrough(record)];
  }

  const range = options.hashKeyRange;
  const start =
    range === undefined ? 0n : parseHashKeyBound(range.startingHashKey, 'hashKeyRange.startingHashKey');
  const end =
    range === undefined ? MAX_HASH_KEY : parseHashKeyBound(range.endingHashKey, 'hashKeyRange.endingHashKey');
  const wholeSpace = start <= 0n && end >= MAX_HASH_KEY;
  const {
    partitionKeys,
    explicitHashKeys,
    partitionKeyIndexes,
    explicitHashKeyIndexes,
    dataStarts,
    dataEnds,
  } = aggregate;
  const recordCount = partitionKeyIndexes.length;
  const arrayBuffer = message.buffer;
  const messageOffset = message.byteOffset;
  const partitionKeyHashes: (bigint | undefined)[] = [];
  const out: DeaggregatedRecord[] = new Array(recordCount);

  for (let index = 0; index < recordCount; index++) {
    const partitionKeyIndex = partitionKeyIndexes[index]!;
    const partitionKey = partitionKeys[partitionKeyIndex];
    if (partitionKey === undefined) {
      report(
        options,
        record,
        'malformed-record',
        `partition key index ${partitionKeyIndex} is out of the table`,
        index,
        recordCount,
        index,
      );
      out.length = index;
      return out;
    }
    const explicitHashKeyIndex = explicitHashKeyIndexes[index]!;
    let explicitHashKey: string | undefined;
    let hashKey: bigint | undefined;
    if (explicitHashKeyIndex !== -1) {
      explicitHashKey = explicitHashKeys[explicitHashKeyIndex];
      if (explicitHashKey === undefined || !JAVA_BIG_INTEGER.test(explicitHashKey)) {
        const what =
          explicitHashKey === undefined
            ? `explicit hash key index ${explicitHashKeyIndex} is out of the table`
            : `explicit hash key "${explicitHashKey.slice(0, 50)}" is not an integer`;
        report(options, record, 'malformed-record', what, index, recordCount, index);
        out.length = index;
        return out;
      }
      hashKey = BigInt(explicitHashKey);
    } else if (!wholeSpace) {
      partitionKeyHashes[partitionKeyIndex] ??= partitionKeyToHashKey(partitionKey);
      hashKey = partitionKeyHashes[partitionKeyIndex];
    }
    // Without an explicit hash key and with the whole hash space allowed, the MD5 is always in range.
    if (hashKey !== undefined && (hashKey < start || hashKey > end)) {
      report(
        options,
        record,
        'hash-key-out-of-range',
        `hash key ${hashKey} is outside [${start}, ${end}]`,
        0,
        recordCount,
        index,
      );
      return [];
    }
    const dataStart = dataStarts[index]!;
    out[index] = {
      partitionKey,
      data: new Uint8Array(arrayBuffer, messageOffset + dataStart, dataEnds[index]! - dataStart),
      explicitHashKey,
      sequenceNumber: record.sequenceNumber,
      subSequenceNumber: index,
      aggregated: true,
      approximateArrivalTimestamp: record.approximateArrivalTimestamp,
    };
  }
  return out;
}

function report(
  options: DeaggregateOptions,
  record: KinesisRecordInput,
  reason: DeaggregationDiscardReason,
  message: string,
  keptCount: number,
  totalCount: number,
  subSequenceNumber: number,
): void {
  options.onDiscard?.({
    reason,
    message,
    keptCount,
    totalCount,
    subSequenceNumber,
    sequenceNumber: record.sequenceNumber,
  });
}

/** {@link deaggregate} over a list of Kinesis records, in order. */
export function deaggregateAll(
  records: readonly KinesisRecordInput[],
  options: DeaggregateOptions = {},
): DeaggregatedRecord[] {
  const out: DeaggregatedRecord[] = [];
  for (const record of records) for (const userRecord of deaggregate(record, options)) out.push(userRecord);
  return out;
}

function passThrough(record: KinesisRecordInput): DeaggregatedRecord {
  return {
    partitionKey: record.partitionKey,
    data: record.data,
    explicitHashKey: record.explicitHashKey,
    sequenceNumber: record.sequenceNumber,
    subSequenceNumber: 0,
    aggregated: false,
    approximateArrivalTimestamp: record.approximateArrivalTimestamp,
  };
}
