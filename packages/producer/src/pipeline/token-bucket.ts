import { SHARD_WRITE_BYTES_PER_SECOND, SHARD_WRITE_RECORDS_PER_SECOND } from '@kinesis-ts/core';

const MIN_PACE = 0.5;

/** Tokens on hand: records and bytes. */
export interface Tokens {
  readonly records: number;
  readonly bytes: number;
}

/**
 * A two-stream token bucket (records and bytes) that paces one shard's writes to a percentage of its
 * limits. It starts full, refills continuously, and a take succeeds on both streams or neither. Time
 * is passed in, so the bucket is a pure calculation.
 *
 * The bucket holds one second of the rate. An entry larger than that (a large record, up to 10 MiB,
 * on a stream whose record size was raised) passes on burst credit as soon as the bucket is full,
 * as Kinesis lets a large record through on the shard's burst capacity: the bucket then goes into
 * debt by the excess, which later entries wait out, so the average stays at the rate.
 */
export class ShardRateLimiter {
  private records: number;
  private bytes: number;
  private updatedAt: number;
  private readonly recordsPerMs: number;
  private readonly bytesPerMs: number;
  /** The share of the configured rate in use: lowered while the shard throttles, raised back as it succeeds. */
  private pace = 1;
  private readonly maxRecords: number;
  private readonly maxBytes: number;

  /**
   * @param ratePercent percent of the shard limits (1,000 records/s, 1 MiB/s) to allow.
   * @param maxEntryBytes the largest entry usually sent (the record size limit, up to 1 MiB counts):
   *   the bucket holds at least one of them. Larger entries pass on burst credit (see above).
   * @param now the current time in milliseconds.
   */
  constructor(ratePercent: number, maxEntryBytes: number, now: number) {
    const share = ratePercent / 100;
    this.recordsPerMs = (SHARD_WRITE_RECORDS_PER_SECOND * share) / 1000;
    this.bytesPerMs = (SHARD_WRITE_BYTES_PER_SECOND * share) / 1000;
    this.maxRecords = Math.max(1, SHARD_WRITE_RECORDS_PER_SECOND * share);
    // A bucket as large as a 10 MiB record would let small records burst 10 MiB into the shard at once.
    const usualEntryBytes = Math.min(maxEntryBytes, SHARD_WRITE_BYTES_PER_SECOND);
    this.maxBytes = Math.max(usualEntryBytes, SHARD_WRITE_BYTES_PER_SECOND * share);
    this.records = this.maxRecords;
    this.bytes = this.maxBytes;
    this.updatedAt = now;
  }

  /**
   * The tokens on hand at `now`. With `nextEntryBytes` (the next entry to send) larger than the bucket
   * and the bucket full, the byte tokens include the burst credit that lets that entry pass.
   */
  available(now: number, nextEntryBytes = 0): Tokens {
    this.refill(now);
    const bytes = this.passesOnBurst(nextEntryBytes) ? nextEntryBytes : this.bytes;
    return { records: this.records, bytes };
  }

  /** Takes tokens that `available` showed to be there (the bytes may go into debt on burst credit). */
  take(records: number, bytes: number, now: number): void {
    this.refill(now);
    this.records -= records;
    this.bytes -= bytes;
  }

  /** Milliseconds from `now` until `records` and `bytes` tokens are on hand (0 if they are now). */
  msUntilAvailable(records: number, bytes: number, now: number): number {
    this.refill(now);
    // Never more than the bucket holds: asked for more, the wait would never end.
    const neededRecords = Math.min(records, this.maxRecords);
    const recordWait =
      neededRecords <= this.records ? 0 : (neededRecords - this.records) / (this.recordsPerMs * this.pace);
    // An entry larger than the bucket waits until the bucket is full, then passes on burst credit.
    const neededBytes = Math.min(bytes, this.maxBytes);
    const byteWait =
      neededBytes <= this.bytes ? 0 : (neededBytes - this.bytes) / (this.bytesPerMs * this.pace);
    return Math.ceil(Math.max(recordWait, byteWait));
  }

  /**
   * The shard refused entries for throughput: refill slower (by a fifth, down to half the configured
   * rate) until it succeeds again. The KPL keeps its rate whatever happens; a shard shared with other
   * producers then stays throttled.
   */
  slowDown(now: number): void {
    this.refill(now);
    this.pace = Math.max(MIN_PACE, this.pace * 0.8);
  }

  /** The shard took everything sent to it: refill a little faster, back up to the configured rate. */
  speedUp(now: number): void {
    this.refill(now);
    this.pace = Math.min(1, this.pace * 1.05);
  }

  /** The share of the configured rate in use, from 0.5 to 1. */
  get currentPace(): number {
    return this.pace;
  }

  private passesOnBurst(entryBytes: number): boolean {
    return entryBytes > this.maxBytes && this.bytes >= this.maxBytes;
  }

  private refill(now: number): void {
    const elapsed = now - this.updatedAt;
    if (elapsed <= 0) return;
    this.records = Math.min(this.maxRecords, this.records + elapsed * this.recordsPerMs * this.pace);
    this.bytes = Math.min(this.maxBytes, this.bytes + elapsed * this.bytesPerMs * this.pace);
    this.updatedAt = now;
  }
}
