import { describe, expect, it, vi } from 'vitest';
import { backoffCeilingMs, fullJitterBackoffMs, sleep, validateBackoffPolicy } from './backoff.js';
import { ValidationError } from './errors.js';

const policy = { baseDelayMs: 100, maxDelayMs: 5_000 };

describe('full-jitter backoff', () => {
  it('doubles the window with each attempt until the cap', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 8].map((attempt) => backoffCeilingMs(attempt, policy))).toEqual([
      100, 200, 400, 800, 1600, 3200, 5000, 5000,
    ]);
  });

  it('draws the delay uniformly inside the window', () => {
    expect(fullJitterBackoffMs(3, policy, () => 0)).toBe(0);
    expect(fullJitterBackoffMs(3, policy, () => 0.5)).toBe(200);
    expect(fullJitterBackoffMs(3, policy, () => 0.999_999)).toBe(399);
  });

  it('stays finite for huge attempt numbers', () => {
    expect(backoffCeilingMs(10_000, policy)).toBe(5_000);
    expect(backoffCeilingMs(0, policy)).toBe(100);
  });

  it('rejects a policy whose cap is below its base, naming the option', () => {
    expect(() => validateBackoffPolicy({ baseDelayMs: 10, maxDelayMs: 5 }, 'retry.')).toThrow(
      /retry\.maxDelayMs/,
    );
    expect(() => validateBackoffPolicy({ baseDelayMs: -1, maxDelayMs: 5 })).toThrow(ValidationError);
  });
});

describe('sleep', () => {
  it('resolves after the delay', async () => {
    vi.useFakeTimers();
    try {
      let done = false;
      const waiting = sleep(1000).then(() => {
        done = true;
      });
      await vi.advanceTimersByTimeAsync(999);
      expect(done).toBe(false);
      await vi.advanceTimersByTimeAsync(1);
      await waiting;
      expect(done).toBe(true);
    } finally {
      vi.useRealTimers();
    }
  });

  it('rejects with the abort reason when aborted', async () => {
    const controller = new AbortController();
    const waiting = sleep(60_000, controller.signal);
    controller.abort(new Error('stopping'));
    await expect(waiting).rejects.toThrow('stopping');
    const aborted = AbortSignal.abort(new Error('already'));
    await expect(sleep(1, aborted)).rejects.toThrow('already');
  });
});
