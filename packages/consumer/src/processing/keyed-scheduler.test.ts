import { describe, expect, it } from 'vitest';
import { KeyedScheduler } from './keyed-scheduler.js';

describe('KeyedScheduler', () => {
  it('starts up to the concurrency, never two records of one key, the lowest index first', () => {
    const scheduler = new KeyedScheduler(['a', 'a', 'b', 'c', 'b', 'd'], 3);
    expect(scheduler.take()).toEqual([0, 2, 3]);
    expect(scheduler.take()).toEqual([]);
    scheduler.complete(3, true);
    expect(scheduler.take()).toEqual([5]); // 1 and 4 wait for their keys
    scheduler.complete(0, true);
    expect(scheduler.take()).toEqual([1]);
    scheduler.complete(2, true);
    expect(scheduler.take()).toEqual([4]);
    expect(scheduler.finished).toBe(false);
    for (const index of [1, 4, 5]) scheduler.complete(index, true);
    expect(scheduler.finished).toBe(true);
    expect(scheduler.doneCount).toBe(6);
  });

  it('with a concurrency of 1 runs the batch strictly in order', () => {
    const scheduler = new KeyedScheduler(['a', 'b', 'a', 'c'], 1);
    const order: number[] = [];
    for (;;) {
      const started = scheduler.take();
      if (started.length === 0) break;
      expect(started).toHaveLength(1);
      order.push(started[0]!);
      scheduler.complete(started[0]!, true);
    }
    expect(order).toEqual([0, 1, 2, 3]);
  });

  it('advances the done count only over a prefix of succeeded records', () => {
    const scheduler = new KeyedScheduler(['a', 'b', 'c'], 3);
    scheduler.take();
    scheduler.complete(2, true);
    scheduler.complete(1, true);
    expect(scheduler.doneCount).toBe(0);
    scheduler.complete(0, true);
    expect(scheduler.doneCount).toBe(3);
  });

  it('after a failure starts only records before the first failed one, and stops the failed key', () => {
    // keys: 0 a, 1 b, 2 a, 3 c, 4 b, 5 d
    const scheduler = new KeyedScheduler(['a', 'b', 'a', 'c', 'b', 'd'], 2);
    expect(scheduler.take()).toEqual([0, 1]);
    scheduler.complete(1, false); // b fails at 1
    expect(scheduler.firstFailedIndex).toBe(1);
    expect(scheduler.take()).toEqual([]); // 3 (c) and 5 (d) come after the failure
    expect(scheduler.finished).toBe(false); // 0 still runs
    scheduler.complete(0, true);
    expect(scheduler.take()).toEqual([]); // 2 (a) comes after the failure too
    expect(scheduler.finished).toBe(true);
    expect(scheduler.doneCount).toBe(1);
  });

  it('still runs records before a failure that were waiting for their key', () => {
    // 0 a, 1 a, 2 b: b fails while a's second record waits
    const scheduler = new KeyedScheduler(['a', 'a', 'b'], 2);
    expect(scheduler.take()).toEqual([0, 2]);
    scheduler.complete(2, false);
    scheduler.complete(0, true);
    expect(scheduler.take()).toEqual([1]);
    scheduler.complete(1, true);
    expect(scheduler.finished).toBe(true);
    expect(scheduler.doneCount).toBe(2);
    expect(scheduler.firstFailedIndex).toBe(2);
  });

  it('keeps the lowest failure when a later record fails too', () => {
    const scheduler = new KeyedScheduler(['a', 'b', 'c'], 3);
    scheduler.take();
    scheduler.complete(2, false);
    scheduler.complete(0, false);
    scheduler.complete(1, true);
    expect(scheduler.firstFailedIndex).toBe(0);
    expect(scheduler.finished).toBe(true);
    expect(scheduler.doneCount).toBe(0);
  });

  it('is finished at once for an empty batch', () => {
    const scheduler = new KeyedScheduler([], 4);
    expect(scheduler.take()).toEqual([]);
    expect(scheduler.finished).toBe(true);
  });

  it('orders many keys by index through its heap', () => {
    const keys = Array.from({ length: 200 }, (_, i) => `k${(i * 7919) % 50}`);
    const scheduler = new KeyedScheduler(keys, 1);
    const order: number[] = [];
    for (let started = scheduler.take(); started.length > 0; started = scheduler.take()) {
      order.push(...started);
      for (const index of started) scheduler.complete(index, true);
    }
    expect(order).toEqual(keys.map((_, i) => i));
  });

  it('starts nothing after stop() and is finished once the running records complete', () => {
    const scheduler = new KeyedScheduler(['a', 'b', 'c'], 2);
    expect(scheduler.take()).toEqual([0, 1]);
    scheduler.stop();
    scheduler.complete(0, true);
    expect(scheduler.take()).toEqual([]);
    expect(scheduler.finished).toBe(false);
    scheduler.complete(1, true);
    expect(scheduler.finished).toBe(true);
    expect(scheduler.doneCount).toBe(2);
  });
});
