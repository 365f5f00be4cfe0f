import { describe, expect, it } from 'vitest';
import { pending } from '../../test/pending.js';
import { MAX_ATTEMPTS_KEPT, noAttempts } from './pending-record.js';

describe('PendingRecord#addAttempt', () => {
  const attempt = (n: number) => ({
    startedAt: n,
    delayMs: 0,
    durationMs: 1,
    success: false,
    errorCode: `E${n}`,
  });

  it('keeps the first and the latest attempts, and counts them all', () => {
    const record = pending('k');
    for (let n = 1; n <= 120; n++) record.addAttempt(attempt(n));
    expect(record.attemptCount).toBe(120);
    expect(record.attempts).toHaveLength(MAX_ATTEMPTS_KEPT);
    expect(record.attempts[0]!.startedAt).toBe(1);
    expect(record.attempts.at(-1)!.startedAt).toBe(120);
    expect(record.attempts[1]!.startedAt).toBe(120 - MAX_ATTEMPTS_KEPT + 2);
  });

  it('never writes to the shared empty list', () => {
    const record = pending('k');
    record.addAttempt(attempt(1));
    expect(noAttempts()).toEqual([]);
    expect(pending('other').attempts).toEqual([]);
  });
});
