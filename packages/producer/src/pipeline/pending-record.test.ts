import { describe, expect, it } from 'vitest';
import { pending } from '../../test/pending.js';
import {
  addAttempt,
  failedAttemptCount,
  failedAttempts,
  MAX_ATTEMPTS_KEPT,
  noAttempts,
} from './pending-record.js';

describe('addAttempt', () => {
  const attempt = (n: number) => ({
    startedAt: n,
    delayMs: 0,
    durationMs: 1,
    success: false,
    errorCode: `E${n}`,
  });

  it('keeps the first and the latest attempts, and counts them all', () => {
    const record = pending('k');
    for (let n = 1; n <= 120; n++) addAttempt(record, attempt(n));
    expect(failedAttemptCount(record)).toBe(120);
    expect(failedAttempts(record)).toHaveLength(MAX_ATTEMPTS_KEPT);
    expect(failedAttempts(record)[0]!.startedAt).toBe(1);
    expect(failedAttempts(record).at(-1)!.startedAt).toBe(120);
    expect(failedAttempts(record)[1]!.startedAt).toBe(120 - MAX_ATTEMPTS_KEPT + 2);
  });

  it('never writes to the shared empty list', () => {
    const record = pending('k');
    addAttempt(record, attempt(1));
    expect(noAttempts()).toEqual([]);
    expect(failedAttempts(pending('other'))).toEqual([]);
  });
});
