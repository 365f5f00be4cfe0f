import { ProducerErrorCode, RecordFailedError, type RecordFailureCode } from '../errors.js';
import type { MetricsRecorder } from '../metrics.js';
import type { ProducerEventEmitter } from '../producer-events.js';
import type { EntryFigures, SettleColumns } from './entry-figures.js';
import type { PackedEntry } from './packer.js';
import {
  type AttemptTiming,
  addAttempt,
  failedAttemptCount,
  failedAttempts,
  isSettled,
  lastAttemptEndedAt,
  markSettled,
  type PendingRecord,
} from './pending-record.js';
import { EntryResults } from './written-result.js';

/** An entry Kinesis wrote, and where. */
export interface WrittenEntry {
  readonly packed: PackedEntry;
  readonly shardId: string;
  readonly sequenceNumber: string;
}

/**
 * The last stage: settles user records. A written entry resolves each of its records with the shard,
 * sequence number and attempts; a record given up on is rejected with a `RecordFailedError` carrying
 * its attempts. Either way the record is counted out of the buffer once (`onSettled`), counted in the
 * metrics and reported as an event.
 */
export class Settlement {
  constructor(
    private readonly metrics: MetricsRecorder,
    private readonly events: ProducerEventEmitter,
    /** A record left the pipeline for good: free its room in the buffer, tell the flushes. */
    private readonly onSettled: (record: PendingRecord) => void,
    /**
     * Every record of a written entry left the pipeline (all of them were in the buffer: only
     * admitted records are packed); `figures` counts them. @defaultValue `onSettled` for each record
     */
    private readonly onEntrySettled: (records: readonly PendingRecord[], figures: EntryFigures) => void = (
      records,
    ) => {
      for (const record of records) onSettled(record);
    },
  ) {}

  /** An entry was written at `shardId`/`sequenceNumber`: resolves every user record it carried. */
  written(packed: PackedEntry, shardId: string, sequenceNumber: string, timing: AttemptTiming): void {
    const reportEach = this.events.hasListeners('record:put');
    const records = packed.records;
    this.metrics.entryWritten(shardId, packed.entry.data.byteLength, packed.figures);
    const results = new EntryResults(shardId, sequenceNumber, packed.entry.aggregated, timing);
    // Every record written at its first attempt (its result then depends only on when it arrived),
    // and no one listening to `record:put`: the entry settles without visiting its records.
    const columns = packed.figures.settleColumns;
    if (columns !== undefined && !reportEach && packed.figures.mostFailedAttempts === 0) {
      this.settleFromColumns(packed, columns, results);
    } else {
      for (let i = 0; i < records.length; i++) this.settleWritten(records[i]!, results, reportEach);
    }
  }

  /**
   * Settles a written entry whose records were all written at their first attempt from the columns
   * its figures gathered at packing (settlers, slots, arrivals), without visiting the records: with
   * a full buffer, each visit is a cache miss. The records are not marked settled: nothing looks at
   * a record once its entry is written (only records still in a lane are, see
   * `ProducerPipeline#replaceOversized`).
   */
  private settleFromColumns(packed: PackedEntry, columns: SettleColumns, results: EntryResults): void {
    const { settlers, slots, arrivals, arrivalRunStarts } = columns;
    const count = packed.figures.count;
    this.onEntrySettled(packed.records, packed.figures);
    for (let run = 0; run < arrivals.length; run++) {
      const result = results.firstAttemptResultOf(arrivals[run]!);
      const end = run + 1 < arrivals.length ? arrivalRunStarts[run + 1]! : count;
      for (let i = arrivalRunStarts[run]!; i < end; i++) settlers[i]!.resolve(result, slots[i]!);
    }
  }

  private settleWritten(record: PendingRecord, results: EntryResults, reportEach: boolean): void {
    const result = results.resultFor(record);
    this.release(record);
    record.settler.resolve(result, record.slot);
    if (reportEach) this.events.emit('record:put', { record: record.userRecord, result });
  }

  /**
   * The entries of one request that were written: resolves every user record they carried. Entries
   * whose records each have a promise of their own (`put`) are settled together in put order rather
   * than entry by entry: the objects behind each promise (resolving functions, `Promise.all`
   * reactions) were made when it was put, one after the other, and settling in the same order visits
   * them in the order they lie in memory, where entry by entry (shard by shard) jumps across all of
   * them for each record. Other entries (`putMany` records) settle entry by entry: a batch has one
   * settler for all its records, and put order measured no faster for them.
   */
  requestWritten(entries: readonly WrittenEntry[], timing: AttemptTiming): void {
    let count = 0;
    let ordered = 0;
    let first = Number.POSITIVE_INFINITY;
    let last = Number.NEGATIVE_INFINITY;
    for (const { packed } of entries) {
      if (packed.figures.sequences === undefined) continue;
      ordered++;
      count += packed.figures.count;
      if (packed.figures.firstSequence < first) first = packed.figures.firstSequence;
      if (packed.figures.lastSequence > last) last = packed.figures.lastSequence;
    }
    const span = last - first + 1;
    // Put order is worth it for several entries whose records' sequences are dense.
    if (ordered < 2 || span > 4 * count) {
      for (const { packed, shardId, sequenceNumber } of entries)
        this.written(packed, shardId, sequenceNumber, timing);
      return;
    }
    const records: (PendingRecord | undefined)[] = new Array(span);
    const entryOf = new Int32Array(span);
    for (let e = 0; e < entries.length; e++) {
      const { packed, shardId, sequenceNumber } = entries[e]!;
      const sequences = packed.figures.sequences;
      if (sequences === undefined) {
        this.written(packed, shardId, sequenceNumber, timing);
        continue;
      }
      this.metrics.entryWritten(shardId, packed.entry.data.byteLength, packed.figures);
      for (let i = 0; i < packed.records.length; i++) {
        const at = sequences[i]! - first;
        records[at] = packed.records[i];
        entryOf[at] = e;
      }
    }
    const reportEach = this.events.hasListeners('record:put');
    const results = entries.map(
      ({ packed, shardId, sequenceNumber }) =>
        new EntryResults(shardId, sequenceNumber, packed.entry.aggregated, timing),
    );
    for (let i = 0; i < span; i++) {
      const record = records[i];
      if (record === undefined) continue;
      this.settleWritten(record, results[entryOf[i]!]!, reportEach);
    }
  }

  /**
   * Gives up on a record: rejects it with `code`, the last error and `cause` (the error of a call that
   * failed as a whole). An expiry adds an `Expired` attempt unless the last attempt already is one.
   */
  failed(
    record: PendingRecord,
    shardId: string | undefined,
    code: RecordFailureCode,
    errorCode: string,
    errorMessage: string,
    cause?: unknown,
  ): void {
    if (code === ProducerErrorCode.RECORD_EXPIRED && failedAttempts(record).at(-1)?.errorCode !== 'Expired') {
      const now = Date.now();
      addAttempt(record, {
        startedAt: now,
        delayMs: now - lastAttemptEndedAt(record),
        durationMs: 0,
        success: false,
        errorCode: 'Expired',
        errorMessage: 'Record reached its time to live',
      });
    }
    const error = new RecordFailedError(code, describeFailure(code, errorCode, errorMessage, record), {
      record: record.userRecord,
      attempts: failedAttempts(record),
      attemptCount: failedAttemptCount(record),
      lastErrorCode: errorCode,
      cause,
    });
    this.metrics.userRecordFailed(
      shardId,
      failedAttemptCount(record),
      code === ProducerErrorCode.RECORD_EXPIRED,
    );
    this.release(record);
    record.settler.reject(error, record.slot);
    this.events.emit('record:failed', { record: record.userRecord, error });
  }

  /** Refuses a record before it was ever sent (above the stream's record size limit) with `error`. */
  refused(record: PendingRecord, error: unknown): void {
    this.release(record);
    record.settler.reject(error, record.slot);
  }

  private release(record: PendingRecord): void {
    if (isSettled(record)) return;
    markSettled(record);
    this.onSettled(record);
  }
}

function describeFailure(
  code: RecordFailureCode,
  errorCode: string,
  errorMessage: string,
  record: PendingRecord,
): string {
  const key = `record with partition key "${record.partitionKey.slice(0, 64)}"`;
  const count = failedAttemptCount(record);
  const attempts = `${count} attempt${count === 1 ? '' : 's'}`;
  switch (code) {
    case ProducerErrorCode.RECORD_EXPIRED:
      return `The ${key} expired after ${attempts}; last error ${errorCode}: ${errorMessage}`;
    case ProducerErrorCode.MAX_ATTEMPTS_EXCEEDED:
      return `The ${key} failed ${attempts}; last error ${errorCode}: ${errorMessage}`;
    case ProducerErrorCode.RECORD_THROTTLED:
      return `The ${key} was throttled (failIfThrottled is set): ${errorMessage}`;
    case ProducerErrorCode.CANNOT_WRITE_STREAM:
      return `The ${key} was not written: the producer cannot write to the stream (${attempts}); ${errorCode}: ${errorMessage}`;
    default:
      return `Kinesis refused the ${key}: ${errorCode}: ${errorMessage}`;
  }
}
