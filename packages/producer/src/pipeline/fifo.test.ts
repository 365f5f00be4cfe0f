import { describe, expect, it } from 'vitest';
import { Fifo } from './fifo.js';

describe('Fifo', () => {
  it('gives items back in the order they came, across growth and wrap-around', () => {
    const fifo = new Fifo<number>();
    const out: number[] = [];
    let next = 0;
    // Interleave pushes and shifts so the ring wraps around while it grows.
    for (let round = 0; round < 50; round++) {
      for (let i = 0; i < round + 3; i++) fifo.push(next++);
      for (let i = 0; i < round; i++) out.push(fifo.shift()!);
    }
    while (fifo.length > 0) out.push(fifo.shift()!);
    expect(out).toEqual(Array.from({ length: next }, (_, i) => i));
    expect(fifo.shift()).toBeUndefined();
    expect(fifo.peek()).toBeUndefined();
  });

  it('peeks at the front without taking it', () => {
    const fifo = new Fifo<string>();
    fifo.push('a');
    fifo.push('b');
    expect(fifo.peek()).toBe('a');
    expect(fifo.length).toBe(2);
  });
});
