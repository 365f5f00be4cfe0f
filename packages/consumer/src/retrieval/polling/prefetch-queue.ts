/** The limits of a {@link PrefetchQueue}. */
export interface PrefetchLimits {
  readonly maxBatches: number;
  readonly maxRecords: number;
  readonly maxBytes: number;
}

interface Entry<T> {
  readonly item: T;
  readonly records: number;
  readonly bytes: number;
}

/**
 * A FIFO of fetched batches bounded by count, records and bytes: `push` waits while the queue is full
 * (a batch is always accepted into an empty queue, however large), `shift` waits while it is empty.
 * One producer and one consumer.
 */
export class PrefetchQueue<T> {
  private readonly entries: Entry<T>[] = [];
  private records = 0;
  private bytes = 0;
  private wakeProducer: (() => void) | undefined;
  private wakeConsumer: (() => void) | undefined;

  constructor(private readonly limits: PrefetchLimits) {}

  /** How many batches, records and bytes are queued. */
  get usage(): { batches: number; records: number; bytes: number } {
    return { batches: this.entries.length, records: this.records, bytes: this.bytes };
  }

  /** Whether another batch of this size may be queued now. */
  hasRoomFor(records: number, bytes: number): boolean {
    if (this.entries.length === 0) return true;
    return (
      this.entries.length < this.limits.maxBatches &&
      this.records + records <= this.limits.maxRecords &&
      this.bytes + bytes <= this.limits.maxBytes
    );
  }

  /** Resolves once there is room for a batch of this size. */
  async waitForRoom(records: number, bytes: number, signal?: AbortSignal): Promise<void> {
    while (!this.hasRoomFor(records, bytes)) {
      await this.waitFor('producer', signal);
    }
  }

  /** Queues a batch (after `waitForRoom`; it does not check the limits itself). */
  push(item: T, records: number, bytes: number): void {
    this.entries.push({ item, records, bytes });
    this.records += records;
    this.bytes += bytes;
    this.wake('consumer');
  }

  /** The oldest batch; waits for one. */
  async shift(signal?: AbortSignal): Promise<T> {
    while (this.entries.length === 0) {
      await this.waitFor('consumer', signal);
    }
    const entry = this.entries.shift()!;
    this.records -= entry.records;
    this.bytes -= entry.bytes;
    this.wake('producer');
    return entry.item;
  }

  /** Drops every queued batch. */
  clear(): void {
    this.entries.length = 0;
    this.records = 0;
    this.bytes = 0;
    this.wake('producer');
  }

  private wake(side: 'producer' | 'consumer'): void {
    const wake = side === 'producer' ? this.wakeProducer : this.wakeConsumer;
    if (side === 'producer') this.wakeProducer = undefined;
    else this.wakeConsumer = undefined;
    wake?.();
  }

  private waitFor(side: 'producer' | 'consumer', signal?: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      if (signal?.aborted) {
        reject(signal.reason);
        return;
      }
      const onAbort = () => reject(signal?.reason);
      const done = () => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      };
      if (side === 'producer') this.wakeProducer = done;
      else this.wakeConsumer = done;
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }
}
