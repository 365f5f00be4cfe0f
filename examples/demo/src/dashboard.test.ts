import { describe, expect, it } from 'vitest';
import { type DashboardView, renderFrame, renderStatusLine, stripAnsi } from './dashboard.js';

const view: DashboardView = {
  elapsedMs: 12_300,
  durationMs: 45_000,
  phase: 'producing',
  rate: 100,
  streamName: 'device-events',
  producer: {
    sent: 1_000,
    acked: 990,
    failed: 0,
    retries: 120,
    injectedFailures: 40,
    pending: 10,
    recordsPerAggregate: 3.2,
  },
  delivered: 950,
  duplicates: 3,
  hotKeys: ['device-0000'],
  workers: [
    {
      label: 'A',
      mode: 'polling',
      pid: 101,
      state: 'running',
      leases: ['s0', 's1'],
      wrote: 500,
      duplicates: 0,
      retries: 2,
    },
    {
      label: 'B',
      mode: 'fan-out',
      pid: 102,
      state: 'killed',
      leases: [],
      wrote: 450,
      duplicates: 3,
      retries: 0,
    },
  ],
  shards: [
    {
      shardId: 'shardId-000000000000',
      open: true,
      owner: 'A',
      acked: 500,
      delivered: 480,
      millisBehindLatest: 0,
    },
    {
      shardId: 'shardId-000000000001',
      open: false,
      owner: 'B✗',
      acked: 490,
      delivered: 470,
      millisBehindLatest: undefined,
    },
  ],
  timeline: [{ atMs: 1_000, text: 'local Kinesis and DynamoDB started' }],
};

describe('the live view', () => {
  it('shows produced, delivered, per-shard lag, leases per worker and retries', () => {
    const text = renderFrame(view, 200).map(stripAnsi).join('\n');
    expect(text).toContain('acknowledged 990');
    expect(text).toContain('delivered 950');
    expect(text).toMatch(/worker A .* leases 2/);
    expect(text).toContain('KILLED (SIGKILL)');
    expect(text).toMatch(/shardId-000000000000\s+open\s+A\s+500\s+480\s+20/);
    expect(text).toContain('retried 120 records');
  });

  it('never draws a line wider or a frame taller than the terminal (either would break the redraw)', () => {
    for (const line of renderFrame(view, 50)) expect(stripAnsi(line).length).toBeLessThanOrEqual(50);
    const full = renderFrame(view, 200);
    expect(full.map(stripAnsi)).toContain('Timeline');
    const short = renderFrame(view, 200, 14);
    expect(short.length).toBeLessThanOrEqual(14);
    expect(short.map(stripAnsi)).not.toContain('Timeline'); // the timeline goes first
  });

  it('has a one-line form for logs without a terminal', () => {
    expect(renderStatusLine(view)).toBe(
      '[12.3s] producing: acknowledged 990, delivered 950, not yet delivered 40, duplicates suppressed 3, producer retries 120; A 2 leases, B killed',
    );
  });
});
