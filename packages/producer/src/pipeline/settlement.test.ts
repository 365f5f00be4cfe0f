import { describe, expect, it } from 'vitest';
import { pending } from '../../test/pending.js';
import { packed } from '../../test/retrier-harness.js';
import type { PutResult } from '../attempt.js';
import { MetricsRecorder } from '../metrics.js';
import { ProducerEventEmitter } from '../producer-events.js';
import type { PendingRecord } from './pending-record.js';
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
