import { describe, expect, it } from 'vitest';
import { pending } from '../../test/pending.js';
import type { Attempt } from '../attempt.js';
import { PutManyBatch } from '../put-many-batch.js';
import { addAttempt, MAX_ATTEMPTS_KEPT, setLastAttemptEndedAt } from './pending-record.js';
import { EntryResults, WrittenResult } from './written-result.js';

const timing = { startedAt: 1_000, durationMs: 20, endedAt: 1_020 };
const failed = (i: number): Attempt => ({
  startedAt: i,
  delayMs: 0,
  durationMs: 1,
  success: false,
  errorCode: `E${i}`,
  errorMessage: 'no',
});

describe('WrittenResult', () => {
  it('reports the successful attempt after the earlier ones, built once when read', () => {
    const result = new WrittenResult('shardId-1', '42', true, 2, [failed(1)], timing, 300);
    expect(result.attempts).toEqual([
      failed(1),
      { startedAt: 1_000, delayMs: 300, durationMs: 20, success: true },
    ]);
    expect(result.attempts).toBe(result.attempts);
    expect(result).toMatchObject({
      shardId: 'shardId-1',
      sequenceNumber: '42',
      aggregated: true,
      attemptCount: 2,
    });
  });

  it('keeps the first and the latest attempts when there were more than the most kept', () => {
    const earlier = Array.from({ length: MAX_ATTEMPTS_KEPT }, (_, i) => failed(i));
    const result = new WrittenResult('s', '1', false, 15, earlier, timing, 0);
    expect(result.attempts).toHaveLength(MAX_ATTEMPTS_KEPT);
    expect(result.attempts.map((a) => a.errorCode ?? 'written')).toEqual([
      'E0',
      ...earlier.slice(2).map((a) => a.errorCode),
      'written',
    ]);
    expect(earlier).toHaveLength(MAX_ATTEMPTS_KEPT); // the record's own list is not changed
  });

  it('shows its attempts when written as JSON, and nothing private', () => {
    const result = new WrittenResult('s', '1', false, 1, [], timing, 5);
    expect(JSON.parse(JSON.stringify(result))).toEqual({
      shardId: 's',
      sequenceNumber: '1',
      aggregated: false,
      attemptCount: 1,
      attempts: [{ startedAt: 1_000, delayMs: 5, durationMs: 20, success: true }],
    });
  });
});

describe('EntryResults', () => {
  const results = () => new EntryResults('shardId-1', '42', true, timing);

  it('gives records written at their first attempt, accepted in the same millisecond, one shared result', () => {
    const entry = results();
    const a = entry.resultFor(pending('a', 'x', { arrivedAt: 900 }));
    const b = entry.resultFor(pending('b', 'y', { arrivedAt: 900 }));
    const later = entry.resultFor(pending('c', 'z', { arrivedAt: 950 }));
    expect(b).toBe(a);
    expect(later).not.toBe(a);
    expect(a.attempts).toEqual([{ startedAt: 1_000, delayMs: 100, durationMs: 20, success: true }]);
    expect(later.attempts[0]!.delayMs).toBe(50);
    expect(a).toMatchObject({
      shardId: 'shardId-1',
      sequenceNumber: '42',
      aggregated: true,
      attemptCount: 1,
    });
  });

  it('gives a record with earlier attempts a result of its own, with those attempts', () => {
    const entry = results();
    const first = entry.resultFor(pending('a', 'x', { arrivedAt: 900 }));
    const retried = pending('b', 'y', { arrivedAt: 900 });
    addAttempt(retried, failed(910));
    setLastAttemptEndedAt(retried, 930);
    const result = entry.resultFor(retried);
    expect(result).not.toBe(first);
    expect(result.attemptCount).toBe(2);
    expect(result.attempts).toEqual([
      failed(910),
      { startedAt: 1_000, delayMs: 70, durationMs: 20, success: true },
    ]);
  });

  it('gives an arrival met again, after others, the result it had (records come key by key, each key in put order)', () => {
    const entry = results();
    const arrival = (arrivedAt: number) => ({
      arrivedAt,
      expiresAt: arrivedAt + 30_000,
      dueAt: arrivedAt + 100,
    });
    const [at900, at950, at975] = [arrival(900), arrival(950), arrival(975)];
    const arrivals = [at900, at950, at900, at975, at950, at900];
    const given = arrivals.map((each) => entry.firstAttemptResultOf(each));
    expect(given[2]).toBe(given[0]);
    expect(given[5]).toBe(given[0]);
    expect(given[4]).toBe(given[1]);
    expect(new Set(given).size).toBe(3);
    expect(given.map((result) => result.attempts[0]!.delayMs)).toEqual([100, 50, 100, 25, 50, 100]);
  });

  it('freezes the results it shares, so one record cannot change another’s', () => {
    const result = results().resultFor(pending('a'));
    expect(Object.isFrozen(result)).toBe(true);
    expect(() => {
      (result as { shardId: string }).shardId = 'other';
    }).toThrow(TypeError);
  });
});

describe('PutManyBatch', () => {
  it('gives records of different batches written with one result one frozen item', () => {
    const shared = new WrittenResult('shardId-1', '42', true, 1, [], timing, 10);
    const first = new PutManyBatch(2, () => undefined);
    const second = new PutManyBatch(1, () => undefined);
    first.resolve(shared, 1);
    second.resolve(shared, 0);
    first.resolve(new WrittenResult('shardId-1', '43', true, 1, [], timing, 10), 0);
    expect(first.results[1]).toBe(second.results[0]);
    expect(first.results[1]).toEqual({ status: 'fulfilled', value: shared });
    expect(Object.isFrozen(first.results[1])).toBe(true);
    expect(first.results[0]).not.toBe(first.results[1]);
  });
});
