import {
  DescribeStreamSummaryCommand,
  KinesisClient,
  UpdateShardCountCommand,
} from '@aws-sdk/client-kinesis';
import { ValidationError } from '@kinesis-ts/core';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type AutoscalerOptions,
  type AutoscalerState,
  decideScaling,
  initialAutoscalerState,
  resolveAutoscalerOptions,
  type WriteLoadSample,
} from './autoscaler-decision.js';
import { StreamAutoscaler } from './stream-autoscaler.js';

const MIB = 1024 * 1024;
const options: AutoscalerOptions = { minShards: 2, maxShards: 16, cooldownMs: 600_000 };

/** One minute of load at `mibPerSecond` MiB/s and `recordsPerSecond` records/s. */
const minute = (mibPerSecond: number, recordsPerSecond = 0): WriteLoadSample => ({
  periodSeconds: 60,
  incomingBytes: mibPerSecond * MIB * 60,
  incomingRecords: recordsPerSecond * 60,
});

describe('decideScaling (SC-27 decision table)', () => {
  const rows: {
    name: string;
    shards: number;
    sample: WriteLoadSample;
    state?: AutoscalerState;
    options?: Partial<AutoscalerOptions>;
    action: string;
    target: number;
  }[] = [
    {
      name: 'bytes at 90% → up to ceil(4 × 0.9 / 0.6) = 6',
      shards: 4,
      sample: minute(3.6),
      action: 'scale-up',
      target: 6,
    },
    {
      name: 'records at 97.5% bind before bytes → 7',
      shards: 4,
      sample: minute(0.1, 3900),
      action: 'scale-up',
      target: 7,
    },
    {
      name: 'bytes at 200% → capped at 2× per call = 8',
      shards: 4,
      sample: minute(8),
      action: 'scale-up',
      target: 8,
    },
    {
      name: 'capped at maxShards 12',
      shards: 10,
      sample: minute(9.5),
      options: { maxShards: 12 },
      action: 'scale-up',
      target: 12,
    },
    { name: 'already at maxShards → none', shards: 16, sample: minute(15), action: 'none', target: 16 },
    { name: 'utilization 50% → none', shards: 4, sample: minute(2), action: 'none', target: 4 },
    {
      name: 'low for 3 periods → down, at most ÷2 per call',
      shards: 8,
      sample: minute(0.8),
      state: { periodsAbove: 0, periodsBelow: 2, scaledAtMs: [] },
      action: 'scale-down',
      target: 4,
    },
    {
      name: 'low for 3 periods, mildly → down to ceil(6 × 0.25 / 0.6) = 3',
      shards: 6,
      sample: minute(1.5),
      state: { periodsAbove: 0, periodsBelow: 2, scaledAtMs: [] },
      action: 'scale-down',
      target: 3,
    },
    { name: 'low for only 1 period → none yet', shards: 8, sample: minute(0.8), action: 'none', target: 8 },
    {
      name: 'low but at minShards → none',
      shards: 2,
      sample: minute(0),
      state: { periodsAbove: 0, periodsBelow: 5, scaledAtMs: [] },
      action: 'none',
      target: 2,
    },
    {
      name: 'below minShards → up to minShards',
      shards: 1,
      sample: minute(0),
      action: 'scale-up',
      target: 2,
    },
    {
      name: 'above maxShards → down toward it (÷2 bound)',
      shards: 40,
      sample: minute(1),
      action: 'scale-down',
      target: 20,
    },
    {
      name: 'high within the cooldown → none',
      shards: 4,
      sample: minute(4),
      state: { periodsAbove: 0, periodsBelow: 0, scaledAtMs: [1_000_000 - 60_000] },
      action: 'none',
      target: 4,
    },
    {
      name: 'high after the cooldown → up',
      shards: 4,
      sample: minute(4),
      state: { periodsAbove: 0, periodsBelow: 0, scaledAtMs: [1_000_000 - 600_000] },
      action: 'scale-up',
      target: 7,
    },
    {
      name: 'ten scalings in 24 hours → none',
      shards: 4,
      sample: minute(4),
      state: { periodsAbove: 0, periodsBelow: 0, scaledAtMs: Array.from({ length: 10 }, (_, i) => i * 1000) },
      options: { cooldownMs: 0 },
      action: 'none',
      target: 4,
    },
    {
      name: 'two periods above required → none after one',
      shards: 4,
      sample: minute(4),
      options: { scaleUpPeriods: 2 },
      action: 'none',
      target: 4,
    },
  ];

  for (const row of rows) {
    it(row.name, () => {
      const decision = decideScaling(
        { nowMs: 1_000_000, openShardCount: row.shards, sample: row.sample },
        row.state ?? initialAutoscalerState,
        { ...options, ...row.options },
      );
      expect(decision.action, decision.reason).toBe(row.action);
      expect(decision.targetShardCount).toBe(row.target);
    });
  }

  it('reports a hot shard (and says to split it) without scaling uniformly for it', () => {
    // 10 shards, 1.5 MiB/s in all, 0.95 MiB/s of it on one shard: 15 % of the stream, 95 % of a shard.
    const shardSamples = [
      { shardId: 'shardId-000000000003', sample: minute(0.95) },
      ...Array.from({ length: 9 }, (_, i) => ({ shardId: `shardId-cold-${i}`, sample: minute(0.55 / 9) })),
    ];
    const decision = decideScaling(
      { nowMs: 1_000_000, openShardCount: 10, sample: minute(1.5), shardSamples },
      initialAutoscalerState,
      options,
    );
    expect(decision.action).toBe('none');
    expect(decision.hotShards.map((s) => s.shardId)).toEqual(['shardId-000000000003']);
    expect(decision.hotShards[0]!.utilization.bytes).toBeCloseTo(0.95, 6);
    expect(decision.reason).toContain('shardId-000000000003 at 95%: split');
  });

  it('holds back a scale-down while a shard is above half the scale-up threshold', () => {
    const lowPeriods: AutoscalerState = { periodsAbove: 0, periodsBelow: 2, scaledAtMs: [] };
    const input = { nowMs: 1_000_000, openShardCount: 8, sample: minute(1) }; // 12.5 % of 8 shards
    expect(decideScaling(input, lowPeriods, options).action).toBe('scale-down'); // totals alone
    const oneBusy = [
      { shardId: 'shardId-busy', sample: minute(0.5) },
      ...Array.from({ length: 7 }, (_, i) => ({ shardId: `shardId-${i}`, sample: minute(0.5 / 7) })),
    ];
    const decision = decideScaling({ ...input, shardSamples: oneBusy }, lowPeriods, options);
    expect(decision.action).toBe('none');
    expect(decision.reason).toContain('shard shardId-busy is at 50%');
    expect(decision.hotShards).toEqual([]);
    const even = Array.from({ length: 8 }, (_, i) => ({ shardId: `shardId-${i}`, sample: minute(1 / 8) }));
    expect(decideScaling({ ...input, shardSamples: even }, lowPeriods, options).action).toBe('scale-down');
  });

  it('counts consecutive periods and resets them after scaling', () => {
    const first = decideScaling({ nowMs: 0, openShardCount: 4, sample: minute(4) }, initialAutoscalerState, {
      ...options,
      scaleUpPeriods: 2,
    });
    expect(first.state.periodsAbove).toBe(1);
    const second = decideScaling({ nowMs: 60_000, openShardCount: 4, sample: minute(4) }, first.state, {
      ...options,
      scaleUpPeriods: 2,
    });
    expect(second.action).toBe('scale-up');
    expect(second.state).toEqual({ periodsAbove: 0, periodsBelow: 0, scaledAtMs: [60_000] });
    expect(second.utilization.bytes).toBeCloseTo(1, 6);
  });

  it('validates its options, naming the bad one', () => {
    expect(() => resolveAutoscalerOptions({ maxShards: 0 })).toThrow(ValidationError);
    expect(() => resolveAutoscalerOptions({ maxShards: 4, minShards: 5 })).toThrow(/minShards/);
    expect(() => resolveAutoscalerOptions({ maxShards: 4, targetUtilization: 0.9 })).toThrow(
      /targetUtilization/,
    );
    expect(() => resolveAutoscalerOptions({ maxShards: 4, cooldownMs: -1 })).toThrow(/cooldownMs/);
  });
});

describe('StreamAutoscaler (SC-27)', () => {
  const kinesisMock = mockClient(KinesisClient);
  afterEach(() => kinesisMock.reset());

  it('calls UpdateShardCount with UNIFORM_SCALING exactly once when the threshold is crossed twice within the cooldown', async () => {
    kinesisMock
      .on(DescribeStreamSummaryCommand)
      .resolves({ StreamDescriptionSummary: { StreamStatus: 'ACTIVE', OpenShardCount: 4 } as never });
    kinesisMock.on(UpdateShardCountCommand).resolves({});
    let now = 0;
    const autoscaler = new StreamAutoscaler({
      kinesisClient: new KinesisClient({ region: 'us-east-1' }),
      stream: { streamName: 'orders' },
      ...options,
      maxShards: 6,
      now: () => now,
    });
    const first = await autoscaler.evaluate(minute(4));
    now += 120_000;
    const second = await autoscaler.evaluate(minute(4));
    expect(first.action).toBe('scale-up');
    expect(second.action).toBe('none');
    expect(second.reason).toMatch(/cooldown/);
    const calls = kinesisMock.commandCalls(UpdateShardCountCommand);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.args[0].input).toEqual({
      StreamName: 'orders',
      TargetShardCount: 6, // ceil(4 × 1 / 0.6) = 7, capped at maxShards 6
      ScalingType: 'UNIFORM_SCALING',
    });
    now += 600_000;
    expect((await autoscaler.evaluate(minute(0.5))).action).toBe('none');
  });

  it('does nothing while the stream is not ACTIVE', async () => {
    kinesisMock
      .on(DescribeStreamSummaryCommand)
      .resolves({ StreamDescriptionSummary: { StreamStatus: 'UPDATING', OpenShardCount: 4 } as never });
    const autoscaler = new StreamAutoscaler({
      kinesisClient: new KinesisClient({ region: 'us-east-1' }),
      stream: { streamName: 'orders' },
      maxShards: 8,
    });
    expect((await autoscaler.evaluate(minute(8))).reason).toBe('stream is UPDATING');
    expect(kinesisMock.commandCalls(UpdateShardCountCommand)).toHaveLength(0);
  });
});
