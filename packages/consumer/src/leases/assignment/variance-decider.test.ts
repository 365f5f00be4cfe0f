import { describe, expect, it } from 'vitest';
import { decideVariance } from './variance-decider.js';

describe('decideVariance', () => {
  it('does nothing while every worker is within the threshold of the mean', () => {
    const decision = decideVariance(
      [
        { workerId: 'a', load: 52, throughputKBps: 100 },
        { workerId: 'b', load: 48, throughputKBps: 100 },
      ],
      10,
      60,
    );
    expect(decision).toEqual({ mean: 50, rebalance: false, toShed: [] });
  });

  it('sheds the dampened excess of each worker above the band, largest first', () => {
    const decision = decideVariance(
      [
        { workerId: 'a', load: 80, throughputKBps: 1_000 },
        { workerId: 'b', load: 60, throughputKBps: 600 },
        { workerId: 'c', load: 20, throughputKBps: 100 },
        { workerId: 'd', load: 40, throughputKBps: 300 },
      ],
      10,
      60,
    );
    expect(decision.mean).toBe(50);
    expect(decision.rebalance).toBe(true);
    // a: (80 − 50) / 80 × 0.6 × 1000 = 225; b: (60 − 50) / 60 × 0.6 × 600 = 60.
    expect(decision.toShed.map((s) => s.workerId)).toEqual(['a', 'b']);
    expect(decision.toShed[0]?.throughputKBps).toBeCloseTo(225);
    expect(decision.toShed[1]?.throughputKBps).toBeCloseTo(60);
  });

  it('takes from the most loaded worker when only one is below the band', () => {
    const decision = decideVariance(
      [
        { workerId: 'a', load: 54, throughputKBps: 100 },
        { workerId: 'b', load: 53, throughputKBps: 100 },
        { workerId: 'c', load: 53, throughputKBps: 100 },
        { workerId: 'd', load: 40, throughputKBps: 100 },
      ],
      10,
      60,
    );
    expect(decision.rebalance).toBe(true);
    expect(decision.toShed.map((s) => s.workerId)).toEqual(['a']);
  });

  it('never rebalances a single worker', () => {
    expect(decideVariance([{ workerId: 'a', load: 90, throughputKBps: 1 }], 10, 60).rebalance).toBe(false);
  });
});
