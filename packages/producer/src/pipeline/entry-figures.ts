import {
  failedAttemptCount,
  hasOwnPromise,
  lastAttemptEndedAt,
  type PendingRecord,
  type RecordArrival,
  type RecordSettler,
} from './pending-record.js';

/**
 * What the sender, the metrics and settlement need to know of an entry's user records, gathered by
 * the packer as it adds each record (while the record is in the processor's cache), so that nothing
 * visits the records again between packing and settling, and a written entry of `putMany` records
 * all written at their first attempt settles from its `settleColumns` alone: with 100,000 records
 * buffered, every extra pass over them is a cache miss per record.
 */
export class EntryFigures {
  /** User records in the entry. */
  count = 0;
  /** Bytes of their data (partition keys excluded). */
  dataBytes = 0;
  /** Bytes they hold in the buffer (data plus partition key, each record's `sizeBytes`). */
  bufferedBytes = 0;
  /** When the first of them reaches its time to live (Infinity for none). */
  earliestExpiresAt = Number.POSITIVE_INFINITY;
  /** When their last attempts ended (or they arrived): the earliest and the latest. */
  earliestLastEndedAt = Number.POSITIVE_INFINITY;
  latestLastEndedAt = Number.NEGATIVE_INFINITY;
  /**
   * The sum, over the records, of how long after the first record's last attempt ended each one's
   * did (differences, so the sum of many times since the epoch does not lose precision).
   */
  lastEndedAfterFirstSumMs = 0;
  /** Their failed attempts so far: fewest, most, and in all. */
  fewestFailedAttempts = Number.POSITIVE_INFINITY;
  mostFailedAttempts = Number.NEGATIVE_INFINITY;
  failedAttemptsSum = 0;
  /** The smallest and the largest put sequence of the records. */
  firstSequence = Number.POSITIVE_INFINITY;
  lastSequence = Number.NEGATIVE_INFINITY;
  /**
   * Each record's put sequence, in entry order, while every record has a promise of its own (`put`,
   * not `putMany`); `undefined` from the first that has not. Settlement orders such entries' records
   * by it without visiting them (see `Settlement#requestWritten`).
   */
  sequences: number[] | undefined = [];
  /**
   * Each record's settler, slot and arrival, while no record has a promise of its own (`putMany`
   * records); `undefined` from the first that has one (those settle through `sequences`, and
   * gathering both would only make garbage for them).
   */
  settleColumns: SettleColumns | undefined = new SettleColumns();
  private firstLastEndedAt = 0;

  /** Counts a record packed into the entry. */
  add(record: PendingRecord): void {
    const lastEndedAt = lastAttemptEndedAt(record);
    const failed = failedAttemptCount(record);
    if (this.count === 0) this.firstLastEndedAt = lastEndedAt;
    if (this.settleColumns !== undefined) {
      if (hasOwnPromise(record)) this.settleColumns = undefined;
      else this.settleColumns.add(record, this.count);
    }
    this.count++;
    this.dataBytes += record.data.byteLength;
    this.bufferedBytes += record.sizeBytes;
    const expiresAt = record.arrival.expiresAt;
    if (expiresAt < this.earliestExpiresAt) this.earliestExpiresAt = expiresAt;
    if (lastEndedAt < this.earliestLastEndedAt) this.earliestLastEndedAt = lastEndedAt;
    if (lastEndedAt > this.latestLastEndedAt) this.latestLastEndedAt = lastEndedAt;
    this.lastEndedAfterFirstSumMs += lastEndedAt - this.firstLastEndedAt;
    if (failed < this.fewestFailedAttempts) this.fewestFailedAttempts = failed;
    if (failed > this.mostFailedAttempts) this.mostFailedAttempts = failed;
    this.failedAttemptsSum += failed;
    const sequence = record.sequence;
    if (this.sequences !== undefined) {
      if (hasOwnPromise(record)) this.sequences.push(sequence);
      else this.sequences = undefined;
    }
    if (sequence < this.firstSequence) this.firstSequence = sequence;
    if (sequence > this.lastSequence) this.lastSequence = sequence;
  }

  /**
   * The sum of how long each record waited before an attempt that started at `startedAt` (since its
   * last attempt ended, or since it arrived).
   */
  waitedSumMs(startedAt: number): number {
    return this.count * (startedAt - this.firstLastEndedAt) - this.lastEndedAfterFirstSumMs;
  }

  /** The figures of `records`, as if each had been added. */
  static of(records: readonly PendingRecord[]): EntryFigures {
    const figures = new EntryFigures();
    for (const record of records) figures.add(record);
    return figures;
  }
}

/**
 * What settling an entry's records needs of each, in entry order, so that an entry written at its
 * records' first attempt settles without visiting them (see `Settlement#written`).
 */
export class SettleColumns {
  /** Each record's settler and its place there (`slot`). */
  readonly settlers: RecordSettler[] = [];
  readonly slots: number[] = [];
  /**
   * The records' arrivals, one per run of consecutive records that share one: `arrivals[i]` is the
   * arrival of the records from index `arrivalRunStarts[i]` to the next run's start.
   */
  readonly arrivals: RecordArrival[] = [];
  readonly arrivalRunStarts: number[] = [];

  /** Adds `record`, the entry's record at `index`. */
  add(record: PendingRecord, index: number): void {
    if (this.arrivals.length === 0 || this.arrivals[this.arrivals.length - 1] !== record.arrival) {
      this.arrivals.push(record.arrival);
      this.arrivalRunStarts.push(index);
    }
    this.settlers.push(record.settler);
    this.slots.push(record.slot);
  }
}
