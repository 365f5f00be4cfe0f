import type { PendingRecord } from './pending-record.js';

/**
 * The records waiting for one shard, in the order they must be sent: a queue that can also put
 * records back at its front (retries go before newer records) and keep records it skipped over while
 * taking others (keys that must wait for the next request).
 */
export class RecordQueue {
  private items: (PendingRecord | undefined)[] = [];
  private head = 0;

  /** How many records are waiting. */
  get length(): number {
    return this.items.length - this.head;
  }

  /** Adds a record at the back. */
  push(record: PendingRecord): void {
    this.items.push(record);
  }

  /** Puts records back at the front, keeping their order (`records[0]` becomes the first). */
  unshiftAll(records: readonly PendingRecord[]): void {
    if (records.length === 0) return;
    if (records.length <= this.head) {
      this.head -= records.length;
      for (let i = 0; i < records.length; i++) this.items[this.head + i] = records[i];
      return;
    }
    this.items = [...records, ...this.items.slice(this.head)];
    this.head = 0;
  }

  /** The record at `offset` from the front, or undefined. */
  at(offset: number): PendingRecord | undefined {
    return this.items[this.head + offset];
  }

  /**
   * Removes the first `walked` records, except those in `kept` (which must be among them, in their
   * original order): they stay at the front, before the records that were not walked over.
   */
  removeWalked(walked: number, kept: readonly PendingRecord[]): void {
    const end = this.head + walked;
    for (let i = this.head; i < end - kept.length; i++) this.items[i] = undefined;
    const keptStart = end - kept.length;
    for (let i = 0; i < kept.length; i++) this.items[keptStart + i] = kept[i];
    this.head = keptStart;
    this.compact();
  }

  /** Removes and returns every record, front first. */
  drain(): PendingRecord[] {
    const all = this.items.slice(this.head) as PendingRecord[];
    this.items = [];
    this.head = 0;
    return all;
  }

  /** Removes the records for which `shouldRemove` is true and returns them, in order. */
  removeWhere(shouldRemove: (record: PendingRecord) => boolean): PendingRecord[] {
    const removed: PendingRecord[] = [];
    const kept: PendingRecord[] = [];
    for (let i = this.head; i < this.items.length; i++) {
      const record = this.items[i]!;
      (shouldRemove(record) ? removed : kept).push(record);
    }
    if (removed.length > 0) {
      this.items = kept;
      this.head = 0;
    }
    return removed;
  }

  /** Visits the records front to back. */
  forEach(visit: (record: PendingRecord) => void): void {
    for (let i = this.head; i < this.items.length; i++) visit(this.items[i]!);
  }

  private compact(): void {
    if (this.head === this.items.length) {
      this.items = [];
      this.head = 0;
    } else if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
  }
}
