import type { PutRecordsOutput } from '@aws-sdk/client-kinesis';
import {
  type AwsErrorContext,
  classifyAwsError,
  failureCode,
  fatalCause,
  hashKeyInRange,
} from '@kinesis-ts/core';
import { ProducerErrorCode, type RecordFailureCode } from '../errors.js';
import type { OpenShard } from './list-shards.js';
import type { PackedEntry } from './packer.js';

/** An entry as it was sent: what it carried and which shard it was predicted to land on. */
export interface SentEntry {
  readonly packed: PackedEntry;
  /** undefined when the entry was sent without a shard map. */
  readonly predictedShardId: string | undefined;
}

/** What happened to one entry of a `PutRecords` request, and so to every user record it carried. */
export type EntryOutcome =
  | {
      readonly kind: 'success';
      readonly shardId: string;
      readonly sequenceNumber: string;
      /** The entry landed on another shard than predicted: the shard map is out of date. */
      readonly mapOutdated: boolean;
    }
  | {
      /**
       * An aggregate landed on a shard the map does not know yet (a new child): whether every record
       * hashes into it is decided once the refreshed map tells its range. Re-sending at once would
       * write a duplicate whenever the child does hold them all (the common case after a split).
       */
      readonly kind: 'unknown-shard';
      readonly shardId: string;
      readonly sequenceNumber: string;
    }
  | {
      readonly kind: 'retry';
      readonly errorCode: string;
      readonly errorMessage: string;
      /** Whether the shard should back off (throttling or a service fault) before it sends again. */
      readonly backoff: boolean;
      readonly mapOutdated: boolean;
    }
  | {
      readonly kind: 'fail';
      readonly code: RecordFailureCode;
      readonly errorCode: string;
      readonly errorMessage: string;
      readonly cause?: unknown;
    };

const THROTTLED = 'ProvisionedThroughputExceededException';

/**
 * Reads a `PutRecords` response entry by entry (the response lists results in request order):
 * - success on the predicted shard: success;
 * - success on another shard: a single record, or an aggregate whose records all hash into the shard
 *   it landed on (a child of the predicted one), is a success; any other aggregate is re-sent whole,
 *   because a KCL consumer drops an aggregate holding any record outside its shard; an aggregate on a
 *   shard the map does not know waits for the refreshed map to decide; either way the map is out of
 *   date;
 * - a per-entry error: retried with backoff, or failed at once when throttled and `failIfThrottled`;
 * - a response with another number of entries than the request: every entry is retried.
 */
export function interpretPutRecordsOutput(
  entries: readonly SentEntry[],
  output: PutRecordsOutput,
  rangeOf: (shardId: string) => OpenShard | undefined,
  failIfThrottled: boolean,
): EntryOutcome[] {
  const results = output.Records ?? [];
  if (results.length !== entries.length) {
    const message = `PutRecords answered ${results.length} entries for ${entries.length}`;
    return entries.map(() => ({
      kind: 'retry',
      errorCode: 'RecordCountMismatch',
      errorMessage: message,
      backoff: true,
      mapOutdated: false,
    }));
  }
  return entries.map((sent, index) => {
    const result = results[index]!;
    if (
      result.ErrorCode !== undefined ||
      result.SequenceNumber === undefined ||
      result.ShardId === undefined
    ) {
      const errorCode = result.ErrorCode ?? 'MissingSequenceNumber';
      return entryFailure(errorCode, result.ErrorMessage ?? '', failIfThrottled);
    }
    const predicted = sent.predictedShardId;
    if (predicted === undefined || predicted === result.ShardId) {
      return {
        kind: 'success',
        shardId: result.ShardId,
        sequenceNumber: result.SequenceNumber,
        mapOutdated: false,
      };
    }
    const landedOn = sent.packed.entry.aggregated ? rangeOf(result.ShardId) : undefined;
    if (sent.packed.entry.aggregated && landedOn === undefined) {
      return { kind: 'unknown-shard', shardId: result.ShardId, sequenceNumber: result.SequenceNumber };
    }
    if (landedOn === undefined || allRecordsIn(sent.packed, landedOn)) {
      return {
        kind: 'success',
        shardId: result.ShardId,
        sequenceNumber: result.SequenceNumber,
        mapOutdated: true,
      };
    }
    return {
      kind: 'retry',
      errorCode: 'WrongShard',
      errorMessage: `Aggregate predicted for ${predicted} landed on ${result.ShardId}, which does not hold all its records`,
      backoff: false,
      mapOutdated: true,
    };
  });
}

/**
 * Whether a `PutRecords` call that failed as a whole shows the stream cannot be written at all, so
 * every call to it would fail alike: the SDK client cannot make calls (no region, no credentials, a
 * bad endpoint, a `TypeError`), the caller may not write (access denied, unknown key, bad signature,
 * KMS access) or the stream does not exist. A request-specific refusal (validation) is not, and
 * neither is a credentials error once the client's credentials have resolved before (`context`, see
 * `ClientHistory`): a refresh that failed.
 */
export function isStreamWideFailure(error: unknown, context?: AwsErrorContext): boolean {
  const cause = fatalCause(error, context);
  return cause === 'client-setup' || cause === 'authorization' || cause === 'not-found';
}

/**
 * Reads a `PutRecords` call that failed as a whole: a fatal error fails every record at once (no
 * spinning until the time to live), as `CANNOT_WRITE_STREAM` when no call to the stream can succeed
 * (see {@link isStreamWideFailure}), else `RECORD_FAILED`; throttling and transient errors are
 * retried with backoff. `context` is what is known of the client (see `ClientHistory`).
 */
export function interpretPutRecordsError(
  entries: readonly SentEntry[],
  error: unknown,
  failIfThrottled: boolean,
  context?: AwsErrorContext,
): EntryOutcome[] {
  const errorCode = failureCode(error);
  const errorMessage = error instanceof Error ? error.message : String(error);
  const kind = classifyAwsError(error, context);
  const fatalCode = isStreamWideFailure(error, context)
    ? ProducerErrorCode.CANNOT_WRITE_STREAM
    : ProducerErrorCode.RECORD_FAILED;
  const outcome: EntryOutcome =
    kind === 'fatal'
      ? { kind: 'fail', code: fatalCode, errorCode, errorMessage, cause: error }
      : failIfThrottled && errorCode === THROTTLED
        ? { kind: 'fail', code: ProducerErrorCode.RECORD_THROTTLED, errorCode, errorMessage, cause: error }
        : { kind: 'retry', errorCode, errorMessage, backoff: true, mapOutdated: false };
  return entries.map(() => outcome);
}

function entryFailure(errorCode: string, errorMessage: string, failIfThrottled: boolean): EntryOutcome {
  if (errorCode === THROTTLED && failIfThrottled) {
    return { kind: 'fail', code: ProducerErrorCode.RECORD_THROTTLED, errorCode, errorMessage };
  }
  if (classifyAwsError(errorCode) === 'fatal') {
    return { kind: 'fail', code: ProducerErrorCode.RECORD_FAILED, errorCode, errorMessage };
  }
  return { kind: 'retry', errorCode, errorMessage, backoff: true, mapOutdated: false };
}

/** Whether every user record of an entry hashes into `shard`. */
export function allRecordsIn(packed: PackedEntry, shard: OpenShard): boolean {
  return packed.records.every((record) => hashKeyInRange(record.hashKey, shard));
}
