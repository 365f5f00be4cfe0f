import type { S3ClaimCheck } from './claim-check.js';
import { PartialBatchFailureError, type RecordPosition } from './processing-errors.js';

/** What a batch wrapper needs of a record: its data and its position in the shard. */
export interface ClaimCheckedRecord extends RecordPosition {
  readonly data: Uint8Array;
}

/**
 * Wraps a batch function so that it gets the stored payloads in place of claim-check pointers
 * (read in shard order, one at a time, so that nothing past a failure is read or deleted). When a
 * pointer cannot be resolved, the records before it are handed on alone and a
 * `PartialBatchFailureError` names the record: the retry (or the poison-record path) starts there.
 */
export function withResolvedClaimChecks<R extends ClaimCheckedRecord, C extends unknown[]>(
  claimCheck: Pick<S3ClaimCheck, 'resolve'>,
  process: (records: readonly R[], ...rest: C) => unknown,
): (records: readonly R[], ...rest: C) => Promise<void> {
  return async (records, ...rest) => {
    const resolved: R[] = [];
    for (const record of records) {
      let data: Uint8Array;
      try {
        data = await claimCheck.resolve(record.data);
      } catch (error) {
        if (resolved.length > 0) await process(resolved, ...rest);
        throw new PartialBatchFailureError([{ record, error }]);
      }
      resolved.push(data === record.data ? record : { ...record, data });
    }
    await process(resolved, ...rest);
  };
}
