import {
  GetRecordsCommand,
  GetShardIteratorCommand,
  KinesisClient,
  ListShardsCommand,
} from '@aws-sdk/client-kinesis';
import { encodeAggregatedRecord } from '@kinesis-ts/core';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { readStream, type StreamRecord } from './read-stream.js';

const kinesis = mockClient(KinesisClient);
const client = new KinesisClient({
  region: 'us-east-1',
  credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
});
const MAX = 2n ** 128n - 1n;
const HALF = 2n ** 127n;
const bytes = (value: string) => new TextEncoder().encode(value);
const text = (data: Uint8Array) => new TextDecoder().decode(data);
const record = (sequenceNumber: string, data: string, partitionKey = 'k') => ({
  SequenceNumber: sequenceNumber,
  PartitionKey: partitionKey,
  Data: bytes(data),
});

/** A parent split into two children: the parent holds two pages, the children one each. */
function splitStream() {
  kinesis.on(ListShardsCommand).resolves({
    Shards: [
      {
        ShardId: 'shardId-000000000000',
        HashKeyRange: { StartingHashKey: '0', EndingHashKey: MAX.toString() },
        SequenceNumberRange: { StartingSequenceNumber: '1', EndingSequenceNumber: '299' },
      },
      {
        ShardId: 'shardId-000000000001',
        ParentShardId: 'shardId-000000000000',
        HashKeyRange: { StartingHashKey: '0', EndingHashKey: (HALF - 1n).toString() },
        SequenceNumberRange: { StartingSequenceNumber: '300' },
      },
      {
        ShardId: 'shardId-000000000002',
        ParentShardId: 'shardId-000000000000',
        HashKeyRange: { StartingHashKey: HALF.toString(), EndingHashKey: MAX.toString() },
        SequenceNumberRange: { StartingSequenceNumber: '300' },
      },
    ],
  });
  kinesis
    .on(GetShardIteratorCommand)
    .callsFake((input: { ShardId: string }) => ({ ShardIterator: `${input.ShardId}/1` }));
  const pages: Record<string, object> = {
    'shardId-000000000000/1': {
      Records: [record('10', 'parent-1')],
      NextShardIterator: 'shardId-000000000000/2',
      MillisBehindLatest: 1000,
    },
    'shardId-000000000000/2': {
      Records: [record('20', 'parent-2')],
      NextShardIterator: undefined,
      MillisBehindLatest: 1000,
    },
    'shardId-000000000001/1': {
      Records: [record('300', 'child-1')],
      NextShardIterator: 'shardId-000000000001/2',
      MillisBehindLatest: 0,
    },
    'shardId-000000000001/2': {
      Records: [],
      NextShardIterator: 'shardId-000000000001/2',
      MillisBehindLatest: 0,
    },
    'shardId-000000000002/1': {
      Records: [record('301', 'child-2')],
      NextShardIterator: 'shardId-000000000002/2',
      MillisBehindLatest: 0,
    },
    'shardId-000000000002/2': {
      Records: [],
      NextShardIterator: 'shardId-000000000002/2',
      MillisBehindLatest: 0,
    },
  };
  kinesis.on(GetRecordsCommand).callsFake((input: { ShardIterator: string }) => pages[input.ShardIterator]);
}

async function collect(iterable: AsyncIterable<StreamRecord>): Promise<string[]> {
  const out: string[] = [];
  for await (const r of iterable) out.push(`${r.shardId.slice(-1)}:${text(r.data)}`);
  return out;
}

beforeEach(() => kinesis.reset());

describe('readStream', () => {
  it('reads a parent to its end before its children, so a key keeps its order across a split, and ends when caught up', async () => {
    splitStream();
    const seen = await collect(readStream({ client, streamName: 'orders', pollIntervalMs: 10 }));
    expect(seen.slice(0, 2)).toEqual(['0:parent-1', '0:parent-2']);
    expect(seen.slice(2).sort()).toEqual(['1:child-1', '2:child-2']);
    // a child is not even asked for an iterator before its parent is done
    const iteratorCalls = kinesis
      .commandCalls(GetShardIteratorCommand)
      .map((call) => call.args[0].input.ShardId);
    expect(iteratorCalls[0]).toBe('shardId-000000000000');
  });

  it('splits aggregates with the shard hash range and starts at a sequence number of one shard, then its children', async () => {
    splitStream();
    const aggregate = encodeAggregatedRecord([
      { partitionKey: 'a', data: bytes('agg-0'), explicitHashKey: '1' },
      { partitionKey: 'b', data: bytes('agg-1'), explicitHashKey: '2' },
    ]);
    kinesis
      .on(GetShardIteratorCommand, {
        ShardId: 'shardId-000000000000',
        ShardIteratorType: 'AT_SEQUENCE_NUMBER',
        StartingSequenceNumber: '20',
      })
      .resolves({ ShardIterator: 'at-20' });
    kinesis.on(GetRecordsCommand, { ShardIterator: 'at-20' }).resolves({
      Records: [{ SequenceNumber: '20', PartitionKey: 'agg', Data: aggregate }],
      NextShardIterator: undefined,
      MillisBehindLatest: 0,
    });
    const seen = await collect(
      readStream({
        client,
        streamName: 'orders',
        from: { shardId: 'shardId-000000000000', sequenceNumber: '20' },
        pollIntervalMs: 10,
      }),
    );
    expect(seen.slice(0, 2)).toEqual(['0:agg-0', '0:agg-1']);
    expect(seen.slice(2).sort()).toEqual(['1:child-1', '2:child-2']);
  });

  it('ends quietly when its signal aborts, and refuses a shard that is not in the stream', async () => {
    splitStream();
    const controller = new AbortController();
    const seen: string[] = [];
    for await (const r of readStream({
      client,
      streamName: 'orders',
      follow: true,
      signal: controller.signal,
      pollIntervalMs: 10,
    })) {
      seen.push(text(r.data));
      if (seen.length === 3) controller.abort();
    }
    expect(seen).toHaveLength(3);
    await expect(
      collect(readStream({ client, streamName: 'orders', shardIds: ['shardId-000000000009'] })),
    ).rejects.toMatchObject({
      field: 'shardIds',
    });
  });
});
