import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { RepeatingTimer } from './repeating-timer.js';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('RepeatingTimer', () => {
  it('at a fixed rate starts runs one interval apart, however long each takes', async () => {
    const starts: number[] = [];
    const timer = new RepeatingTimer(1_000, 'fixed-rate', async () => {
      starts.push(Date.now());
      await new Promise((resolve) => setTimeout(resolve, 300));
    });
    const t0 = Date.now();
    timer.start();
    await vi.advanceTimersByTimeAsync(3_500);
    await timer.stop();
    expect(starts.map((t) => t - t0)).toEqual([1_000, 2_000, 3_000]);
  });

  it('with a fixed delay waits one interval after each run ends', async () => {
    const starts: number[] = [];
    const timer = new RepeatingTimer(1_000, 'fixed-delay', async () => {
      starts.push(Date.now());
      await new Promise((resolve) => setTimeout(resolve, 300));
    });
    const t0 = Date.now();
    timer.start();
    await vi.advanceTimersByTimeAsync(3_700);
    const stopped = timer.stop();
    await vi.advanceTimersByTimeAsync(300);
    await stopped;
    expect(starts.map((t) => t - t0)).toEqual([1_000, 2_300, 3_600]);
  });

  it('never overlaps runs, and stop() waits for the one in progress', async () => {
    let running = 0;
    let overlapped = false;
    let finished = 0;
    const timer = new RepeatingTimer(100, 'fixed-rate', async () => {
      running++;
      if (running > 1) overlapped = true;
      await new Promise((resolve) => setTimeout(resolve, 250));
      running--;
      finished++;
    });
    timer.start();
    await vi.advanceTimersByTimeAsync(200);
    const stopped = timer.stop();
    await vi.advanceTimersByTimeAsync(250);
    await stopped;
    expect(overlapped).toBe(false);
    expect(finished).toBe(1);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(finished).toBe(1);
  });

  it('keeps running after a task rejects', async () => {
    let runs = 0;
    const timer = new RepeatingTimer(100, 'fixed-delay', async () => {
      runs++;
      throw new Error('failed run');
    });
    timer.start();
    await vi.advanceTimersByTimeAsync(350);
    await timer.stop();
    expect(runs).toBe(3);
  });
});
