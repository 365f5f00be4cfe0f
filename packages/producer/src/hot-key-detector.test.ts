import { describe, expect, it } from 'vitest';
import { HotKeyDetector } from './hot-key-detector.js';

describe('HotKeyDetector', () => {
  it('reports a key at 12% with a 5% threshold when its window ends (SC-05)', () => {
    const detector = new HotKeyDetector(0.05, 1000, 0);
    for (let i = 0; i < 10_000; i++) detector.observe(i % 25 < 3 ? 'hot' : `key-${i}`, 10);
    const [hot, ...others] = detector.observe('next', 1000);
    expect(others).toEqual([]);
    expect(hot!.key).toBe('hot');
    expect(hot!.share).toBeGreaterThan(0.11);
    expect(hot!.share).toBeLessThanOrEqual(0.12);
  });

  it('reports nothing when no key exceeds the threshold', () => {
    const detector = new HotKeyDetector(0.05, 1000, 0);
    for (let i = 0; i < 10_000; i++) detector.observe(`key-${i % 25}`, 10); // 4% each
    expect(detector.closeWindow(1000)).toEqual([]);
  });

  it('reports nothing for windows with too few records', () => {
    const detector = new HotKeyDetector(0.05, 1000, 0);
    for (let i = 0; i < 50; i++) detector.observe('only', 10);
    expect(detector.closeWindow(1000)).toEqual([]);
  });

  it('keeps a bounded number of counters whatever the number of keys', () => {
    const detector = new HotKeyDetector(0.1, 1000, 0);
    for (let i = 0; i < 100_000; i++) detector.observe(`key-${i}`, 10);
    expect((detector as unknown as { counters: Map<string, number> }).counters.size).toBeLessThanOrEqual(100);
  });

  it('past the first 4,096 records of a window, counts about one record in eight', () => {
    let seed = 42;
    const random = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648; // a seeded LCG, for a repeatable run
      return seed / 2_147_483_648;
    };
    const detector = new HotKeyDetector(0.1, 1000, 0, 100, random);
    for (let i = 0; i < 4_096 + 80_000; i++) detector.observe('only', 10);
    const sampled = (detector as unknown as { sampled: number }).sampled;
    expect(sampled - 4_096).toBeGreaterThan(10_000 * 0.95);
    expect(sampled - 4_096).toBeLessThan(10_000 * 1.05);
    expect(detector.closeWindow(1000)).toMatchObject([{ key: 'only', share: 1, total: 84_096 }]);
  });

  it('keeps counting when the random source returns values at the top of its range', () => {
    const detector = new HotKeyDetector(0.1, 1000, 0, 100, () => 1);
    for (let i = 0; i < 4_096 + 1_000; i++) detector.observe('only', 10);
    // The longest skip a draw just below 1 gives is 269 records: several are counted in 1,000.
    expect((detector as unknown as { sampled: number }).sampled).toBeGreaterThan(4_096 + 3);
  });
});
