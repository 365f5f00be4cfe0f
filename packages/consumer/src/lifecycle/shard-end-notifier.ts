/**
 * Lets a child shard's consumer learn at once that a parent finished on this worker, instead of
 * only at its next poll of the lease table. `wait` resolves when any of the shards is reported
 * ended, after `timeoutMs` (the caller then polls the table, which covers parents finished by other
 * workers), or when `signal` aborts.
 */
export class ShardEndNotifier {
  private readonly waiters = new Map<string, Set<() => void>>();

  /** Reports that a shard was checkpointed at SHARD_END. */
  notify(shardId: string): void {
    const waiters = this.waiters.get(shardId);
    if (!waiters) return;
    this.waiters.delete(shardId);
    for (const wake of waiters) wake();
  }

  /** Resolves on the first of: one of `shardIds` ended, `timeoutMs` passed, `signal` aborted. Never rejects. */
  wait(shardIds: readonly string[], timeoutMs: number, signal?: AbortSignal): Promise<void> {
    return new Promise<void>((resolve) => {
      if (signal?.aborted) {
        resolve();
        return;
      }
      const done = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        for (const shardId of shardIds) {
          const waiters = this.waiters.get(shardId);
          waiters?.delete(done);
          if (waiters?.size === 0) this.waiters.delete(shardId);
        }
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      signal?.addEventListener('abort', done, { once: true });
      for (const shardId of shardIds) {
        const waiters = this.waiters.get(shardId) ?? new Set();
        waiters.add(done);
        this.waiters.set(shardId, waiters);
      }
    });
  }

  /** How many (shard, wait) registrations are pending (tests). */
  get pending(): number {
    let count = 0;
    for (const waiters of this.waiters.values()) count += waiters.size;
    return count;
  }
}
