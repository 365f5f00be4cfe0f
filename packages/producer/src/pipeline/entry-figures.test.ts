import { describe, expect, it } from 'vitest';
import { pending } from '../../test/pending.js';
import { EntryFigures } from './entry-figures.js';
import {
  addAttempt,
  lastAttemptEndedAt,
  newPendingRecord,
  type RecordArrival,
  type RecordSettler,
  setLastAttemptEndedAt,
} from './pending-record.js';

const EPOCH = 1_765_000_000_000; // a time since the epoch, as Date.now() gives

describe('EntryFigures', () => {
  it('gives what a pass over the records would: data bytes, earliest expiry, waits and failed attempts', () => {
    const records = [
      pending('a', 'xx', { arrivedAt: EPOCH, expiresAt: EPOCH + 30_000 }),
      pending('b', 'yyyy', { arrivedAt: EPOCH + 7, expiresAt: EPOCH + 30_007 }),
      pending('c', 'z', { arrivedAt: EPOCH + 3, expiresAt: EPOCH + 20_000 }),
    ];
    addAttempt(records[2]!, { startedAt: EPOCH + 10, delayMs: 7, durationMs: 5, success: false });
    addAttempt(records[2]!, { startedAt: EPOCH + 20, delayMs: 5, durationMs: 5, success: false });
    setLastAttemptEndedAt(records[2]!, EPOCH + 25);
    const figures = EntryFigures.of(records);
    const startedAt = EPOCH + 40;

    expect(figures.count).toBe(3);
    expect(figures.dataBytes).toBe(7);
    expect(figures.earliestExpiresAt).toBe(EPOCH + 20_000);
    const waits = records.map((record) => startedAt - lastAttemptEndedAt(record));
    expect(figures.waitedSumMs(startedAt)).toBe(waits.reduce((sum, wait) => sum + wait, 0));
    expect(startedAt - figures.latestLastEndedAt).toBe(Math.min(...waits));
    expect(startedAt - figures.earliestLastEndedAt).toBe(Math.max(...waits));
    expect([figures.fewestFailedAttempts, figures.mostFailedAttempts, figures.failedAttemptsSum]).toEqual([
      0, 2, 2,
    ]);
  });

  it('sums the waits of many records exactly, although each time is about 1.8e12', () => {
    const records = Array.from({ length: 10_000 }, (_, i) =>
      pending(`k${i}`, 'x', { arrivedAt: EPOCH + (i % 997) }),
    );
    const startedAt = EPOCH + 5_000;
    const exact = records.reduce((sum, record) => sum + (startedAt - lastAttemptEndedAt(record)), 0);
    expect(EntryFigures.of(records).waitedSumMs(startedAt)).toBe(exact);
  });

  it('keeps what settlement needs without the records: settlers and slots in entry order, runs of one arrival, buffered bytes (putMany records only)', () => {
    const batch: RecordSettler = { resolve: () => undefined, reject: () => undefined, settlesMany: true };
    const otherBatch: RecordSettler = {
      resolve: () => undefined,
      reject: () => undefined,
      settlesMany: true,
    };
    const own: RecordSettler = { resolve: () => undefined, reject: () => undefined };
    const early: RecordArrival = { arrivedAt: EPOCH, expiresAt: EPOCH + 30_000, dueAt: EPOCH + 100 };
    const late: RecordArrival = { arrivedAt: EPOCH + 1, expiresAt: EPOCH + 30_001, dueAt: EPOCH + 101 };
    const made = (key: string, arrival: RecordArrival, settler: RecordSettler, slot: number) =>
      newPendingRecord(
        { partitionKey: key, data: new Uint8Array(10) },
        key,
        new Uint8Array(10),
        undefined,
        1n,
        10 + key.length,
        slot + 1,
        arrival,
        settler,
        slot,
      );
    const records = [
      made('a', early, batch, 4),
      made('bb', early, batch, 9),
      made('c', late, otherBatch, 0),
      made('dd', early, batch, 2),
    ];
    const figures = EntryFigures.of(records);

    expect(figures.settleColumns?.settlers).toEqual([batch, batch, otherBatch, batch]);
    expect(figures.settleColumns?.slots).toEqual([4, 9, 0, 2]);
    expect(figures.settleColumns?.arrivals).toEqual([early, late, early]);
    expect(figures.settleColumns?.arrivalRunStarts).toEqual([0, 2, 3]);
    expect(figures.bufferedBytes).toBe(4 * 10 + 6);
    expect(figures.sequences).toBeUndefined();
    // A record with a promise of its own: the entry settles through put sequences instead.
    const mixed = EntryFigures.of([made('e', early, batch, 1), made('f', early, own, 0)]);
    expect(mixed.settleColumns).toBeUndefined();
    expect(EntryFigures.of([made('g', early, own, 0)]).sequences).toHaveLength(1);
  });
});
