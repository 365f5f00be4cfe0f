import type {
  PutRecordsOutput,
  PutRecordsRequestEntry,
  PutRecordsResultEntry,
} from '@aws-sdk/client-kinesis';

/** An injected failure of one PutRecords entry, as the service reports it. */
export interface EntryFailure {
  ErrorCode: string;
  ErrorMessage: string;
}

/** Which entries of a PutRecords request are sent, and which fail without being sent. */
export interface PutRecordsPlan {
  /** Number of entries in the caller's request. */
  total: number;
  /** Indexes (in the caller's request) of the entries that are sent, in order. */
  sentIndexes: number[];
  /** The failed entries by index (in the caller's request). */
  failures: Map<number, EntryFailure>;
}

/**
 * Splits a request's entries into those to send and those to fail, by `failureFor(entry, index)`.
 * The entries are the SDK's (`PutRecordsRequestEntry`) or the wire's (`Data` in base64).
 */
export function planPutRecords<E = PutRecordsRequestEntry>(
  entries: readonly E[],
  failureFor: (entry: E, index: number) => EntryFailure | undefined,
): PutRecordsPlan {
  const sentIndexes: number[] = [];
  const failures = new Map<number, EntryFailure>();
  entries.forEach((entry, index) => {
    const failure = failureFor(entry, index);
    if (failure) failures.set(index, failure);
    else sentIndexes.push(index);
  });
  return { total: entries.length, sentIndexes, failures };
}

/**
 * Builds the caller's response from the response to the entries that were sent: the sent entries'
 * results go back to their original indexes, the injected failures (ErrorCode and ErrorMessage, no
 * SequenceNumber or ShardId, as the service reports a failed entry) fill the others, and
 * FailedRecordCount counts both. `sentOutput` is undefined when nothing was sent.
 */
export function splicePutRecordsOutput<T extends PutRecordsOutput>(
  plan: PutRecordsPlan,
  sentOutput: T | undefined,
): T {
  const sentResults = sentOutput?.Records ?? [];
  if (sentResults.length !== plan.sentIndexes.length) {
    throw new Error(
      `PutRecords returned ${sentResults.length} results for ${plan.sentIndexes.length} entries; cannot splice injected failures`,
    );
  }
  const records = new Array<PutRecordsResultEntry>(plan.total);
  plan.sentIndexes.forEach((originalIndex, sentIndex) => {
    records[originalIndex] = sentResults[sentIndex]!;
  });
  for (const [index, failure] of plan.failures) {
    records[index] = { ErrorCode: failure.ErrorCode, ErrorMessage: failure.ErrorMessage };
  }
  // The wire's results carry `"ErrorCode": null` for written entries.
  const failed = records.filter(
    (record) => record.ErrorCode !== undefined && record.ErrorCode !== null,
  ).length;
  const base = sentOutput ?? ({ EncryptionType: 'NONE' } as T);
  return { ...base, Records: records, FailedRecordCount: failed };
}
