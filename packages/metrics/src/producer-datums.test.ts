import type { KinesisConsumer } from '@kinesis-ts/consumer';
import type { KinesisProducer } from '@kinesis-ts/producer';
import { describe, expect, it } from 'vitest';
import { producerSet, producerSnapshot, stat } from '../test/snapshots.js';
import type { MetricsSource } from './metric-sources.js';
import { producerDatums } from './producer-datums.js';

// The real classes fit the structural source type.
const producerFits: MetricsSource = null as unknown as KinesisProducer;
const consumerFits: MetricsSource = null as unknown as KinesisConsumer;
void [producerFits, consumerFits];

const key = (d: { name: string; dimensions: Record<string, string> }) =>
  `${d.name}{${Object.entries(d.dimensions)
    .map(([k, v]) => `${k}=${v}`)
    .join(',')}}`;

describe('producerDatums', () => {
  it('publishes each KPL metric at global, stream and shard level, as the KPL does at shard granularity', () => {
    const snapshot = producerSnapshot({
      'shardId-000000000000': producerSet(30),
      'shardId-000000000001': producerSet(70),
    });
    const datums = producerDatums(undefined, snapshot, { streamName: 'orders' });
    const series = datums.filter((d) => d.name === 'UserRecordsDataPut').map(key);
    expect(series).toEqual([
      'UserRecordsDataPut{}',
      'UserRecordsDataPut{StreamName=orders}',
      'UserRecordsDataPut{StreamName=orders,ShardId=shardId-000000000000}',
      'UserRecordsDataPut{StreamName=orders,ShardId=shardId-000000000001}',
    ]);
    expect(
      datums.find((d) => key(d) === 'UserRecordsDataPut{StreamName=orders,ShardId=shardId-000000000001}'),
    ).toMatchObject({
      unit: 'Bytes',
      value: 7000,
    });
    // stream-only metrics are not published per shard
    expect(datums.filter((d) => d.name === 'RequestTime').map(key)).toEqual([
      'RequestTime{}',
      'RequestTime{StreamName=orders}',
    ]);
    expect(new Set(datums.map((d) => d.name))).toEqual(
      new Set([
        'UserRecordsPut',
        'UserRecordsDataPut',
        'KinesisRecordsPut',
        'KinesisRecordsDataPut',
        'AllErrors',
        'UserRecordExpired',
        'UserRecordsFailed',
        'RetriesPerRecord',
        'BufferingTime',
        'UserRecordsPerKinesisRecord',
        'UserRecordsReceived',
        'UserRecordsPending',
        'RequestTime',
        'KinesisRecordsPerPutRecordsRequest',
        'UserRecordsPerPutRecordsRequest',
      ]),
    );
  });

  it('publishes the period between two snapshots, UserRecordsPut as a success rate, errors by code', () => {
    const before = producerSnapshot({ s0: producerSet(100) });
    const after = producerSnapshot(
      {
        s0: producerSet(180, {
          UserRecordsFailed: 20,
          AllErrors: 25,
          ErrorsByCode: { ProvisionedThroughputExceededException: 25 },
          BufferingTime: stat(200, 100 * 50 + 100 * 20, 5, 90),
        }),
      },
      { UserRecordsPending: 42 },
    );
    const datums = producerDatums(before, after, { streamName: 'orders', granularity: 'shard' });
    const shard = (name: string) => datums.find((d) => d.name === name && d.dimensions.ShardId === 's0');
    expect(shard('UserRecordsPut')?.statistic).toEqual({ sampleCount: 100, sum: 80, minimum: 0, maximum: 1 });
    expect(shard('UserRecordsDataPut')?.value).toBe(8000);
    expect(shard('BufferingTime')?.statistic).toEqual({
      sampleCount: 100,
      sum: 2000,
      minimum: 5,
      maximum: 20,
    });
    expect(datums.find((d) => d.name === 'ErrorsByCode' && d.dimensions.ShardId === 's0')).toMatchObject({
      dimensions: {
        StreamName: 'orders',
        ShardId: 's0',
        ErrorCode: 'ProvisionedThroughputExceededException',
      },
      value: 25,
    });
    expect(datums.find((d) => key(d) === 'UserRecordsPending{StreamName=orders}')?.value).toBe(42);
  });

  it('follows the level and granularity options and adds user dimensions first', () => {
    const snapshot = producerSnapshot({ s0: producerSet(10) });
    const summary = producerDatums(undefined, snapshot, {
      streamName: 'orders',
      level: 'summary',
      granularity: 'stream',
    });
    expect(new Set(summary.map((d) => d.name))).toEqual(
      new Set(['UserRecordsPut', 'KinesisRecordsPut', 'AllErrors', 'UserRecordExpired', 'BufferingTime']),
    );
    expect(summary.some((d) => d.dimensions.ShardId)).toBe(false);
    expect(producerDatums(undefined, snapshot, { level: 'none' })).toEqual([]);
    const global = producerDatums(undefined, snapshot, {
      granularity: 'global',
      dimensions: { Service: 'checkout' },
    });
    expect(new Set(global.map((d) => JSON.stringify(d.dimensions)))).toEqual(
      new Set(['{"Service":"checkout"}']),
    );
  });
});
