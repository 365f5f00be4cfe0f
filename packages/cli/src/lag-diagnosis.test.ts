import type { ConsumerMetrics, LeaseStatus } from '@kinesis-ts/consumer';
import { describe, expect, it } from 'vitest';
import { diagnoseLag, lagFromConsumerMetrics, lagFromLeases } from './lag-diagnosis.js';

const shards = (lags: (number | undefined)[], rates?: number[]) =>
  lags.map((lagMs, i) => ({ shardId: `shard-${i}`, lagMs, incomingRecordsPerSecond: rates?.[i] }));

describe('diagnoseLag (SC-32)', () => {
  it('points at the consumer or sink when lag is uniform across shards', () => {
    const diagnosis = diagnoseLag(shards([120_000, 130_000, 110_000, 125_000]));
    expect(diagnosis.verdict).toBe('uniform');
    expect(diagnosis.advice).toMatch(/consumer or its sink is too slow/);
    expect(diagnosis.laggingShards.map((s) => s.shardId)).toEqual([
      'shard-1',
      'shard-3',
      'shard-0',
      'shard-2',
    ]);
  });

  it('points at key skew and names the shards when lag is concentrated', () => {
    const diagnosis = diagnoseLag(shards([900_000, 1_000, 2_000, 500], [4000, 300, 300, 400]));
    expect(diagnosis.verdict).toBe('concentrated');
    expect(diagnosis.summary).toMatch(/Only 1 of 4 shards lag: shard-0 \(900 s\)/);
    expect(diagnosis.hotShards).toEqual([{ shardId: 'shard-0', share: 0.8 }]);
    expect(diagnosis.advice).toMatch(/key skew or a hot shard \(shard-0 takes 80% of the writes\)/);
  });

  it('is healthy under the threshold, and unknown without figures', () => {
    expect(diagnoseLag(shards([1_000, 59_000])).verdict).toBe('healthy');
    expect(diagnoseLag(shards([1_000, 59_000]), { lagThresholdMs: 30_000 }).verdict).toBe('concentrated');
    expect(diagnoseLag(shards([undefined, undefined])).verdict).toBe('unknown');
  });

  it('takes the defaults for options given as undefined (the lag command without --threshold-ms)', () => {
    const lagging = shards([120_000, 1_000, 2_000, 500]);
    const diagnosis = diagnoseLag(lagging, { lagThresholdMs: undefined });
    expect(diagnosis.verdict).toBe('concentrated');
    expect(diagnosis.summary).toBe('Only 1 of 4 shards lag: shard-0 (120 s).');
    expect(diagnosis).toEqual(diagnoseLag(lagging));
    const healthy = diagnoseLag(shards([1_000, 59_000]), { lagThresholdMs: undefined });
    expect(healthy.summary).toBe('No shard is more than 60 s behind (max 59 s).');
    expect(
      diagnoseLag(shards([120_000, 130_000, 1_000, 2_000, 500], [9000, 300, 300, 300, 100]), {
        lagThresholdMs: undefined,
        uniformShare: undefined,
        hotShardFactor: undefined,
      }),
    ).toMatchObject({ verdict: 'concentrated', hotShards: [{ shardId: 'shard-0', share: 0.9 }] });
  });

  it('refuses options that are not numbers in range', () => {
    for (const options of [
      { lagThresholdMs: Number.NaN },
      { lagThresholdMs: -1 },
      { uniformShare: 1.5 },
      { hotShardFactor: Number.POSITIVE_INFINITY },
    ]) {
      expect(() => diagnoseLag(shards([1_000]), options)).toThrow(
        expect.objectContaining({ code: 'INVALID_OPTION' }),
      );
    }
  });

  it('reads lag from consumer metrics of several workers and from leases', () => {
    const metrics = (shardLags: Record<string, number | undefined>) =>
      ({
        shards: Object.fromEntries(
          Object.entries(shardLags).map(([shardId, lag]) => [shardId, { shardId, MillisBehindLatest: lag }]),
        ),
      }) as unknown as ConsumerMetrics;
    expect(lagFromConsumerMetrics([metrics({ a: 5, b: undefined }), metrics({ a: 9, c: 1 })])).toEqual([
      { shardId: 'a', lagMs: 9 },
      { shardId: 'b', lagMs: undefined },
      { shardId: 'c', lagMs: 1 },
    ]);
    const lease = (shardId: string, state: LeaseStatus['state'], lagMs?: number) =>
      ({ shardId, state, lagMs }) as LeaseStatus;
    expect(lagFromLeases([lease('a', 'finished'), lease('b', 'held', 3)])).toEqual([
      { shardId: 'b', lagMs: 3 },
    ]);
  });
});
