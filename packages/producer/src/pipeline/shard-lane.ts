import { dueAtOf, type PendingRecord } from './pending-record.js';
import { RecordQueue } from './record-queue.js';
import type { ShardRateLimiter } from './token-bucket.js';

const DUE_SCAN_LIMIT = 64;

/**
 * Everything the producer keeps for one predicted shard: the records waiting for it (in send order),
 * its rate limiter, its retry backoff, and how many requests carrying its records are in flight.
 * Records sent without a shard map share one lane whose `shardId` is undefined and that has no limiter.
 */
export class ShardLane {
  readonly queue = new RecordQueue();
  /** Bytes (data plus partition keys) of the records in the queue. */
  bytes = 0;
  /** Requests carrying this lane's records that have not completed. */
  inFlight = 0;
  /** The earliest time a queued record must leave the buffer. */
  dueAt = Number.POSITIVE_INFINITY;
  /** Failed sends in a row; decides the backoff. */
  retryAttempt = 0;
  /** The lane sends nothing before this time (retry backoff). */
  notBefore = 0;
  /** The lane's rate-limit tokens cannot pay for its next record before this time. */
  tokensAt = 0;
  /**
   * The error of the lane's last failed send, until a send goes through: what a record that expires
   * queued behind those failures, never sent itself, reports as its last error.
   */
  lastError: { readonly errorCode: string; readonly errorMessage: string } | undefined;

  constructor(
    readonly shardId: string | undefined,
    readonly limiter: ShardRateLimiter | undefined,
  ) {}

  /** Queues a new record at the back. */
  push(record: PendingRecord): void {
    this.queue.push(record);
    this.bytes += record.sizeBytes;
    this.dueAt = Math.min(this.dueAt, dueAtOf(record));
  }

  /** Puts records back at the front, before newer ones (retries), keeping their order. */
  unshiftAll(records: readonly PendingRecord[]): void {
    this.queue.unshiftAll(records);
    for (const record of records) {
      this.bytes += record.sizeBytes;
      this.dueAt = Math.min(this.dueAt, dueAtOf(record));
    }
  }

  /** Accounts for the entries the packer took out of the queue (their records). */
  taken(entries: readonly { readonly records: readonly PendingRecord[] }[]): void {
    for (const entry of entries) for (const record of entry.records) this.bytes -= record.sizeBytes;
    this.recomputeDueAt();
  }

  /** Removes every queued record and returns them in order. */
  drain(): PendingRecord[] {
    this.bytes = 0;
    this.dueAt = Number.POSITIVE_INFINITY;
    return this.queue.drain();
  }

  /** Removes the queued records for which `shouldRemove` is true and returns them, in order. */
  removeWhere(shouldRemove: (record: PendingRecord) => boolean): PendingRecord[] {
    const removed = this.queue.removeWhere(shouldRemove);
    if (removed.length > 0) {
      for (const record of removed) this.bytes -= record.sizeBytes;
      this.recomputeDueAt();
    }
    return removed;
  }

  /** Removes the queued records whose time to live is over at `now` and returns them, in order. */
  removeExpired(now: number): PendingRecord[] {
    const removed = this.queue.removeExpired(now);
    if (removed.length > 0) {
      for (const record of removed) this.bytes -= record.sizeBytes;
      this.recomputeDueAt();
    }
    return removed;
  }

  /**
   * The queue is in due order but for records merged from several lanes after a reshard, so the
   * first few records decide; scanning a long backlog on every send would cost more than it tells.
   */
  private recomputeDueAt(): void {
    let dueAt = Number.POSITIVE_INFINITY;
    const scanned = Math.min(this.queue.length, DUE_SCAN_LIMIT);
    for (let i = 0; i < scanned; i++) {
      const record = this.queue.at(i)!;
      const recordDueAt = dueAtOf(record);
      if (recordDueAt < dueAt) dueAt = recordDueAt;
    }
    this.dueAt = dueAt;
  }
}
