import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { settleWithin } from './settle-within.js';

describe('settleWithin', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('resolves true as soon as the promise resolves or rejects in time', async () => {
    await expect(settleWithin(Promise.resolve('x'), 1_000)).resolves.toBe(true);
    await expect(settleWithin(Promise.reject(new Error('no')), 1_000)).resolves.toBe(true);
    await expect(settleWithin(undefined, 0)).resolves.toBe(true);
  });

  it('resolves false once the time is up for a promise that never settles', async () => {
    let outcome: boolean | undefined;
    void settleWithin(new Promise(() => undefined), 5_000).then((value) => {
      outcome = value;
    });
    await vi.advanceTimersByTimeAsync(4_999);
    expect(outcome).toBeUndefined();
    await vi.advanceTimersByTimeAsync(1);
    expect(outcome).toBe(false);
  });

  it('does not wait at all with no time left', async () => {
    let outcome: boolean | undefined;
    void settleWithin(new Promise(() => undefined), -10).then((value) => {
      outcome = value;
    });
    await vi.advanceTimersByTimeAsync(0);
    expect(outcome).toBe(false);
  });
});
