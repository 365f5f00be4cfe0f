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
});
