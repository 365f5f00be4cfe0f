import { describe, expect, it } from 'vitest';
import { type AckedRecord, analyzeSoak } from './analysis.js';
import type { DeliveredRecord, LogLine } from './delivery-log.js';

const SHARD = 'shardId-000000000000';

function acked(key: string, seq: number): AckedRecord {
  return { key, seq, shardId: SHARD, sequenceNumber: `${seq}00` };
}

function rec(key: string, seq: number, sequenceNumber = `${seq}00`): DeliveredRecord {
  return [key, seq, sequenceNumber, 0];
}

function batch(w: string, t: number, records: DeliveredRecord[], s = SHARD): LogLine {
  return { e: 'batch', w, t, s, r: records };
}

function taken(w: string, t: number, previousOwner?: string, stolen = false, s = SHARD): LogLine {
  return { e: 'lease', w, t, kind: 'taken', s, previousOwner, stolen };
}

describe('analyzeSoak', () => {
  it('counts an acknowledged record that no worker delivered as lost, and nothing else', () => {
    const result = analyzeSoak(
      [acked('k1', 1), acked('k1', 2), acked('k1', 3)],
      [taken('w1.1', 0), batch('w1.1', 10, [rec('k1', 1), rec('k1', 3)])],
      new Set(),
    );
    expect(result.written).toBe(3);
    expect(result.delivered).toBe(2);
    expect(result.lost.map((record) => record.seq)).toEqual([2]);
    expect(result.orderViolations).toEqual([]);
  });

  it('counts a redelivery after a killed worker as a duplicate caused by the kill, not as an order violation', () => {
    const result = analyzeSoak(
      [acked('k1', 1), acked('k1', 2), acked('k1', 3)],
      [
        taken('w1.1', 0),
        batch('w1.1', 10, [rec('k1', 1), rec('k1', 2)]),
        taken('w2.1', 5_000, 'w1.1'),
        batch('w2.1', 5_100, [rec('k1', 2), rec('k1', 3)]),
      ],
      new Set(['w1.1']),
    );
    expect(result.lost).toEqual([]);
    expect(result.duplicates).toBe(1);
    expect(result.duplicatesByCause['after-kill']).toBe(1);
    expect(result.duplicatesMaxMsAfterTake['after-kill']).toBe(100);
    expect(result.orderViolations).toEqual([]);
  });

  it('reports a first delivery below a number of the same key already delivered as an order violation', () => {
    const result = analyzeSoak(
      [acked('k1', 1), acked('k1', 2), acked('k1', 3), acked('k2', 1)],
      [
        taken('w1.1', 0),
        batch('w1.1', 10, [rec('k1', 1), rec('k1', 3), rec('k2', 1)]),
        batch('w1.1', 20, [rec('k1', 2)]),
      ],
      new Set(),
    );
    expect(result.orderViolations).toEqual([
      { key: 'k1', seq: 2, after: 3, shardId: SHARD, workerId: 'w1.1', atMs: 20 },
    ]);
  });

  it('orders deliveries of different workers by their time, not by the order of the logs', () => {
    const result = analyzeSoak(
      [acked('k1', 1), acked('k1', 2)],
      [
        taken('w2.1', 50, 'w1.1'),
        batch('w2.1', 60, [rec('k1', 2)]),
        taken('w1.1', 0),
        batch('w1.1', 10, [rec('k1', 1)]),
      ],
      new Set(['w1.1']),
    );
    expect(result.orderViolations).toEqual([]);
  });

  it('finds a shard delivered by a worker after another one took its lease, interleaved with the new owner', () => {
    const result = analyzeSoak(
      [1, 2, 3, 4].map((seq) => acked('k1', seq)),
      [
        taken('w1.1', 0),
        batch('w1.1', 10, [rec('k1', 1), rec('k1', 2)]),
        taken('w2.1', 1_000, 'w1.1', true),
        batch('w2.1', 1_100, [rec('k1', 3)]),
        batch('w1.1', 1_300, [rec('k1', 3), rec('k1', 4)]),
      ],
      new Set(),
    );
    expect(result.overlaps).toEqual([
      {
        shardId: SHARD,
        staleWorker: 'w1.1',
        owner: 'w2.1',
        takenAtMs: 1_000,
        lastStaleAtMs: 1_300,
        batches: 1,
        records: 2,
        interleaved: true,
      },
    ]);
    expect(result.duplicatesByCause['stale-owner']).toBe(1);
  });

  it('finds no overlap when the previous owner stopped delivering before the take', () => {
    const result = analyzeSoak(
      [acked('k1', 1), acked('k1', 2)],
      [
        taken('w1.1', 0),
        batch('w1.1', 10, [rec('k1', 1)]),
        taken('w2.1', 1_000, 'w1.1', true),
        batch('w2.1', 1_100, [rec('k1', 2)]),
      ],
      new Set(),
    );
    expect(result.overlaps).toEqual([]);
  });

  it('tells a record the producer wrote twice from a redelivery, and a redelivery by the same owner from a takeover', () => {
    const result = analyzeSoak(
      [acked('k1', 1), acked('k1', 2)],
      [
        taken('w1.1', 0),
        batch('w1.1', 10, [rec('k1', 1), rec('k1', 2)]),
        batch('w1.1', 20, [rec('k1', 1, '999')]),
        batch('w1.1', 30, [rec('k1', 2)]),
      ],
      new Set(),
    );
    expect(result.duplicates).toBe(2);
    expect(result.duplicatesByCause['written-twice']).toBe(1);
    expect(result.duplicatesByCause['same-owner']).toBe(1);
  });

  it('attributes a redelivery after a steal to the steal', () => {
    const result = analyzeSoak(
      [acked('k1', 1)],
      [
        taken('w1.1', 0),
        batch('w1.1', 10, [rec('k1', 1)]),
        taken('w2.1', 1_000, 'w1.1', true),
        batch('w2.1', 1_500, [rec('k1', 1)]),
      ],
      new Set(),
    );
    expect(result.duplicatesByCause['after-steal']).toBe(1);
    expect(result.duplicatesMaxMsAfterTake['after-steal']).toBe(500);
  });
});
