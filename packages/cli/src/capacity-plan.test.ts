import { describe, expect, it } from 'vitest';
import { capacityPlan } from './capacity-plan.js';

describe('capacityPlan (SC-40)', () => {
  it('computes ceil(max(MiB/s, records/s ÷ 1000) × (1 + headroom))', () => {
    expect(capacityPlan({ mibPerSecond: 5, recordsPerSecond: 1000 }).requiredShards).toBe(5);
    expect(capacityPlan({ recordsPerSecond: 100_000, recordBytes: 1000 }).requiredShards).toBe(100);
    expect(capacityPlan({ recordsPerSecond: 100_000, recordBytes: 1000, headroom: 0.2 }).requiredShards).toBe(
      120,
    );
  });

  it('flags polling readers beyond 2 MiB/s per shard', () => {
    const plan = capacityPlan({ mibPerSecond: 4, pollingApplications: 3 });
    expect(plan.read.exceeded).toBe(true);
    expect(plan.read.advice).toBe('use enhanced fan-out or add shards');
    expect(capacityPlan({ mibPerSecond: 4, pollingApplications: 2 }).read.exceeded).toBe(false);
  });

  it('compares with the stream, within the ×2 per call bound', () => {
    expect(capacityPlan({ mibPerSecond: 10, currentShards: 4 }).advice).toBe(
      'scale up from 4 to 10 shards (kinesis-ts scale --to 8, then again)',
    );
    expect(capacityPlan({ mibPerSecond: 2, currentShards: 2 }).advice).toBe(
      'the stream has the shards it needs',
    );
  });
});
