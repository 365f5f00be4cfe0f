import { describe, expect, it } from 'vitest';
import { MetricsRecorder } from './consumer-metrics.js';

const base = {
  workerId: 'w',
  state: 'running',
  CurrentLeases: 1,
  TotalLeases: 1,
  FinishedLeases: 0,
  NumWorkers: 1,
  TargetLeases: 1,
  NeededLeases: 0,
  LeaseSpillover: 0,
};

describe('MetricsRecorder', () => {
  it("gives each shard's MillisSinceLastProgress at the snapshot's time, undefined before processing began", () => {
    const recorder = new MetricsRecorder();
    const shard = recorder.openShard('shard-1', { sequenceNumber: 'TRIM_HORIZON', subSequenceNumber: 0 });
    expect(recorder.snapshot(base, 5_000).shards['shard-1']?.MillisSinceLastProgress).toBeUndefined();
    shard.lastProgressAtMs = 1_000;
    const snapshot = recorder.snapshot(base, 61_000);
    expect(snapshot.shards['shard-1']?.MillisSinceLastProgress).toBe(60_000);
    expect(snapshot.shards['shard-1']).not.toHaveProperty('lastProgressAtMs');
    expect(recorder.snapshot(base, 500).shards['shard-1']?.MillisSinceLastProgress).toBe(0); // a clock step back
  });
});
