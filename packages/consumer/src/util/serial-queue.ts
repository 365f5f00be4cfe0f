/**
 * Runs async tasks one after another, in the order they were queued: the per-lease write queue.
 * Every owner-side write (renew, checkpoint, release) conditions on `leaseCounter = N` and bumps it,
 * so two in flight at once would make the second fail; queuing them keeps them in step.
 */
export class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve();
  private pending = 0;

  /** Queues `task`; resolves or rejects with its outcome. A failed task does not stop the queue. */
  run<T>(task: () => Promise<T>): Promise<T> {
    this.pending++;
    const result = this.tail.then(task);
    this.tail = result.then(
      () => this.pending--,
      () => this.pending--,
    );
    return result;
  }

  /** How many tasks are queued or running. */
  get size(): number {
    return this.pending;
  }
}
