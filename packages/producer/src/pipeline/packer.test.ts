import { deaggregate } from '@kinesis-ts/core';
import { describe, expect, it } from 'vitest';
import { pending } from '../../test/pending.js';
import { type PackLimits, packRecords } from './packer.js';
import { RecordQueue } from './record-queue.js';

const limits: PackLimits = {
  aggregation: true,
  maxAggregateSizeBytes: 51_200,
  maxAggregateRecords: Number.POSITIVE_INFINITY,
  maxRecordSizeBytes: 1024 * 1024,
  preserveKeyOrder: true,
  maxEntries: 500,
  maxBytes: 5 * 1024 * 1024,
  tokens: { records: 1000, bytes: 10 * 1024 * 1024 },
};

function queueOf(...records: ReturnType<typeof pending>[]) {
  const queue = new RecordQueue();
  for (const record of records) queue.push(record);
  return queue;
}

const keysOf = (queue: RecordQueue) =>
  Array.from({ length: queue.length }, (_, i) => queue.at(i)!.partitionKey);

describe('packRecords', () => {
  it("packs a shard queue into one aggregate, each key's records together and in order", () => {
    const queue = queueOf(pending('a', '1'), pending('b', '2'), pending('a', '3'));
    const [entry, ...rest] = packRecords(queue, limits);
    expect(rest).toEqual([]);
    expect(entry!.entry.partitionKey).toBe('a'); // the KPL's key for aggregates
    expect(entry!.entry.aggregated).toBe(true);
    const decoded = deaggregate({ partitionKey: 'a', data: entry!.entry.data, sequenceNumber: '1' });
    expect(decoded.map((r) => `${r.partitionKey}${Buffer.from(r.data).toString()}`)).toEqual([
      'a1',
      'a3',
      'b2',
    ]);
    expect(entry!.sizeBytes).toBe(entry!.entry.data.byteLength + 1);
    expect(queue.length).toBe(0);
  });

  it('groups thousands of records of a few keys, each key in one aggregate and in put order', () => {
    const records = Array.from({ length: 3_000 }, (_, i) => pending(`k${i % 3}`, String(i)));
    const entries = packRecords(queueOf(...records), { ...limits, maxAggregateSizeBytes: 1024 * 1024 });
    const decoded = entries.flatMap(({ entry }) =>
      deaggregate({ partitionKey: 'a', data: entry.data, sequenceNumber: '1' }),
    );
    expect(entries).toHaveLength(1);
    for (const key of ['k0', 'k1', 'k2']) {
      const values = decoded
        .filter((r) => r.partitionKey === key)
        .map((r) => Number(Buffer.from(r.data).toString()));
      expect(values).toEqual(
        records.filter((r) => r.partitionKey === key).map((r) => Number(Buffer.from(r.data).toString())),
      );
    }
    expect(decoded.map((r) => r.partitionKey).slice(0, 3)).toEqual(['k0', 'k0', 'k0']);
  });

  it('keeps each key in one aggregate, holding back what does not fit for the next request', () => {
    const queue = queueOf(
      pending('a', 'x'.repeat(60)),
      pending('b', 'y'.repeat(60)),
      pending('a', 'z'.repeat(60)),
      pending('a', 'v'.repeat(60)),
      pending('c', 'w'),
    );
    const entries = packRecords(queue, { ...limits, maxAggregateSizeBytes: 200 });
    expect(entries.map((e) => e.records.map((r) => r.partitionKey))).toEqual([
      ['a', 'a'],
      ['b', 'c'],
    ]);
    expect(keysOf(queue)).toEqual(['a']); // a's third record waits for the next request
    expect(queue.at(0)!.data[0]).toBe('v'.charCodeAt(0));
  });

  it('fills a request with many aggregates when the shard has many keys waiting', () => {
    const records = Array.from({ length: 2000 }, (_, i) => pending(`key-${i % 100}`, 'x'.repeat(100)));
    const queue = queueOf(...records);
    const entries = packRecords(queue, limits);
    expect(entries.length).toBeGreaterThan(3);
    expect(queue.length).toBe(0);
    const keysPerEntry = entries.map((e) => new Set(e.records.map((r) => r.partitionKey)));
    const allKeys = keysPerEntry.flatMap((keys) => [...keys]);
    expect(new Set(allKeys).size).toBe(allKeys.length); // no key in two entries
  });

  it('opens another aggregate only while the room left holds minRoomToOpenAggregate, after the first', () => {
    // 2,000 records of 100 bytes, each key its own, and room for 120 KB: two aggregates of about
    // 50 KB, and what is left.
    const records = Array.from({ length: 2000 }, (_, i) => pending(`key-${i}`, 'x'.repeat(100)));
    const room = { ...limits, tokens: { records: 1000, bytes: 120_000 } };
    const all = packRecords(queueOf(...records), room);
    expect(all).toHaveLength(3);
    expect(all[2]!.sizeBytes).toBeLessThan(20_000); // a small third entry with what was left
    const whole = packRecords(queueOf(...records), { ...room, minRoomToOpenAggregate: 51_200 });
    expect(whole).toHaveLength(2);
    expect(whole.every((entry) => entry.sizeBytes > 50_000)).toBe(true);
    // The first aggregate of a pass opens whatever the room.
    const first = packRecords(queueOf(...records), {
      ...room,
      tokens: { records: 1000, bytes: 30_000 },
      minRoomToOpenAggregate: 51_200,
    });
    expect(first).toHaveLength(1);
  });

  it('lets a key repeat across entries when order does not matter', () => {
    const queue = queueOf(
      pending('a', 'x'.repeat(60)),
      pending('b', 'y'.repeat(60)),
      pending('a', 'z'.repeat(60)),
    );
    const entries = packRecords(queue, { ...limits, maxAggregateSizeBytes: 200, preserveKeyOrder: false });
    expect(entries.map((e) => e.records.map((r) => r.partitionKey))).toEqual([['a', 'b'], ['a']]);
    expect(queue.length).toBe(0);
  });

  it('without aggregation, sends one record per entry and a key once per request when ordered', () => {
    const queue = queueOf(
      pending('a', '1'),
      pending('b', '2'),
      pending('a', '3'),
      pending('c', '4'),
      pending('a', '5'),
    );
    const entries = packRecords(queue, { ...limits, aggregation: false });
    expect(entries.map((e) => e.records[0]!.partitionKey)).toEqual(['a', 'b', 'c']);
    expect(entries.every((e) => !e.entry.aggregated)).toBe(true);
    expect(keysOf(queue)).toEqual(['a', 'a']);
    expect(queue.at(0)!.data).toEqual(new Uint8Array(Buffer.from('3')));
  });

  it('stops at the request entry limit and leaves the rest queued in order', () => {
    const queue = queueOf(...['a', 'b', 'c', 'd'].map((k) => pending(k)));
    const entries = packRecords(queue, { ...limits, aggregation: false, maxEntries: 2 });
    expect(entries).toHaveLength(2);
    expect(keysOf(queue)).toEqual(['c', 'd']);
  });

  it('stops at the request byte limit, counting partition keys', () => {
    const queue = queueOf(pending('aa', 'x'.repeat(8)), pending('bb', 'y'.repeat(8)));
    const entries = packRecords(queue, { ...limits, aggregation: false, maxBytes: 15 });
    expect(entries).toHaveLength(1);
    expect(entries[0]!.sizeBytes).toBe(10);
  });

  it('spends at most the shard tokens: one record token per entry, bytes per entry size', () => {
    const records = ['a', 'b', 'c'].map((k) => pending(k, 'x'.repeat(10)));
    const byRecords = packRecords(queueOf(...records), {
      ...limits,
      aggregation: false,
      tokens: { records: 2, bytes: 1e9 },
    });
    expect(byRecords).toHaveLength(2);
    const byBytes = packRecords(queueOf(...records.map((r) => pending(r.partitionKey, r.data))), {
      ...limits,
      aggregation: false,
      tokens: { records: 100, bytes: 22 },
    });
    expect(byBytes).toHaveLength(2);
    expect(packRecords(queueOf(pending('a')), { ...limits, tokens: { records: 0.9, bytes: 1e9 } })).toEqual(
      [],
    );
  });

  it('sends a record larger than the aggregate limit alone, as a raw entry', () => {
    const queue = queueOf(pending('small', 'x'), pending('big', new Uint8Array(2000)), pending('after', 'y'));
    const entries = packRecords(queue, { ...limits, maxAggregateSizeBytes: 1000 });
    expect(entries.map((e) => [e.records.map((r) => r.partitionKey), e.entry.aggregated])).toEqual([
      [['small'], false],
      [['big'], false],
      [['after'], false],
    ]);
  });

  it('keeps an aggregate with its outer key inside the request byte room', () => {
    const queue = queueOf(...Array.from({ length: 20 }, (_, i) => pending(`k${i}`, 'x'.repeat(20))));
    const entries = packRecords(queue, { ...limits, maxBytes: 200 });
    const total = entries.reduce((sum, e) => sum + e.sizeBytes, 0);
    expect(total).toBeLessThanOrEqual(200);
    expect(entries[0]!.entry.data.byteLength + 1).toBe(entries[0]!.sizeBytes);
  });

  it('gives up after skipping maxSkipped records of waiting keys', () => {
    const queue = queueOf(...Array.from({ length: 10 }, () => pending('same')), pending('other'));
    const entries = packRecords(queue, { ...limits, aggregation: false, maxSkipped: 3 });
    expect(entries).toHaveLength(1);
    expect(queue.length).toBe(10);
  });
});
