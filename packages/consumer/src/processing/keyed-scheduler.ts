/**
 * Decides which records of a batch may start when they run in parallel by key: at most
 * `concurrency` at once, never two of one key at once, each key's records in batch order, the
 * lowest-indexed runnable record first. After a failure, only records before the first failed one
 * start (they are needed for progress); the ones after it wait for the redelivery.
 *
 * Pure bookkeeping, no I/O: the caller starts the records `take()` returns and reports each outcome
 * with `complete()`.
 */
export class KeyedScheduler {
  private readonly concurrency: number;
  /** Per key, the indexes not yet started, in order. */
  private readonly pendingByKey = new Map<string, number[]>();
  private readonly keyOfIndex: readonly string[];
  /** Indexes whose key is idle and which are next for their key. */
  private readonly ready = new MinHeap();
  private readonly succeeded: boolean[];
  private running = 0;
  private watermark = 0;
  private firstFailed = Number.POSITIVE_INFINITY;
  private stopped = false;

  /** `keys[i]` is the ordering key of record `i`. */
  constructor(keys: readonly string[], concurrency: number) {
    this.concurrency = concurrency;
    this.keyOfIndex = keys;
    this.succeeded = new Array<boolean>(keys.length).fill(false);
    for (const [index, key] of keys.entries()) {
      const pending = this.pendingByKey.get(key);
      if (pending) pending.push(index);
      else {
        this.pendingByKey.set(key, [index]);
        this.ready.push(index);
      }
    }
    for (const pending of this.pendingByKey.values()) pending.shift();
  }

  /** The records to start now (they count as running until completed). */
  take(): number[] {
    const started: number[] = [];
    while (!this.stopped && this.running < this.concurrency) {
      const next = this.ready.peek();
      if (next === undefined || next > this.firstFailed) break;
      this.ready.pop();
      this.running++;
      started.push(next);
    }
    return started;
  }

  /** Starts nothing more: `take()` returns nothing from now on (what runs may still complete). */
  stop(): void {
    this.stopped = true;
  }

  /** Reports the outcome of a record `take()` returned. */
  complete(index: number, ok: boolean): void {
    this.running--;
    if (!ok) {
      if (index < this.firstFailed) this.firstFailed = index;
      return; // the key's later records wait for the redelivery
    }
    this.succeeded[index] = true;
    while (this.watermark < this.succeeded.length && this.succeeded[this.watermark]) this.watermark++;
    const following = this.pendingByKey.get(this.keyOfIndex[index]!)?.shift();
    if (following !== undefined) this.ready.push(following);
  }

  /** True once nothing runs and nothing more may start. */
  get finished(): boolean {
    if (this.running > 0) return false;
    if (this.stopped) return true;
    const next = this.ready.peek();
    return next === undefined || next > this.firstFailed;
  }

  /** How many records at the start of the batch have all succeeded: the batch is done below this index. */
  get doneCount(): number {
    return this.watermark;
  }

  /** The index of the first failed record, if any failed. */
  get firstFailedIndex(): number | undefined {
    return Number.isFinite(this.firstFailed) ? this.firstFailed : undefined;
  }
}

/** A binary min-heap of indexes. */
class MinHeap {
  private readonly items: number[] = [];

  peek(): number | undefined {
    return this.items[0];
  }

  push(value: number): void {
    const items = this.items;
    items.push(value);
    let child = items.length - 1;
    while (child > 0) {
      const parent = (child - 1) >> 1;
      if (items[parent]! <= value) break;
      items[child] = items[parent]!;
      child = parent;
    }
    items[child] = value;
  }

  pop(): number | undefined {
    const items = this.items;
    const top = items[0];
    const last = items.pop();
    if (items.length === 0 || last === undefined) return top;
    let parent = 0;
    for (;;) {
      const left = parent * 2 + 1;
      if (left >= items.length) break;
      const right = left + 1;
      const smaller = right < items.length && items[right]! < items[left]! ? right : left;
      if (items[smaller]! >= last) break;
      items[parent] = items[smaller]!;
      parent = smaller;
    }
    items[parent] = last;
    return top;
  }
}
