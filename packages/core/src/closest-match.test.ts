import { describe, expect, it } from 'vitest';
import { closestMatch, editDistance } from './closest-match.js';

describe('closestMatch', () => {
  it('finds a mistyped command or flag, swapped letters counting as one edit', () => {
    expect(closestMatch('tial', ['tail', 'put', 'lag'])).toBe('tail');
    expect(closestMatch('--endpiont', ['--endpoint', '--region'])).toBe('--endpoint');
    expect(closestMatch('LEASES', ['leases', 'lag'])).toBe('leases');
  });

  it('suggests nothing when no candidate is close enough to be what was meant', () => {
    expect(closestMatch('xyz', ['tail', 'put'])).toBeUndefined();
    expect(closestMatch('replay', ['put', 'lag'])).toBeUndefined();
  });

  it('counts insertions, deletions, substitutions and neighbour swaps', () => {
    expect(editDistance('tail', 'tial')).toBe(1);
    expect(editDistance('put', 'putt')).toBe(1);
    expect(editDistance('lag', 'leg')).toBe(1);
    expect(editDistance('', 'abc')).toBe(3);
  });
});
