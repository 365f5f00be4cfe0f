import { describe, expect, it } from 'vitest';
import { consumerSnapshot } from '../test/snapshots.js';
import { consumerDatums } from './consumer-datums.js';

describe('consumerDatums', () => {
  it('publishes KCL metric names under their Operation, per shard at shard granularity', () => {
    const before = consumerSnapshot({ s0: 10, s1: 5 });
    const after = consumerSnapshot({ s0: 40, s1: 5 }, { s0: 90_000, s1: 100 });
    const datums = consumerDatums(before, after);
    const find = (name: string, shardId?: string) =>
      datums.find((d) => d.name === name && d.dimensions.ShardId === shardId);
    expect(find('RecordsProcessed')).toMatchObject({ dimensions: { Operation: 'ProcessTask' }, value: 30 });
    expect(find('RecordsProcessed', 's0')).toMatchObject({
      dimensions: { Operation: 'ProcessTask', ShardId: 's0' },
      value: 30,
    });
    expect(find('MillisBehindLatest', 's0')).toMatchObject({ unit: 'Milliseconds', value: 90_000 });
    expect(find('MillisBehindLatest')?.value).toBe(90_000);
    expect(find('CurrentLeases')).toMatchObject({ dimensions: { Operation: 'RenewAllLeases' }, value: 2 });
    expect(find('NumWorkers')).toMatchObject({ dimensions: { Operation: 'TakeLeases' }, value: 2 });
    expect(find('ExpiredIterator', 's1')).toMatchObject({ dimensions: { Operation: 'KinesisDataFetcher' } });
  });

  it("publishes each shard's MillisSinceLastProgress as a gauge, and none for a shard that has not begun", () => {
    const snapshot = consumerSnapshot({ s0: 1, s1: 1 }, {}, { s0: 185_000 });
    const datums = consumerDatums(snapshot, snapshot);
    const progress = datums.filter((d) => d.name === 'MillisSinceLastProgress');
    expect(progress).toEqual([
      {
        name: 'MillisSinceLastProgress',
        unit: 'Milliseconds',
        dimensions: { Operation: 'ProcessTask', ShardId: 's0' },
        value: 185_000, // a gauge: the same snapshot twice still reports it
      },
    ]);
    expect(
      consumerDatums(snapshot, snapshot, { level: 'summary' }).some(
        (d) => d.name === 'MillisSinceLastProgress',
      ),
    ).toBe(false);
  });

  it('treats a shard counter that went down as restarted, and honours level, granularity and WorkerIdentifier', () => {
    const datums = consumerDatums(consumerSnapshot({ s0: 50 }), consumerSnapshot({ s0: 7 }), {
      level: 'summary',
      workerIdentifier: true,
    });
    expect(new Set(datums.map((d) => d.name))).toEqual(
      new Set(['MillisBehindLatest', 'RecordsProcessed', 'CurrentLeases', 'LostLeases']),
    );
    expect(datums.find((d) => d.name === 'RecordsProcessed' && d.dimensions.ShardId === 's0')?.value).toBe(7);
    expect(datums.every((d) => d.dimensions.WorkerIdentifier === 'worker-1')).toBe(true);
    expect(
      consumerDatums(undefined, consumerSnapshot({ s0: 1 }), { granularity: 'global' }).some(
        (d) => d.dimensions.ShardId,
      ),
    ).toBe(false);
  });

  it('publishes the shards of a multi-stream consumer with StreamName and ShardId dimensions', () => {
    const base = consumerSnapshot({ s0: 1 });
    const shard = base.shards.s0!;
    const snapshot = {
      ...base,
      shards: {
        'orders/shardId-000000000000': { ...shard, shardId: 'shardId-000000000000', streamName: 'orders' },
        'payments/shardId-000000000000': {
          ...shard,
          shardId: 'shardId-000000000000',
          streamName: 'payments',
        },
      },
    };
    const records = consumerDatums(undefined, snapshot).filter(
      (d) => d.name === 'RecordsProcessed' && d.dimensions.ShardId !== undefined,
    );
    expect(records.map((d) => d.dimensions)).toEqual([
      { Operation: 'ProcessTask', StreamName: 'orders', ShardId: 'shardId-000000000000' },
      { Operation: 'ProcessTask', StreamName: 'payments', ShardId: 'shardId-000000000000' },
    ]);
    // Worker totals carry no stream.
    expect(consumerDatums(undefined, snapshot).find((d) => d.name === 'CurrentLeases')?.dimensions).toEqual({
      Operation: 'RenewAllLeases',
    });
  });
});
