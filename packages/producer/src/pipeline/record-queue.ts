import type { PendingRecord } from './pending-record.js';

const INITIAL_CAPACITY = 16;
/** An empty queue holding more slots than this gives them back. */
const RETAINED_CAPACITY = 1024;

/**
 * The records waiting for one shard, in the order they must be sent: a queue that can also put
 * records back at its front (retries go before newer records) and keep records it skipped over while
 * taking others (keys that must wait for the next request).
 *
 * A ring buffer (a double-ended queue): adding at either end and taking from the front cost O(1) per
 * record (amortized: the ring doubles when full), however long the lane's backlog, so a burst or a
 * long throttling costs linear work.
 */
export class RecordQueue {
  private slots: (PendingRecord | undefined)[] = new Array(INITIAL_CAPACITY);
  /** `slots.length - 1`; the capacity is a power of two. */
  private mask = INITIAL_CAPACITY - 1;
  private head = 0;
  private size = 0;
  /**
   * Whether the records' `expiresAt` never decreases from front to back: true while records arrive in
   * admission order (one time to live for all), false once a retry or a reshard put a record before
   * an older one. Expiry then takes the front alone instead of scanning the whole lane.
   */
  private ordered = true;

  /** How many records are waiting. */
  get length(): number {
    return this.size;
  }

  /** Adds a record at the back. */
  push(record: PendingRecord): void {
    if (
      this.size > 0 &&
      record.arrival.expiresAt < this.slots[(this.head + this.size - 1) & this.mask]!.arrival.expiresAt
    )
      this.ordered = false;
    if (this.size === this.slots.length) this.resize(this.size + 1);
    this.slots[(this.head + this.size) & this.mask] = record;
    this.size++;
  }

  /** Puts records back at the front, keeping their order (`records[0]` becomes the first). */
  unshiftAll(records: readonly PendingRecord[]): void {
    const count = records.length;
    if (count === 0) return;
    if (this.ordered && !expiresInOrder(records, this.size > 0 ? this.slots[this.head] : undefined))
      this.ordered = false;
    if (this.size + count > this.slots.length) this.resize(this.size + count);
    this.head = (this.head - count) & this.mask;
    for (let i = 0; i < count; i++) this.slots[(this.head + i) & this.mask] = records[i];
    this.size += count;
  }

  /** The record at `offset` from the front, or undefined. */
  at(offset: number): PendingRecord | undefined {
    if (offset < 0 || offset >= this.size) return undefined;
    return this.slots[(this.head + offset) & this.mask];
  }

  /**
   * Removes the first `walked` records, except those in `kept` (which must be among them, in their
   * original order): they stay at the front, before the records that were not walked over.
   */
  removeWalked(walked: number, kept: readonly PendingRecord[]): void {
    for (let i = 0; i < walked; i++) this.slots[(this.head + i) & this.mask] = undefined;
    this.head = (this.head + walked) & this.mask;
    this.size -= walked;
    if (this.size === 0 && kept.length === 0) {
      this.reset();
      return;
    }
    this.unshiftAll(kept);
  }

  /** Removes and returns every record, front first. */
  drain(): PendingRecord[] {
    const all = this.toArray();
    this.reset();
    return all;
  }

  /** Removes the records for which `shouldRemove` is true and returns them, in order. */
  removeWhere(shouldRemove: (record: PendingRecord) => boolean): PendingRecord[] {
    const removed: PendingRecord[] = [];
    const kept: PendingRecord[] = [];
    for (let i = 0; i < this.size; i++) {
      const record = this.slots[(this.head + i) & this.mask]!;
      (shouldRemove(record) ? removed : kept).push(record);
    }
    if (removed.length > 0) this.refill(kept);
    return removed;
  }

  /**
   * Removes the records whose time to live is over at `now` and returns them, in order. While the
   * lane is in expiry order (the usual case) they are a prefix: O(expired) work however long the
   * lane; otherwise the whole lane is scanned.
   */
  removeExpired(now: number): PendingRecord[] {
    if (this.ordered) return this.removeExpiredFront(now);
    return this.removeWhere((record) => record.arrival.expiresAt <= now);
  }

  private removeExpiredFront(now: number): PendingRecord[] {
    const removed: PendingRecord[] = [];
    while (this.size > 0) {
      const record = this.slots[this.head]!;
      if (record.arrival.expiresAt > now) break;
      removed.push(record);
      this.slots[this.head] = undefined;
      this.head = (this.head + 1) & this.mask;
      this.size--;
    }
    if (this.size === 0) this.reset();
    return removed;
  }

  private refill(records: readonly PendingRecord[]): void {
    this.reset();
    for (const record of records) this.push(record);
  }

  /** Visits the records front to back. */
  forEach(visit: (record: PendingRecord) => void): void {
    for (let i = 0; i < this.size; i++) visit(this.slots[(this.head + i) & this.mask]!);
  }

  private toArray(): PendingRecord[] {
    const all: PendingRecord[] = new Array(this.size);
    for (let i = 0; i < this.size; i++) all[i] = this.slots[(this.head + i) & this.mask]!;
    return all;
  }

  /** Moves the records to a ring of at least `needed` slots, the front at slot 0. */
  private resize(needed: number): void {
    let capacity = this.slots.length;
    while (capacity < needed) capacity *= 2;
    const slots: (PendingRecord | undefined)[] = new Array(capacity);
    for (let i = 0; i < this.size; i++) slots[i] = this.slots[(this.head + i) & this.mask];
    this.slots = slots;
    this.mask = capacity - 1;
    this.head = 0;
  }

  private reset(): void {
    if (this.slots.length > RETAINED_CAPACITY) {
      this.slots = new Array(INITIAL_CAPACITY);
      this.mask = INITIAL_CAPACITY - 1;
    } else {
      for (let i = 0; i < this.size; i++) this.slots[(this.head + i) & this.mask] = undefined;
    }
    this.head = 0;
    this.size = 0;
    this.ordered = true;
  }
}

/** Whether `records` expire in order and, when `next` is given, no later than it. */
function expiresInOrder(records: readonly PendingRecord[], next: PendingRecord | undefined): boolean {
  for (let i = 1; i < records.length; i++)
    if (records[i]!.arrival.expiresAt < records[i - 1]!.arrival.expiresAt) return false;
  return next === undefined || records[records.length - 1]!.arrival.expiresAt <= next.arrival.expiresAt;
}
