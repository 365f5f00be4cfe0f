import { describe, expect, it } from 'vitest';
import { parallelByKey } from './parallel-by-key.js';
import { PartialBatchFailureError, SequenceRegressionError } from './processing-errors.js';
import {
  detectSequenceRegressions,
  type SequenceRegression,
  SequenceRegressionDetector,
} from './sequence-regression.js';

interface Event {
  readonly partitionKey: string;
  readonly sequenceNumber: string;
  readonly subSequenceNumber: number;
  readonly seq?: number;
}

let position = 1_000;
const event = (partitionKey: string, seq?: number): Event => ({
  partitionKey,
  sequenceNumber: String(position++),
  subSequenceNumber: 0,
  seq,
});

describe('SequenceRegressionDetector', () => {
  it('tells in-order records, stream redeliveries, producer duplicates and regressions apart', () => {
    const detector = new SequenceRegressionDetector();
    const at = (n: number) => ({ sequenceNumber: String(n) });
    expect(detector.check('K', 45n, at(10))).toEqual({ kind: 'in-order' });
    detector.record('K', 45n, at(10));
    expect(detector.check('K', 46n, at(11))).toEqual({ kind: 'in-order' });
    expect(detector.check('K', 41n, at(9))).toEqual({ kind: 'redelivery' });
    expect(detector.check('K', 45n, at(10))).toEqual({ kind: 'redelivery' });
    expect(detector.check('K', 45n, at(12))).toEqual({ kind: 'duplicate' });
    expect(detector.check('K', 41n, at(12))).toEqual({ kind: 'regression', previous: 45n });
    expect(detector.check('other', 1n, at(12))).toEqual({ kind: 'in-order' });
  });

  it('does not move the mark backwards', () => {
    const detector = new SequenceRegressionDetector();
    detector.record('K', 45n, { sequenceNumber: '10' });
    detector.record('K', 41n, { sequenceNumber: '11' });
    expect(detector.check('K', 44n, { sequenceNumber: '12' })).toEqual({ kind: 'regression', previous: 45n });
  });

  it('forgets the least recently seen keys beyond maxKeys', () => {
    const detector = new SequenceRegressionDetector({ maxKeys: 2 });
    detector.record('a', 5n, { sequenceNumber: '1' });
    detector.record('b', 5n, { sequenceNumber: '2' });
    detector.record('a', 6n, { sequenceNumber: '3' });
    detector.record('c', 5n, { sequenceNumber: '4' });
    expect(detector.size).toBe(2);
    expect(detector.check('b', 1n, { sequenceNumber: '9' })).toEqual({ kind: 'in-order' }); // forgotten
    expect(detector.check('a', 1n, { sequenceNumber: '9' }).kind).toBe('regression');
  });
});

describe('detectSequenceRegressions', () => {
  it('emits a regression when a key sees 41 after 45, and processes it by default (SC-37)', async () => {
    const regressions: SequenceRegression<Event>[] = [];
    const processed: number[] = [];
    const handle = detectSequenceRegressions<Event, undefined>((e) => void processed.push(e.seq!), {
      sequenceOf: (e) => e.seq,
      onRegression: (r) => regressions.push(r),
    });
    for (const e of [event('K', 44), event('K', 45), event('J', 3), event('K', 41), event('K', 46)]) {
      await handle(e, undefined);
    }
    expect(regressions.map((r) => [r.key, r.sequence, r.previous])).toEqual([['K', 41n, 45n]]);
    expect(processed).toEqual([44, 45, 3, 41, 46]);
  });

  it('skips or rejects regressed records by policy', async () => {
    const processed: number[] = [];
    const skip = detectSequenceRegressions<Event, undefined>((e) => void processed.push(e.seq!), {
      sequenceOf: (e) => e.seq,
      policy: 'skip',
    });
    for (const e of [event('K', 45), event('K', 41), event('K', 46)]) await skip(e, undefined);
    expect(processed).toEqual([45, 46]);

    const reject = detectSequenceRegressions<Event, undefined>(() => {}, {
      sequenceOf: (e) => e.seq,
      policy: 'reject',
    });
    await reject(event('K', 45), undefined);
    const error = await reject(event('K', 41), undefined).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SequenceRegressionError);
    expect(error).toMatchObject({ code: 'SEQUENCE_REGRESSION', key: 'K', sequence: 41n, previous: 45n });
  });

  it('does not count a redelivery after a failure as a regression, and only processed records move the mark', async () => {
    const regressions: unknown[] = [];
    let fail = true;
    const handler = parallelByKey(
      detectSequenceRegressions<Event, undefined>(
        (e) => {
          if (fail && e.seq === 3) throw new Error('transient');
        },
        { sequenceOf: (e) => e.seq, onRegression: (r) => regressions.push(r) },
      ),
      { concurrency: 1 },
    );
    const batch = [event('K', 1), event('K', 2), event('K', 3), event('K', 4)];
    await expect(handler(batch, undefined)).rejects.toBeInstanceOf(PartialBatchFailureError);
    fail = false;
    await handler(batch, undefined); // the whole batch again, as after a plain failure or a failover
    expect(regressions).toEqual([]);
  });

  it('passes records without a sequence through, and refuses a sequence that is not an integer', async () => {
    const processed: string[] = [];
    const handle = detectSequenceRegressions<Event, undefined>((e) => void processed.push(e.partitionKey), {
      sequenceOf: (e) => (e.seq === undefined ? undefined : e.seq === -1 ? 'x' : e.seq),
    });
    await handle(event('none'), undefined);
    expect(processed).toEqual(['none']);
    await expect(handle(event('bad', -1), undefined)).rejects.toThrow(/sequenceOf/);
  });
});
