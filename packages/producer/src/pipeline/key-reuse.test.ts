import { describe, expect, it } from 'vitest';
import { HashKeyCache } from './hash-key-cache.js';
import { KeyReuse } from './key-reuse.js';

/** How many of `count` new keys `reuse` says to remember, each looked up (and missed) first. */
function remembered(reuse: KeyReuse, count: number): number {
  let kept = 0;
  for (let i = 0; i < count; i++) {
    reuse.looked(false);
    if (reuse.shouldRemember()) kept++;
  }
  return kept;
}

describe('KeyReuse', () => {
  it('remembers every new key until a window of lookups shows that keys do not come back', () => {
    const reuse = new KeyReuse();
    expect(remembered(reuse, 1023)).toBe(1023);
    // The 1,024th lookup closes a window without a hit: from then on, one new key in 16.
    expect(remembered(reuse, 1 + 1024 * 4)).toBe(Math.floor((1 + 1024 * 4) / 16));
  });

  it('remembers every new key again once one lookup in eight finds its key', () => {
    const reuse = new KeyReuse();
    remembered(reuse, 1024); // no reuse
    for (let i = 0; i < 1024; i++) reuse.looked(i % 8 === 0); // 128 hits in 1,024
    expect(remembered(reuse, 100)).toBe(100);
  });

  it('keeps a cache of keys that never repeat from inserting each one', () => {
    const cache = new HashKeyCache();
    for (let i = 0; i < 20_000; i++) {
      const key = `unique-${i}`;
      if (cache.known(key) === undefined) cache.facts(key);
    }
    const size = (cache as unknown as { hashKeys: Map<string, unknown> }).hashKeys.size;
    // The keys before the first window closed (1,023), then one in 16 of the rest.
    expect(size).toBe(1023 + Math.floor((20_000 - 1023) / 16));
  });
});
