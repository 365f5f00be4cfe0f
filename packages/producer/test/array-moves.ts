import { vi } from 'vitest';

/**
 * Counts the array elements moved or copied by the array methods that make a queue cost more than
 * O(1) per item (`shift`, `unshift` and `splice` move what follows; `slice` and `concat` copy), while
 * `run` runs: an operation count, independent of the machine's speed.
 */
export function countArrayMoves(run: () => void): number {
  let moves = 0;
  const proto = Array.prototype as unknown as Record<string, (...args: unknown[]) => unknown>;
  const spies = (['shift', 'unshift', 'splice', 'slice', 'concat'] as const).map((name) => {
    const original = proto[name]!;
    return vi.spyOn(proto, name).mockImplementation(function (this: unknown[], ...args: unknown[]) {
      moves += this.length;
      return original.apply(this, args);
    });
  });
  try {
    run();
  } finally {
    for (const spy of spies) spy.mockRestore();
  }
  return moves;
}
