import { describe, expect, it } from 'vitest';
import { PrefetchQueue } from './prefetch-queue.js';

describe('PrefetchQueue', () => {
  it('hands batches out in order', async () => {
    const queue = new PrefetchQueue<string>({ maxBatches: 3, maxRecords: 100, maxBytes: 100 });
    queue.push('a', 1, 1);
    queue.push('b', 1, 1);
    expect(await queue.shift()).toBe('a');
    expect(await queue.shift()).toBe('b');
  });

  it('makes the producer wait while the batch limit is reached, and wakes it when a batch is taken', async () => {
    const queue = new PrefetchQueue<number>({ maxBatches: 2, maxRecords: 1_000, maxBytes: 1_000 });
    queue.push(1, 1, 1);
    queue.push(2, 1, 1);
    let room = false;
    const waiting = queue.waitForRoom(0, 0).then(() => {
      room = true;
    });
    await Promise.resolve();
    expect(room).toBe(false);
    await queue.shift();
    await waiting;
    expect(room).toBe(true);
  });

  it('bounds records and bytes, but always accepts a batch into an empty queue', () => {
    const queue = new PrefetchQueue<number>({ maxBatches: 10, maxRecords: 100, maxBytes: 1_000 });
    expect(queue.hasRoomFor(500, 5_000)).toBe(true);
    queue.push(1, 60, 100);
    expect(queue.hasRoomFor(40, 100)).toBe(true);
    expect(queue.hasRoomFor(41, 100)).toBe(false);
    expect(queue.hasRoomFor(1, 901)).toBe(false);
    expect(queue.usage).toEqual({ batches: 1, records: 60, bytes: 100 });
  });

  it('makes the consumer wait for a batch, and rejects the wait when its signal aborts', async () => {
    const queue = new PrefetchQueue<number>({ maxBatches: 1, maxRecords: 1, maxBytes: 1 });
    const next = queue.shift();
    queue.push(7, 1, 1);
    expect(await next).toBe(7);
    const controller = new AbortController();
    const waiting = queue.shift(controller.signal);
    controller.abort(new Error('stopped'));
    await expect(waiting).rejects.toThrow('stopped');
  });

  it('frees the producer when cleared', async () => {
    const queue = new PrefetchQueue<number>({ maxBatches: 1, maxRecords: 10, maxBytes: 10 });
    queue.push(1, 1, 1);
    const waiting = queue.waitForRoom(0, 0);
    queue.clear();
    await waiting;
    expect(queue.usage.batches).toBe(0);
  });
});
