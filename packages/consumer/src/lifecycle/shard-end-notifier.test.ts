import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ShardEndNotifier } from './shard-end-notifier.js';

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe('ShardEndNotifier', () => {
  it('wakes a waiter as soon as one of its shards ends, long before the timeout', async () => {
    const notifier = new ShardEndNotifier();
    let woke = false;
    void notifier.wait(['a', 'b'], 10_000).then(() => {
      woke = true;
    });
    notifier.notify('c');
    await vi.advanceTimersByTimeAsync(5);
    expect(woke).toBe(false);
    notifier.notify('b');
    await vi.advanceTimersByTimeAsync(0);
    expect(woke).toBe(true);
    expect(notifier.pending).toBe(0);
  });

  it('resolves after the timeout (the caller then polls the table) and on abort, and forgets the waiter', async () => {
    const notifier = new ShardEndNotifier();
    let timedOut = false;
    void notifier.wait(['a'], 1_000).then(() => {
      timedOut = true;
    });
    await vi.advanceTimersByTimeAsync(999);
    expect(timedOut).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(timedOut).toBe(true);

    const controller = new AbortController();
    let aborted = false;
    void notifier.wait(['a'], 60_000, controller.signal).then(() => {
      aborted = true;
    });
    controller.abort();
    await vi.advanceTimersByTimeAsync(0);
    expect(aborted).toBe(true);
    expect(notifier.pending).toBe(0);
  });
});
