/** A pending `flush()`: it resolves once every record up to `upToSequence` has settled. */
interface FlushWaiter {
  readonly upToSequence: number;
  remaining: number;
  readonly resolve: () => void;
}

/**
 * The pending `flush()` calls: each waits for the records put before it (by put sequence) to settle,
 * however long the records put after it take.
 */
export class FlushWaiters {
  private readonly waiters: FlushWaiter[] = [];

  /** Resolves once `remaining` records with a sequence up to `upToSequence` have settled. */
  wait(upToSequence: number, remaining: number): Promise<void> {
    return new Promise<void>((resolve) => this.waiters.push({ upToSequence, remaining, resolve }));
  }

  /**
   * `records` settled together (a written entry), their put sequences from `firstSequence` to
   * `lastSequence`: a flush counts them all at once unless it waits for only some of them.
   */
  settledAll(
    records: readonly { readonly sequence: number }[],
    firstSequence: number,
    lastSequence: number,
  ): void {
    for (let i = this.waiters.length - 1; i >= 0; i--) {
      const waiter = this.waiters[i]!;
      if (firstSequence > waiter.upToSequence) continue;
      let count = records.length;
      if (lastSequence > waiter.upToSequence) {
        count = 0;
        for (const record of records) if (record.sequence <= waiter.upToSequence) count++;
      }
      waiter.remaining -= count;
      if (waiter.remaining === 0) {
        this.waiters.splice(i, 1);
        waiter.resolve();
      }
    }
  }

  /** The record put as `sequence` settled. */
  settled(sequence: number): void {
    for (let i = this.waiters.length - 1; i >= 0; i--) {
      const waiter = this.waiters[i]!;
      if (sequence > waiter.upToSequence) continue;
      waiter.remaining--;
      if (waiter.remaining === 0) {
        this.waiters.splice(i, 1);
        waiter.resolve();
      }
    }
  }
}
