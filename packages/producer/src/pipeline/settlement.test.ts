import { describe, expect, it } from 'vitest';
import { pending } from '../../test/pending.js';
import { packed } from '../../test/retrier-harness.js';
import type { PutResult } from '../attempt.js';
import { MetricsRecorder } from '../metrics.js';
import { ProducerEventEmitter } from '../producer-events.js';
import type { EntryFigures } from './entry-figures.js';
import { addFailedAttempt, type PendingRecord } from './pending-record.js';
import { Settlement, type WrittenEntry } from './settlement.js';

const TIMING = { startedAt: 1_000, durationMs: 20, endedAt: 1_020 };

/** Records with the given put sequences, each telling `settled` when its promise is resolved. */
function recordsWithSequences(
  sequences: number[],
  settled: { sequence: number; result: PutResult }[],
  settlesMany = false,
) {
  return sequences.map((sequence) =>
    pending(`k${sequence}`, 'x', {
      sequence,
      settler: {
        resolve: (result) => settled.push({ sequence, result }),
        reject: () => undefined,
        settlesMany,
      },
    }),
  );
}

function settlementFor(released: PendingRecord[], metrics = new MetricsRecorder()) {
  return new Settlement(metrics, new ProducerEventEmitter(), (record) => released.push(record));
}

describe('Settlement#requestWritten (the written entries of a request)', () => {
  it("resolves the records of a request's entries in put order, each with its own entry's shard and sequence number", () => {
    const settled: { sequence: number; result: PutResult }[] = [];
    const released: PendingRecord[] = [];
    const entries: WrittenEntry[] = [
      { packed: packed(recordsWithSequences([1, 4, 7], settled)), shardId: 'shard-a', sequenceNumber: '10' },
      { packed: packed(recordsWithSequences([2, 5, 8], settled)), shardId: 'shard-b', sequenceNumber: '20' },
      { packed: packed(recordsWithSequences([3, 6], settled)), shardId: 'shard-c', sequenceNumber: '30' },
    ];
    const metrics = new MetricsRecorder();
    settlementFor(released, metrics).requestWritten(entries, TIMING);

    expect(settled.map(({ sequence }) => sequence)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(settled.map(({ result }) => `${result.shardId}/${result.sequenceNumber}`)).toEqual([
      'shard-a/10',
      'shard-b/20',
      'shard-c/30',
      'shard-a/10',
      'shard-b/20',
      'shard-c/30',
      'shard-a/10',
      'shard-b/20',
    ]);
    expect(released.map((record) => record.sequence)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(metrics.snapshot(0, 0).stream).toMatchObject({ UserRecordsPut: 8, KinesisRecordsPut: 3 });
  });

  it('settles every record entry by entry when their sequences are far apart (no large index for a few records)', () => {
    const settled: { sequence: number; result: PutResult }[] = [];
    const entries: WrittenEntry[] = [
      {
        packed: packed(recordsWithSequences([5, 1_000_000], settled)),
        shardId: 'shard-a',
        sequenceNumber: '1',
      },
      { packed: packed(recordsWithSequences([7], settled)), shardId: 'shard-b', sequenceNumber: '2' },
    ];
    const metrics = new MetricsRecorder();
    settlementFor([], metrics).requestWritten(entries, TIMING);

    expect(settled.map(({ sequence }) => sequence)).toEqual([5, 1_000_000, 7]);
    expect(metrics.snapshot(0, 0).stream).toMatchObject({ UserRecordsPut: 3, KinesisRecordsPut: 2 });
  });

  it('settles putMany records entry by entry (their batch fills one array)', () => {
    const settled: { sequence: number; result: PutResult }[] = [];
    const entries: WrittenEntry[] = [
      {
        packed: packed(recordsWithSequences([1, 3], settled, true)),
        shardId: 'shard-a',
        sequenceNumber: '1',
      },
      {
        packed: packed(recordsWithSequences([2, 4], settled, true)),
        shardId: 'shard-b',
        sequenceNumber: '2',
      },
    ];
    settlementFor([]).requestWritten(entries, TIMING);
    expect(settled.map(({ sequence }) => sequence)).toEqual([1, 3, 2, 4]);
  });
});

describe('Settlement#written (one written entry)', () => {
  /** Three putMany records of one batch (slots 0 to 2), two accepted at 900 (sharing that arrival) and one at 950. */
  function batchRecords(results: { slot: number; result: PutResult }[]) {
    const batch = {
      resolve: (result: PutResult, slot: number) => results.push({ slot, result }),
      reject: () => undefined,
      settlesMany: true,
    };
    const at900 = { arrivedAt: 900, expiresAt: 30_900, dueAt: 1_000 };
    const at950 = { arrivedAt: 950, expiresAt: 30_950, dueAt: 1_050 };
    return [at900, at900, at950].map((arrival, slot) =>
      pending(`k${slot}`, 'xy', { arrival, settler: batch, slot, sizeBytes: 10 + slot }),
    );
  }

  function settlementWithEntries(released: PendingRecord[], entries: { count: number; bytes: number }[]) {
    return new Settlement(
      new MetricsRecorder(),
      new ProducerEventEmitter(),
      (record) => released.push(record),
      (_records, figures: EntryFigures) =>
        entries.push({ count: figures.count, bytes: figures.bufferedBytes }),
    );
  }

  it('settles records written at their first attempt from the figures: the entry released at once, each record given the result of its arrival', () => {
    const results: { slot: number; result: PutResult }[] = [];
    const released: PendingRecord[] = [];
    const entries: { count: number; bytes: number }[] = [];
    settlementWithEntries(released, entries).written(packed(batchRecords(results)), 'shard-a', '7', TIMING);

    expect(entries).toEqual([{ count: 3, bytes: 10 + 11 + 12 }]);
    expect(released).toEqual([]);
    expect(results.map(({ slot }) => slot)).toEqual([0, 1, 2]);
    expect(results[0]!.result).toBe(results[1]!.result); // same arrival: one shared result
    expect(results.map(({ result }) => [result.shardId, result.sequenceNumber, result.attemptCount])).toEqual(
      [
        ['shard-a', '7', 1],
        ['shard-a', '7', 1],
        ['shard-a', '7', 1],
      ],
    );
    expect(results.map(({ result }) => result.attempts[0]!.delayMs)).toEqual([100, 100, 50]);
  });

  it('visits each record when one of them was retried (its result carries its earlier attempt)', () => {
    const results: { slot: number; result: PutResult }[] = [];
    const released: PendingRecord[] = [];
    const entries: { count: number; bytes: number }[] = [];
    const records = batchRecords(results);
    addFailedAttempt([records[1]!], 'ProvisionedThroughputExceededException', 'Slow down', {
      startedAt: 960,
      durationMs: 10,
      endedAt: 970,
    });
    settlementWithEntries(released, entries).written(packed(records), 'shard-a', '7', TIMING);

    expect(entries).toEqual([]);
    expect(released).toEqual(records);
    expect(results.map(({ result }) => result.attemptCount)).toEqual([1, 2, 1]);
    expect(results[1]!.result.attempts.map((attempt) => attempt.errorCode)).toEqual([
      'ProvisionedThroughputExceededException',
      undefined,
    ]);
  });

  it('visits each record when someone listens to record:put, and reports each', () => {
    const results: { slot: number; result: PutResult }[] = [];
    const released: PendingRecord[] = [];
    const reported: string[] = [];
    const events = new ProducerEventEmitter();
    events.on('record:put', ({ record }) => reported.push(record.partitionKey));
    const records = batchRecords(results);
    new Settlement(
      new MetricsRecorder(),
      events,
      (record) => released.push(record),
      () => {
        throw new Error('the entry must not be released whole');
      },
    ).written(packed(records), 'shard-a', '7', TIMING);

    expect(released).toEqual(records);
    expect(reported).toEqual(['k0', 'k1', 'k2']);
  });
});
