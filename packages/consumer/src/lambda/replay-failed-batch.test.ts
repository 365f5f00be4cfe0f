import {
  GetRecordsCommand,
  GetShardIteratorCommand,
  KinesisClient,
  ListShardsCommand,
} from '@aws-sdk/client-kinesis';
import { encodeAggregatedRecord, KinesisTsError } from '@kinesis-ts/core';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { ProcessingErrorCode } from '../processing/processing-errors.js';
import type { KinesisFailedBatch } from './failure-message.js';
import { readFailedBatch, replayFailedBatch } from './replay-failed-batch.js';

const kinesis = mockClient(KinesisClient);
const client = new KinesisClient({ region: 'us-east-1' });
const STREAM_ARN = 'arn:aws:kinesis:us-east-1:123456789012:stream/orders';
const MAX_HASH = (2n ** 128n - 1n).toString();
const HALF = (2n ** 127n).toString();
const bytes = (value: string) => new TextEncoder().encode(value);
const text = (data: Uint8Array) => new TextDecoder().decode(data);

const batch: KinesisFailedBatch = {
  streamArn: STREAM_ARN,
  shardId: 'shardId-000000000001',
  startSequenceNumber: '200',
  endSequenceNumber: '400',
};

const record = (sequenceNumber: string, data: Uint8Array, partitionKey = 'k') => ({
  SequenceNumber: sequenceNumber,
  PartitionKey: partitionKey,
  Data: data,
  ApproximateArrivalTimestamp: new Date('2026-12-01T00:00:00Z'),
});

beforeEach(() => {
  kinesis.reset();
  // the shard owns the lower half of the hash space
  kinesis.on(ListShardsCommand).resolves({
    Shards: [
      {
        ShardId: 'shardId-000000000001',
        HashKeyRange: { StartingHashKey: '0', EndingHashKey: (2n ** 127n - 1n).toString() },
        SequenceNumberRange: { StartingSequenceNumber: '1' },
      },
      {
        ShardId: 'shardId-000000000002',
        HashKeyRange: { StartingHashKey: HALF, EndingHashKey: MAX_HASH },
        SequenceNumberRange: { StartingSequenceNumber: '1' },
      },
    ],
  });
});

describe('readFailedBatch', () => {
  it('reads exactly the records from the start to the end sequence number, over several GetRecords pages, aggregates split', async () => {
    kinesis
      .on(GetShardIteratorCommand, {
        StreamARN: STREAM_ARN,
        ShardId: 'shardId-000000000001',
        ShardIteratorType: 'AT_SEQUENCE_NUMBER',
        StartingSequenceNumber: '200',
      })
      .resolves({ ShardIterator: 'it-1' });
    const aggregate = encodeAggregatedRecord([
      { partitionKey: 'a', data: bytes('agg-0'), explicitHashKey: '1' },
      { partitionKey: 'b', data: bytes('agg-1'), explicitHashKey: '2' },
    ]);
    kinesis
      .on(GetRecordsCommand, { ShardIterator: 'it-1' })
      .resolves({
        Records: [record('200', bytes('first'))],
        NextShardIterator: 'it-2',
        MillisBehindLatest: 10,
      })
      .on(GetRecordsCommand, { ShardIterator: 'it-2' })
      .resolves({ Records: [], NextShardIterator: 'it-3', MillisBehindLatest: 10 })
      .on(GetRecordsCommand, { ShardIterator: 'it-3' })
      .resolves({
        Records: [
          record('300', aggregate, 'agg'),
          record('400', bytes('last')),
          record('500', bytes('after')),
        ],
        NextShardIterator: 'it-4',
        MillisBehindLatest: 0,
      });
    const records = await readFailedBatch({ client, batch });
    expect(records.map((r) => `${r.sequenceNumber}/${r.subSequenceNumber} ${text(r.data)}`)).toEqual([
      '200/0 first',
      '300/0 agg-0',
      '300/1 agg-1',
      '400/0 last',
    ]);
    expect(records[0]).toMatchObject({ shardId: 'shardId-000000000001', eventSourceArn: STREAM_ARN });
    expect(kinesis.commandCalls(GetRecordsCommand)).toHaveLength(3);
  });

  it('drops an aggregate with a user record outside the shard hash range, as the consumer does', async () => {
    kinesis.on(GetShardIteratorCommand).resolves({ ShardIterator: 'it-1' });
    const misrouted = encodeAggregatedRecord([
      { partitionKey: 'a', data: bytes('in'), explicitHashKey: '1' },
      { partitionKey: 'b', data: bytes('out'), explicitHashKey: HALF },
    ]);
    kinesis.on(GetRecordsCommand).resolves({
      Records: [record('200', bytes('plain')), record('300', misrouted, 'agg'), record('400', bytes('last'))],
      NextShardIterator: 'it-2',
      MillisBehindLatest: 0,
    });
    const records = await readFailedBatch({ client, batch });
    expect(records.map((r) => text(r.data))).toEqual(['plain', 'last']);
  });

  it('refuses to replay when the first record has left the stream (past its retention)', async () => {
    kinesis.on(GetShardIteratorCommand).resolves({ ShardIterator: 'it-1' });
    kinesis.on(GetRecordsCommand).resolves({
      Records: [record('350', bytes('later')), record('400', bytes('last'))],
      NextShardIterator: 'it-2',
      MillisBehindLatest: 0,
    });
    const error = await readFailedBatch({ client, batch }).catch((e: unknown) => e);
    expect(KinesisTsError.hasCode(error, ProcessingErrorCode.FAILED_BATCH_UNAVAILABLE)).toBe(true);
    expect(error).toMatchObject({
      shardId: 'shardId-000000000001',
      startSequenceNumber: '200',
      retryable: false,
    });
    expect((error as Error).message).toContain('350');
  });

  it('refuses to replay when the shard no longer exists', async () => {
    kinesis
      .on(GetShardIteratorCommand)
      .rejects(Object.assign(new Error('Shard not found'), { name: 'ResourceNotFoundException' }));
    await expect(readFailedBatch({ client, batch })).rejects.toMatchObject({
      code: 'FAILED_BATCH_UNAVAILABLE',
    });
  });

  it('takes the records of an S3 destination object from its event, without reading the stream', async () => {
    const event = {
      Records: [
        {
          kinesis: {
            partitionKey: 'k',
            data: Buffer.from('from-s3').toString('base64'),
            sequenceNumber: '200',
          },
          eventID: 'shardId-000000000001:200',
          eventSourceARN: STREAM_ARN,
        },
      ],
    };
    const records = await readFailedBatch({ batch: { ...batch, event } });
    expect(records.map((r) => text(r.data))).toEqual(['from-s3']);
    expect(kinesis.calls()).toHaveLength(0);
  });

  it('needs a client for an SQS or SNS message', async () => {
    await expect(readFailedBatch({ batch })).rejects.toMatchObject({
      field: 'client',
      code: 'INVALID_OPTION',
    });
  });
});

describe('replayFailedBatch', () => {
  it('runs the per-record function on each user record in order, and stops at a failure naming the record', async () => {
    kinesis.on(GetShardIteratorCommand).resolves({ ShardIterator: 'it-1' });
    kinesis.on(GetRecordsCommand).resolves({
      Records: [record('200', bytes('a')), record('300', bytes('b')), record('400', bytes('c'))],
      NextShardIterator: 'it-2',
      MillisBehindLatest: 0,
    });
    const seen: string[] = [];
    expect(
      await replayFailedBatch({
        client,
        batch,
        processRecord: (r, context) => void seen.push(`${text(r.data)} ${context.shardId}`),
      }),
    ).toEqual({ records: 3 });
    expect(seen).toEqual(['a shardId-000000000001', 'b shardId-000000000001', 'c shardId-000000000001']);

    const done: string[] = [];
    const error = await replayFailedBatch({
      client,
      batch,
      processRecord: (r) => {
        if (text(r.data) === 'b') throw new Error('still broken');
        done.push(text(r.data));
      },
    }).catch((e: unknown) => e);
    expect(done).toEqual(['a']);
    expect(error).toMatchObject({ code: 'PARTIAL_BATCH_FAILURE' });
    expect(
      (error as { failures: { record: { sequenceNumber: string } }[] }).failures[0]!.record.sequenceNumber,
    ).toBe('300');
  });
});
