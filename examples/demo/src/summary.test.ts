import { describe, expect, it } from 'vitest';
import { type DemoResult, exitStatus, findLost, formatSummary } from './summary.js';

const result: DemoResult = {
  sent: 4_500,
  acknowledged: 4_500,
  failedPuts: 0,
  delivered: 4_500,
  lost: [],
  duplicatesSuppressed: 42,
  producerRetries: 500,
  injectedFailures: 150,
  consumerRetries: 20,
  producingMs: 45_000,
  deliveringMs: 46_000,
  takeoverMs: 4_200,
  killedWorkerLeases: ['shardId-000000000001', 'shardId-000000000003'],
  split: { parent: 'shardId-000000000002', children: ['shardId-000000000004', 'shardId-000000000005'] },
  totalMs: 60_000,
  interrupted: false,
};

describe('the verdict', () => {
  it('counts as lost exactly the acknowledged ids missing from the sink', () => {
    expect(findLost(['a', 'b', 'c', 'd'], new Set(['a', 'c', 'x']))).toEqual(['b', 'd']);
  });

  it('exits 0 only when something was acknowledged and nothing was lost', () => {
    expect(exitStatus(result)).toBe(0);
    expect(exitStatus({ ...result, lost: ['b'] })).toBe(1);
    expect(exitStatus({ ...result, acknowledged: 0 })).toBe(1);
    expect(exitStatus({ ...result, interrupted: true })).toBe(130);
  });

  it('prints produced, delivered, duplicates suppressed, lost, throughput and takeover time', () => {
    const text = formatSummary(result).join('\n');
    expect(text).toMatch(/records produced\s+4,500 acknowledged/);
    expect(text).toMatch(/delivered\s+4,500 in the sink table/);
    expect(text).toMatch(/duplicates suppressed\s+42/);
    expect(text).toMatch(/lost\s+0\n/);
    expect(text).toMatch(/throughput\s+100\/s produced/);
    expect(text).toMatch(/takeover time\s+4\.2 s for the 2 lease\(s\)/);
    expect(text).toMatch(/service limits\s+off \(--no-limits\)/);
  });

  it('prints what the service limits refused, by operation', () => {
    const text = formatSummary({
      ...result,
      limits: { refusedEntries: 30, refusedCalls: { ListShards: 1, GetRecords: 12 } },
    }).join('\n');
    expect(text).toMatch(
      /service limits\s+enforced: 30 PutRecords entries and 13 calls refused \(GetRecords 12, ListShards 1\)/,
    );
  });
});
