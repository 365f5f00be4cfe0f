import {
  GetRecordsCommand,
  GetShardIteratorCommand,
  type GetShardIteratorCommandInput,
  KinesisClient,
} from '@aws-sdk/client-kinesis';
import { encodeAggregatedRecord } from '@kinesis-ts/core';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { ShardPositionFinder } from './shard-positions.js';

const kinesisMock = mockClient(KinesisClient);
afterEach(() => kinesisMock.reset());

interface FakeRecord {
  readonly sequenceNumber: string;
  readonly arrivedAtMs: number;
  readonly data?: Uint8Array;
}

/**
 * A one-shard Kinesis in memory: iterators are indexes into `records`; GetRecords returns up to
 * `pageSize` records and counts its calls.
 */
function fakeShard(records: readonly FakeRecord[], pageSize = 2) {
  const calls = { getShardIterator: 0, getRecords: 0 };
  kinesisMock.on(GetShardIteratorCommand).callsFake((input: GetShardIteratorCommandInput) => {
    calls.getShardIterator++;
    let index = 0;
    switch (input.ShardIteratorType) {
      case 'TRIM_HORIZON':
        index = 0;
        break;
      case 'AT_TIMESTAMP':
        index = records.findIndex((r) => r.arrivedAtMs >= (input.Timestamp as Date).getTime());
        break;
      case 'AT_SEQUENCE_NUMBER':
        index = records.findIndex((r) => BigInt(r.sequenceNumber) >= BigInt(input.StartingSequenceNumber!));
        break;
      case 'AFTER_SEQUENCE_NUMBER':
        index = records.findIndex((r) => BigInt(r.sequenceNumber) > BigInt(input.StartingSequenceNumber!));
        break;
    }
    return { ShardIterator: String(index === -1 ? records.length : index) };
  });
  kinesisMock.on(GetRecordsCommand).callsFake((input: { ShardIterator: string; Limit: number }) => {
    calls.getRecords++;
    const from = Number(input.ShardIterator);
    const page = records.slice(from, from + Math.min(pageSize, input.Limit));
    return {
      Records: page.map((r) => ({
        SequenceNumber: r.sequenceNumber,
        PartitionKey: 'k',
        Data: r.data ?? new Uint8Array([1]),
        ApproximateArrivalTimestamp: new Date(r.arrivedAtMs),
      })),
      NextShardIterator: String(from + page.length),
      MillisBehindLatest: 0,
    };
  });
  return calls;
}

const finder = () =>
  new ShardPositionFinder({
    kinesisClient: new KinesisClient({ region: 'us-east-1' }),
    streamName: 's',
    getRecordsIntervalMs: 0,
  });

const T = Date.UTC(2026, 5, 1, 12, 0, 0);

describe('ShardPositionFinder', () => {
  it('places a timestamp just after the last record that arrived before it', async () => {
    fakeShard([
      { sequenceNumber: '10', arrivedAtMs: T - 5_000 },
      { sequenceNumber: '11', arrivedAtMs: T - 500 },
      { sequenceNumber: '12', arrivedAtMs: T },
      { sequenceNumber: '13', arrivedAtMs: T + 10 },
    ]);
    const result = await finder().checkpointBeforeTimestamp('shardId-0', new Date(T));
    expect(result.checkpoint).toEqual({ sequenceNumber: '11', subSequenceNumber: 0 });
    expect(result.firstRecord?.sequenceNumber).toBe('12');
  });

  it('looks further back, window by window, when the shard was quiet before the timestamp', async () => {
    const calls = fakeShard([
      { sequenceNumber: '10', arrivedAtMs: T - 3 * 3_600_000 },
      { sequenceNumber: '11', arrivedAtMs: T - 2 * 3_600_000 },
      { sequenceNumber: '20', arrivedAtMs: T + 1_000 },
    ]);
    const result = await finder().checkpointBeforeTimestamp('shardId-0', new Date(T));
    expect(result.checkpoint).toEqual({ sequenceNumber: '11', subSequenceNumber: 0 });
    // the 1 s … 1 000 s windows found nothing; the ~2.8 h one did
    expect(calls.getShardIterator).toBeLessThan(12);
  });

  it('gives TRIM_HORIZON when nothing kept is older than the timestamp, or the shard is empty', async () => {
    fakeShard([{ sequenceNumber: '10', arrivedAtMs: T + 1 }]);
    expect((await finder().checkpointBeforeTimestamp('shardId-0', new Date(T))).checkpoint).toEqual({
      sequenceNumber: 'TRIM_HORIZON',
      subSequenceNumber: 0,
    });
    kinesisMock.reset();
    fakeShard([]);
    expect(
      (await finder().checkpointBeforeTimestamp('shardId-0', new Date(T))).checkpoint.sequenceNumber,
    ).toBe('TRIM_HORIZON');
  });

  it('places a timestamp after the tip at the last record, whole aggregate included', async () => {
    const aggregate = encodeAggregatedRecord([
      { partitionKey: 'a', data: new Uint8Array([1]) },
      { partitionKey: 'b', data: new Uint8Array([2]) },
      { partitionKey: 'c', data: new Uint8Array([3]) },
    ]);
    fakeShard([
      { sequenceNumber: '10', arrivedAtMs: T - 2_000 },
      { sequenceNumber: '11', arrivedAtMs: T - 1_500, data: aggregate },
    ]);
    const result = await finder().checkpointBeforeTimestamp('shardId-0', new Date(T));
    expect(result.firstRecord).toBeUndefined();
    expect(result.checkpoint).toEqual({ sequenceNumber: '11', subSequenceNumber: 2 });
  });

  it('places a sequence number inclusively: the checkpoint is the record before it', async () => {
    fakeShard([
      { sequenceNumber: '10', arrivedAtMs: T - 2_000 },
      { sequenceNumber: '11', arrivedAtMs: T - 2_000 },
      { sequenceNumber: '12', arrivedAtMs: T - 2_000 },
    ]);
    expect(await finder().checkpointBeforeSequenceNumber('shardId-0', '12')).toEqual({
      sequenceNumber: '11',
      subSequenceNumber: 0,
    });
    expect((await finder().checkpointBeforeSequenceNumber('shardId-0', '10')).sequenceNumber).toBe(
      'TRIM_HORIZON',
    );
  });

  it('measures lag as the age of the first record after the checkpoint', async () => {
    fakeShard([
      { sequenceNumber: '10', arrivedAtMs: T - 9_000 },
      { sequenceNumber: '11', arrivedAtMs: T - 4_000 },
    ]);
    const f = finder();
    expect(await f.lagMs('shardId-0', { sequenceNumber: '10', subSequenceNumber: 0 }, T)).toBe(4_000);
    expect(await f.lagMs('shardId-0', { sequenceNumber: 'TRIM_HORIZON', subSequenceNumber: 0 }, T)).toBe(
      9_000,
    );
    expect(await f.lagMs('shardId-0', { sequenceNumber: '11', subSequenceNumber: 0 }, T)).toBe(0);
    expect(await f.lagMs('shardId-0', { sequenceNumber: 'LATEST', subSequenceNumber: 0 }, T)).toBe(0);
    expect(
      await f.lagMs('shardId-0', { sequenceNumber: 'SHARD_END', subSequenceNumber: 0 }, T),
    ).toBeUndefined();
  });

  it('turns Kinesis refusals into admin errors', async () => {
    const invalid = Object.assign(new Error('did not come from this shard'), {
      name: 'InvalidArgumentException',
    });
    kinesisMock.on(GetShardIteratorCommand).rejects(invalid);
    await expect(finder().validateSequenceNumber('shardId-0', '123')).rejects.toMatchObject({
      code: 'ADMIN_INVALID_SEQUENCE_NUMBER',
    });
    const missing = Object.assign(new Error('no stream'), { name: 'ResourceNotFoundException' });
    kinesisMock.on(GetShardIteratorCommand).rejects(missing);
    await expect(finder().checkpointBeforeTimestamp('shardId-0', new Date(T))).rejects.toMatchObject({
      code: 'ADMIN_STREAM_NOT_FOUND',
    });
  });

  it('rejects with a transient RequestTimeout when Kinesis gives no answer within requestTimeoutMs', async () => {
    kinesisMock.on(GetShardIteratorCommand).callsFake(() => new Promise(() => undefined)); // never answers
    const timed = new ShardPositionFinder({
      kinesisClient: new KinesisClient({ region: 'us-east-1' }),
      streamName: 's',
      requestTimeoutMs: 100,
    });
    await expect(timed.validateSequenceNumber('shardId-0', '123')).rejects.toMatchObject({
      name: 'RequestTimeout',
      retryable: true,
    });
  });
});
