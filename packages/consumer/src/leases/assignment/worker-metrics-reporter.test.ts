import { describe, expect, it } from 'vitest';
import type { WorkerMetricsRow } from '../dynamodb/worker-metrics-table.js';
import { WorkerMetricsReporter } from './worker-metrics-reporter.js';

describe('WorkerMetricsReporter', () => {
  it('writes the last values kept, -1 for a failed reading, with max utilization 100', async () => {
    const rows: WorkerMetricsRow[] = [];
    const samples = [undefined, 10, undefined, 20, 30];
    const reporter = new WorkerMetricsReporter({
      store: { writeWorkerMetrics: async (row) => void rows.push(row), listWorkerMetrics: async () => [] },
      workerId: 'w1',
      sampleCpu: () => samples.shift(),
      wallClock: () => 5_000,
      valuesKept: 3,
    });
    reporter.prime();
    for (let i = 0; i < 4; i++) await reporter.report();
    expect(rows.map((r) => r.stats.C)).toEqual([[10], [10, -1], [10, -1, 20], [-1, 20, 30]]);
    expect(rows[0]).toMatchObject({ workerId: 'w1', lastUpdateMs: 5_000, operatingRange: { C: 100 } });
  });

  it('never rejects when the write fails', async () => {
    const errors: unknown[] = [];
    const reporter = new WorkerMetricsReporter({
      store: {
        writeWorkerMetrics: async () => {
          throw new Error('throttled');
        },
        listWorkerMetrics: async () => [],
      },
      workerId: 'w1',
      sampleCpu: () => 5,
      wallClock: () => 0,
      valuesKept: 10,
      onError: (e) => errors.push(e),
    });
    await expect(reporter.report()).resolves.toBeUndefined();
    expect(errors).toHaveLength(1);
  });
});
