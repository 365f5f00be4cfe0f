import { describe, expect, it } from 'vitest';
import { movingAverageOf, nextMovingAverage, nextThroughputKBps } from './exponential-moving-average.js';

describe('exponential moving average', () => {
  it('starts at the first sample and then weighs each new sample by alpha', () => {
    expect(nextMovingAverage(undefined, 10, 0.5)).toBe(10);
    expect(nextMovingAverage(10, 20, 0.5)).toBe(15);
    expect(nextMovingAverage(15, 20, 0.2)).toBeCloseTo(16);
  });

  it('skips the failed readings (-1) of a series', () => {
    expect(movingAverageOf([10, -1, 20], 0.5)).toBe(15);
    expect(movingAverageOf([-1], 0.5)).toBeUndefined();
    expect(movingAverageOf([], 0.5)).toBeUndefined();
  });

  it('turns the bytes of one renewal interval into KB/s and smooths them with alpha 0.5', () => {
    // 30 KiB over 3 s is 10 KB/s; then 60 KiB over 3 s (20 KB/s) averages to 15.
    const first = nextThroughputKBps(undefined, 30 * 1024, 3_000, 0.5);
    expect(first).toBe(10);
    expect(nextThroughputKBps(first, 60 * 1024, 3_000, 0.5)).toBe(15);
    expect(nextThroughputKBps(15, 0, 3_000, 0.5)).toBe(7.5);
  });
});
