import { describe, expect, it } from 'vitest';
import { ShardRateLimiter } from './token-bucket.js';

const MIB = 1024 * 1024;

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

  it('never makes a wait for more records than the bucket holds last forever', () => {
    // 1 % of 1,000 records/s: the bucket holds 10 records, refilled at 10 a second.
    const limiter = new ShardRateLimiter(1, MIB, 0);
    limiter.take(10, 0, 0);
    expect(limiter.msUntilAvailable(25, 0, 0)).toBe(1000);
    expect(limiter.msUntilAvailable(25, 0, 1000)).toBe(0);
  });

  it('always holds at least one record of up to 1 MiB, and never more than one second of the rate above it', () => {
    expect(new ShardRateLimiter(10, MIB, 0).available(0).bytes).toBe(MIB);
    // A 10 MiB record limit does not let small records burst 10 MiB into the shard.
    expect(new ShardRateLimiter(150, 10 * MIB, 0).available(0).bytes).toBe(1.5 * MIB);
  });

  it('lets one large record pass on burst credit once the bucket is full, then makes later entries wait out the debt', () => {
    // The clock is passed in: each call says what time it is.
    const large = 9.5 * MIB;
    const limiter = new ShardRateLimiter(150, MIB, 0);
    expect(limiter.msUntilAvailable(1, large, 0)).toBe(0);
    expect(limiter.available(0, large).bytes).toBe(large);
    limiter.take(1, large, 0);
    // 8 MiB of debt at 1.5 MiB/s: a small record waits until it is paid back, not forever.
    expect(limiter.msUntilAvailable(1, 1024, 0)).toBe(Math.ceil((8 * MIB + 1024) / ((1.5 * MIB) / 1000)));
    // The next large record waits until the bucket is full again: debt plus one second.
    const untilFull = limiter.msUntilAvailable(1, large, 0);
    expect(untilFull).toBe(Math.ceil((9.5 * MIB) / ((1.5 * MIB) / 1000)));
    expect(limiter.msUntilAvailable(1, large, untilFull)).toBe(0);
    expect(limiter.available(untilFull, large).bytes).toBe(large);
  });

  it('does not let a large record pass while the bucket is not full', () => {
    const limiter = new ShardRateLimiter(100, MIB, 0);
    limiter.take(1, 512 * 1024, 0);
    expect(limiter.available(0, 5 * MIB).bytes).toBe(512 * 1024);
    expect(limiter.msUntilAvailable(1, 5 * MIB, 0)).toBe(500);
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
