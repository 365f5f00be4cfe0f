import { describe, expect, it } from 'vitest';
import { mulberry32 } from './prng';

describe('mulberry32', () => {
  it('gives the same sequence for the same seed and a different one for another seed', () => {
    const a = mulberry32(42);
    const b = mulberry32(42);
    const c = mulberry32(43);
    const seqA = Array.from({ length: 5 }, a);
    expect(Array.from({ length: 5 }, b)).toEqual(seqA);
    expect(Array.from({ length: 5 }, c)).not.toEqual(seqA);
  });

  it('matches the reference mulberry32 output for seed 1', () => {
    const random = mulberry32(1);
    // Reference values of the published algorithm (t += 0x6D2B79F5 ...), seed 1.
    expect(random()).toBeCloseTo(0.6270739405881613, 12);
    expect(random()).toBeCloseTo(0.002735721180215478, 12);
  });

  it('stays in [0, 1) and is roughly uniform', () => {
    const random = mulberry32(7);
    const buckets = new Array<number>(10).fill(0);
    let outOfRange = 0;
    for (let i = 0; i < 100_000; i++) {
      const value = random();
      if (!(value >= 0 && value < 1)) outOfRange++;
      else buckets[Math.floor(value * 10)]! += 1;
    }
    expect(outOfRange).toBe(0);
    for (const count of buckets) expect(count).toBeGreaterThan(9_500);
  });
});
