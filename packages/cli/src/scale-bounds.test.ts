import { describe, expect, it } from 'vitest';
import { scaleBounds, validateScaleTarget } from './scale-bounds.js';

describe('scale bounds', () => {
  it('allows ½× (rounded up) to 2× the open shards per call, at most 10 000', () => {
    expect(scaleBounds(4)).toEqual({ min: 2, max: 8 });
    expect(scaleBounds(5)).toEqual({ min: 3, max: 10 });
    expect(scaleBounds(1)).toEqual({ min: 1, max: 2 });
    expect(scaleBounds(6000)).toEqual({ min: 3000, max: 10_000 });
  });

  it('refuses targets beyond the service bounds or the caps, saying which', () => {
    expect(() => validateScaleTarget(4, 9)).toThrow(
      expect.objectContaining({ code: 'CLI_SCALE_OUT_OF_BOUNDS' }),
    );
    expect(() => validateScaleTarget(4, 9)).toThrow(/allows 2 to 8/);
    expect(() => validateScaleTarget(4, 1)).toThrow(/allows 2 to 8/);
    expect(() => validateScaleTarget(4, 0)).toThrow(/whole number/);
    expect(() => validateScaleTarget(4, 6, { maxShards: 5 })).toThrow(/above the maximum of 5/);
    expect(() => validateScaleTarget(4, 3, { minShards: 4 })).toThrow(/below the minimum of 4/);
    expect(() => validateScaleTarget(4, 8, { maxShards: 8 })).not.toThrow();
  });
});
