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
   * @param maxEntryBytes the largest single entry, so that one always fits in the bucket.
   * @param now the current time in milliseconds.
   */
  constructor(ratePercent: number, maxEntryBytes: number, now: number) {
    const share = ratePercent / 100;
    this.recordsPerMs = (SHARD_WRITE_RECORDS_PER_SECOND * share) / 1000;
    this.bytesPerMs = (SHARD_WRITE_BYTES_PER_SECOND * share) / 1000;
    this.maxRecords = Math.max(1, SHARD_WRITE_RECORDS_PER_SECOND * share);
    this.maxBytes = Math.max(maxEntryBytes, SHARD_WRITE_BYTES_PER_SECOND * share);
    this.records = this.maxRecords;
    this.bytes = this.maxBytes;
    this.updatedAt = now;
  }

  /** The tokens on hand at `now`. */
  available(now: number): Tokens {
    this.refill(now);
    return { records: this.records, bytes: this.bytes };
  }

  /** Takes tokens that `available` showed to be there. */
  take(records: number, bytes: number, now: number): void {
    this.refill(now);
    this.records -= records;
    this.bytes -= bytes;
  }

  /** Milliseconds from `now` until `records` and `bytes` tokens are on hand (0 if they are now). */
  msUntilAvailable(records: number, bytes: number, now: number): number {
    this.refill(now);
    const recordWait =
      records <= this.records ? 0 : (records - this.records) / (this.recordsPerMs * this.pace);
    const byteWait = bytes <= this.bytes ? 0 : (bytes - this.bytes) / (this.bytesPerMs * this.pace);
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

  private refill(now: number): void {
    const elapsed = now - this.updatedAt;
    if (elapsed <= 0) return;
    this.records = Math.min(this.maxRecords, this.records + elapsed * this.recordsPerMs * this.pace);
    this.bytes = Math.min(this.maxBytes, this.bytes + elapsed * this.bytesPerMs * this.pace);
    this.updatedAt = now;
  }
}
