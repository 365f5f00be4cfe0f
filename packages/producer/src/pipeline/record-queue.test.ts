import { describe, expect, it } from 'vitest';
import { pending } from '../../test/pending.js';
import { RecordQueue } from './record-queue.js';

const keys = (queue: RecordQueue) =>
  Array.from({ length: queue.length }, (_, i) => queue.at(i)!.partitionKey);

describe('RecordQueue', () => {
  it('keeps skipped records at the front, before those not yet looked at', () => {
    const queue = new RecordQueue();
    for (const key of ['a', 'b', 'c', 'd', 'e']) queue.push(pending(key));
    queue.removeWalked(3, [queue.at(1)!]); // took a and c, skipped b
    expect(keys(queue)).toEqual(['b', 'd', 'e']);
  });

  it('puts retried records back at the front in their order, with or without room before the head', () => {
    const queue = new RecordQueue();
    for (const key of ['a', 'b', 'c']) queue.push(pending(key));
    queue.removeWalked(2, []);
    queue.unshiftAll([pending('x'), pending('y')]);
    expect(keys(queue)).toEqual(['x', 'y', 'c']);
    queue.unshiftAll([pending('p'), pending('q'), pending('r')]);
    expect(keys(queue)).toEqual(['p', 'q', 'r', 'x', 'y', 'c']);
  });

  it('removes matching records and drains the rest in order', () => {
    const queue = new RecordQueue();
    for (const key of ['a', 'b', 'c', 'd'])
      queue.push(pending(key, 'x', { expiresAt: key === 'b' || key === 'd' ? 1 : 100 }));
    expect(queue.removeWhere((r) => r.arrival.expiresAt < 10).map((r) => r.partitionKey)).toEqual(['b', 'd']);
    expect(queue.drain().map((r) => r.partitionKey)).toEqual(['a', 'c']);
    expect(queue.length).toBe(0);
  });

  it('stays correct through many takes, compacting as it goes', () => {
    const queue = new RecordQueue();
    for (let i = 0; i < 5000; i++) queue.push(pending(`k${i}`));
    for (let taken = 0; taken < 4990; taken += 10) queue.removeWalked(10, []);
    expect(keys(queue)).toEqual(Array.from({ length: 10 }, (_, i) => `k${4990 + i}`));
  });

  it('expires the front of a lane in expiry order without looking at the rest of it', () => {
    const queue = new RecordQueue();
    let reads = 0;
    /** A record whose expiresAt counts its reads. */
    const counted = (key: string, expiresAt: number) => {
      const record = pending(key, 'x', { expiresAt });
      Object.defineProperty(record.arrival, 'expiresAt', {
        get: () => {
          reads++;
          return expiresAt;
        },
      });
      return record;
    };
    for (let i = 0; i < 100_000; i++) queue.push(counted(`k${i}`, 1_000 + i));
    reads = 0;
    const expired = queue.removeExpired(1_009); // the first ten
    expect(expired.map((r) => r.partitionKey)).toEqual(Array.from({ length: 10 }, (_, i) => `k${i}`));
    expect(queue.length).toBe(99_990);
    expect(reads).toBeLessThanOrEqual(11); // the ten expired and the first that is not: not 100,000
  });

  it('still finds an expired record behind a newer one that a retry put back in front of it', () => {
    const queue = new RecordQueue();
    for (const key of ['c', 'd']) queue.push(pending(key, 'x', { expiresAt: 300 }));
    // Two requests were in flight: the newer one's records came back first, the older's after them.
    queue.unshiftAll([pending('older', 'x', { expiresAt: 100 })]);
    queue.unshiftAll([pending('newer', 'x', { expiresAt: 200 })]);
    expect(keys(queue)).toEqual(['newer', 'older', 'c', 'd']);
    expect(queue.removeExpired(150).map((r) => r.partitionKey)).toEqual(['older']);
    expect(keys(queue)).toEqual(['newer', 'c', 'd']);
    expect(queue.removeExpired(250).map((r) => r.partitionKey)).toEqual(['newer']);
  });
});
