import {
  compareSequenceNumbers,
  type DeaggregationDiscard,
  deaggregate,
  type ExtendedSequenceNumber,
  isSequenceNumber,
  type KinesisRecordInput,
} from '@kinesis-ts/core';
import type { LeaseHashKeyRange } from '../leases/lease.js';
import type { ConsumerRecord } from '../processor/record-processor.js';

/** Options of {@link toUserRecords}. */
export interface UserRecordsOptions {
  /** The shard's hash range: aggregates with user records outside it are dropped (the KCL's rule). */
  readonly hashKeyRange?: LeaseHashKeyRange;
  /** Records at or before this position are dropped (already checkpointed or delivered). */
  readonly after?: ExtendedSequenceNumber;
  readonly onDiscard?: (discard: DeaggregationDiscard) => void;
}

/**
 * Turns fetched Kinesis records into the user records to deliver: deaggregates KPL aggregates with
 * the shard's hash range, and drops every user record whose (sequence, sub-sequence) position is at
 * or before `after`, which is how a consumer resumes inside an aggregate after AT_SEQUENCE_NUMBER and
 * never delivers a record twice after an iterator restart.
 */
export function toUserRecords(
  records: readonly KinesisRecordInput[],
  options: UserRecordsOptions,
): ConsumerRecord[] {
  const after = options.after && isSequenceNumber(options.after.sequenceNumber) ? options.after : undefined;
  const deaggregateOptions = { hashKeyRange: options.hashKeyRange, onDiscard: options.onDiscard };
  const out: ConsumerRecord[] = [];
  for (const record of records) {
    if (after) {
      const order = compareSequenceNumbers(record.sequenceNumber, after.sequenceNumber);
      if (order < 0) continue;
      if (order === 0) {
        for (const userRecord of deaggregate(record, deaggregateOptions)) {
          if (userRecord.subSequenceNumber > after.subSequenceNumber) out.push(userRecord);
        }
        continue;
      }
    }
    for (const userRecord of deaggregate(record, deaggregateOptions)) out.push(userRecord);
  }
  return out;
}
