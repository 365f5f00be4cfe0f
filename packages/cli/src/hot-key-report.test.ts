import { EventEmitter } from 'node:events';
import type { HotSpot, ProducerMetrics } from '@kinesis-ts/producer';
import { describe, expect, it } from 'vitest';
import { HotKeyCollector, hotKeyReport, writeLoadFromProducerMetrics } from './hot-key-report.js';

const metrics = (perShard: Record<string, number>, kinesisRecords = 0, bytes = 0) =>
  ({
    stream: { KinesisRecordsPut: kinesisRecords, KinesisRecordsDataPut: bytes },
    shards: Object.fromEntries(Object.entries(perShard).map(([id, n]) => [id, { UserRecordsPut: n }])),
  }) as unknown as ProducerMetrics;

describe('hot-key report', () => {
  it('ranks shards by records and flags those above twice their fair share', () => {
    const report = hotKeyReport(metrics({ a: 700, b: 100, c: 100, d: 100 }));
    expect(report.totalRecords).toBe(1000);
    expect(report.shards[0]).toEqual({ shardId: 'a', records: 700, share: 0.7 });
    expect(report.hotShards).toEqual([{ shardId: 'a', share: 0.7 }]);
    expect(hotKeyReport(metrics({ a: 300, b: 250, c: 250, d: 200 })).hotShards).toEqual([]);
  });

  it('collects the producer hot-key events (SC-05), keeping each key at its highest share', () => {
    const events = new EventEmitter();
    const collector = new HotKeyCollector({ events } as never);
    const spot = (key: string, share: number): HotSpot => ({ key, share, count: share * 1000, total: 1000 });
    events.emit('hot-key', spot('tenant-1', 0.12));
    events.emit('hot-key', spot('tenant-1', 0.08));
    events.emit('hot-key', spot('tenant-2', 0.2));
    events.emit('hot-shard', spot('shardId-000000000001', 0.6));
    expect(collector.hotKeys().map((s) => [s.key, s.share])).toEqual([
      ['tenant-2', 0.2],
      ['tenant-1', 0.12],
    ]);
    expect(collector.hotShards()[0]?.key).toBe('shardId-000000000001');
    collector.stop();
    events.emit('hot-key', spot('tenant-3', 0.5));
    expect(collector.hotKeys()).toHaveLength(2);
    expect(hotKeyReport(metrics({ a: 1 }), collector.hotKeys()).hotKeys[0]?.key).toBe('tenant-2');
  });

  it('turns two producer snapshots into a write-load sample for the autoscaler', () => {
    expect(writeLoadFromProducerMetrics(metrics({}, 100, 5000), metrics({}, 400, 20_000), 30_000)).toEqual({
      periodSeconds: 30,
      incomingRecords: 300,
      incomingBytes: 15_000,
    });
  });
});
