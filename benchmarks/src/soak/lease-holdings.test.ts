import { describe, expect, it } from 'vitest';
import type { LogLine } from './delivery-log.js';
import { leaseHoldings } from './lease-holdings.js';

function lease(
  w: string,
  t: number,
  kind: 'taken' | 'lost' | 'released',
  s: string,
  written?: boolean,
): LogLine {
  return { e: 'lease', w, t, kind, s, written };
}

describe('leaseHoldings', () => {
  it('counts the leases a worker holds at once, and names a worker that went over the cap', () => {
    const holdings = leaseHoldings(
      [
        lease('w1.1', 1, 'taken', 'a'),
        lease('w1.1', 2, 'taken', 'b'),
        lease('w1.1', 3, 'lost', 'a'),
        lease('w1.1', 4, 'taken', 'c'),
        lease('w2.1', 5, 'taken', 'a'),
        lease('w2.1', 6, 'taken', 'd'),
        lease('w2.1', 7, 'taken', 'e'),
      ],
      2,
    );
    expect(holdings.maxHeld).toBe(3);
    expect(holdings.maxHeldBy).toBe('w2.1');
    expect(holdings.overCap).toEqual([{ workerId: 'w2.1', held: 3 }]);
  });

  it('reports failed releases and the leases a worker still held when its stop finished', () => {
    const holdings = leaseHoldings(
      [
        lease('w1.1', 1, 'taken', 'a'),
        lease('w1.1', 2, 'taken', 'b'),
        lease('w1.1', 3, 'taken', 'c'),
        lease('w1.1', 10, 'released', 'a', true),
        lease('w1.1', 11, 'released', 'b', false),
        { e: 'stopped', w: 'w1.1', t: 12 },
      ],
      3,
    );
    expect(holdings.overCap).toEqual([]);
    expect(holdings.failedReleases).toBe(1);
    expect(holdings.heldAtStop).toEqual([{ workerId: 'w1.1', leases: ['c'] }]);
  });
});
