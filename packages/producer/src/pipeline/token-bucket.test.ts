import { describe, expect, it } from 'vitest';
import { ShardRateLimiter } from './token-bucket.js';

describe('ShardRateLimiter', () => {
  it('starts full at the percentage of the shard limits and refills at that rate', () => {
    const limiter = new ShardRateLimiter(150, 1024 * 1024, 0);
    expect(limiter.available(0)).toEqual({ records: 1500, bytes: 1.5 * 1024 * 1024 });
    limiter.take(1500, 1024, 0);
    expect(limiter.available(0).records).toBe(0);
    expect(limiter.available(100).records).toBeCloseTo(150);
    expect(limiter.available(10_000).records).toBe(1500);
  });

  it('says how long until a take fits, on whichever stream is short', () => {
    const limiter = new ShardRateLimiter(100, 1024 * 1024, 0);
    limiter.take(1000, 1024 * 1024, 0);
    expect(limiter.msUntilAvailable(1, 0, 0)).toBe(1);
    expect(limiter.msUntilAvailable(1, 512 * 1024, 0)).toBe(500);
    expect(limiter.msUntilAvailable(1, 512 * 1024, 500)).toBe(0);
  });

  it('always holds at least one record of the largest size', () => {
    const limiter = new ShardRateLimiter(10, 10 * 1024 * 1024, 0);
    expect(limiter.available(0).bytes).toBe(10 * 1024 * 1024);
  });

  it('refills slower while the shard throttles, never below half the rate, and recovers', () => {
    const limiter = new ShardRateLimiter(100, 1024 * 1024, 0);
    limiter.take(1000, 0, 0);
    for (let i = 0; i < 10; i++) limiter.slowDown(0);
    expect(limiter.currentPace).toBe(0.5);
    expect(limiter.available(1000).records).toBeCloseTo(500);
    for (let i = 0; i < 100; i++) limiter.speedUp(1000);
    expect(limiter.currentPace).toBe(1);
  });
});
