import { describe, expect, it } from 'vitest';
import { admitRecords, base64DecodedLength, recordBytes, type WireRecord } from './put-records-admission';
import { RateWindow } from './rate-window';

const b64 = (bytes: number) => Buffer.alloc(bytes, 7).toString('base64');
const record = (key: string, bytes: number): WireRecord => ({ PartitionKey: key, Data: b64(bytes) });
const failure = (shardId: string) => ({
  ErrorCode: 'ProvisionedThroughputExceededException',
  ErrorMessage: shardId,
});

function shards() {
  const windows = new Map<string, { records: RateWindow; bytes: RateWindow }>();
  return (shardId: string) => {
    if (!windows.has(shardId))
      windows.set(shardId, { records: new RateWindow(1_000), bytes: new RateWindow(1_048_576) });
    return windows.get(shardId)!;
  };
}

describe('recordBytes', () => {
  it('counts the decoded data and the UTF-8 partition key', () => {
    for (const bytes of [0, 1, 2, 3, 4, 1_000]) expect(base64DecodedLength(b64(bytes))).toBe(bytes);
    expect(recordBytes({ PartitionKey: 'é', Data: b64(10) })).toBe(12);
  });
});

describe('admitRecords', () => {
  it('fails the records of a shard past its 1,000 records in the second, at their indexes, and not the others', () => {
    const windowsOf = shards();
    const records = Array.from({ length: 1_500 }, (_, index) => record(index % 2 === 0 ? 'a' : 'b', 10));
    const shardOf = (entry: WireRecord) => (entry.PartitionKey === 'a' ? 'shard-a' : 'shard-b');
    const first = admitRecords(records.slice(0, 1_200), { now: 0, shardOf, windowsOf, failure });
    expect(first.failures.size).toBe(0); // 600 per shard
    const second = admitRecords(records.slice(0, 1_000), { now: 500, shardOf, windowsOf, failure });
    // 400 more per shard fit; the entries after the 800th (400 per shard) fail
    expect(second.sentIndexes).toEqual(Array.from({ length: 800 }, (_, index) => index));
    expect([...second.failures.keys()]).toEqual(Array.from({ length: 200 }, (_, index) => 800 + index));
    expect(second.failures.get(800)).toEqual(failure('shard-a'));
    expect(second.failures.get(801)).toEqual(failure('shard-b'));
    // One second after the first call its 600 per shard are back; the second call's 400 are not
    const third = admitRecords(records.slice(0, 1_000), { now: 1_000, shardOf, windowsOf, failure });
    expect(third.failures.size).toBe(0); // 500 per shard, with 600 free each
  });

  it('fails records past 1 MiB in the second, and lets a smaller later one through', () => {
    const windowsOf = shards();
    const shardOf = () => 'shard';
    const plan = admitRecords([record('k', 600_000), record('k', 600_000), record('k', 400_000)], {
      now: 0,
      shardOf,
      windowsOf,
      failure,
    });
    expect(plan.sentIndexes).toEqual([0, 2]);
    expect([...plan.failures.keys()]).toEqual([1]);
  });

  it('writes a record larger than a second of the shard from an idle shard only', () => {
    const windowsOf = shards();
    const shardOf = () => 'shard';
    const big = record('k', 2 * 1_048_576);
    expect(admitRecords([big, big], { now: 0, shardOf, windowsOf, failure }).sentIndexes).toEqual([0]);
    expect(admitRecords([record('k', 1)], { now: 1_000, shardOf, windowsOf, failure }).sentIndexes).toEqual(
      [],
    );
    // 2 MiB and a byte at 1 MiB/s: back a little after 2 s
    expect(admitRecords([big], { now: 2_001, shardOf, windowsOf, failure }).sentIndexes).toEqual([0]);
  });

  it('lets records of an unknown shard through without counting them', () => {
    const windowsOf = shards();
    const plan = admitRecords(
      Array.from({ length: 2_000 }, () => record('k', 1)),
      {
        now: 0,
        shardOf: () => undefined,
        windowsOf,
        failure,
      },
    );
    expect(plan.failures.size).toBe(0);
  });
});
