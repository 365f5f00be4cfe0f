import { describe, expect, it } from 'vitest';
import { FlushWaiters } from './flush-waiters.js';

const withSequences = (first: number, last: number) =>
  Array.from({ length: last - first + 1 }, (_, i) => ({ sequence: first + i }));
const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('FlushWaiters', () => {
  it('counts a settled entry whole for a flush put after all its records, and only its earlier records for one put among them', async () => {
    const waiters = new FlushWaiters();
    const resolved: string[] = [];
    // flush() after record 5 (five records outstanding), then after record 10 (ten).
    void waiters.wait(5, 5).then(() => resolved.push('up to 5'));
    void waiters.wait(10, 10).then(() => resolved.push('up to 10'));

    waiters.settled(1);
    waiters.settled(2);
    waiters.settledAll(withSequences(3, 8), 3, 8); // 3, 4 and 5 count for the first flush
    await settle();
    expect(resolved).toEqual(['up to 5']);

    waiters.settledAll(withSequences(9, 9), 9, 9);
    waiters.settledAll(withSequences(11, 12), 11, 12); // put after the second flush: not counted
    await settle();
    expect(resolved).toEqual(['up to 5']);

    waiters.settled(10);
    await settle();
    expect(resolved).toEqual(['up to 5', 'up to 10']);
  });
});
