import {
  GetRecordsCommand,
  GetShardIteratorCommand,
  KinesisClient,
  ListShardsCommand,
} from '@aws-sdk/client-kinesis';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { tailStream } from './tail.js';

const kinesis = new KinesisClient({
  region: 'us-east-1',
  credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
});
const kinesisMock = mockClient(kinesis);
afterEach(() => kinesisMock.reset());
const MAX = 2n ** 128n - 1n;
const HALF = 2n ** 127n;
const record = (sequenceNumber: string, data: string) => ({
  SequenceNumber: sequenceNumber,
  PartitionKey: 'customer-1',
  Data: new TextEncoder().encode(data),
});

describe('tailStream across a split', () => {
  it("prints a key's records of the parent (two pages) before those of its child", async () => {
    kinesisMock.on(ListShardsCommand).resolves({
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
    kinesisMock
      .on(GetShardIteratorCommand)
      .callsFake((input: { ShardId: string }) => ({ ShardIterator: `${input.ShardId}/1` }));
    const pages: Record<string, object> = {
      'shardId-000000000000/1': {
        Records: [record('10', 'v1')],
        NextShardIterator: 'shardId-000000000000/2',
        MillisBehindLatest: 5,
      },
      'shardId-000000000000/2': {
        Records: [record('20', 'v2')],
        NextShardIterator: undefined,
        MillisBehindLatest: 5,
      },
      'shardId-000000000001/1': {
        Records: [record('300', 'v3')],
        NextShardIterator: 'shardId-000000000001/2',
        MillisBehindLatest: 0,
      },
      'shardId-000000000001/2': {
        Records: [],
        NextShardIterator: 'shardId-000000000001/2',
        MillisBehindLatest: 0,
      },
      'shardId-000000000002/1': {
        Records: [],
        NextShardIterator: 'shardId-000000000002/1',
        MillisBehindLatest: 0,
      },
    };
    kinesisMock
      .on(GetRecordsCommand)
      .callsFake((input: { ShardIterator: string }) => pages[input.ShardIterator]);
    const seen: string[] = [];
    const count = await tailStream(
      kinesis,
      { streamName: 'orders' },
      { position: { type: 'TRIM_HORIZON' }, pollIntervalMs: 10 },
      (r) => seen.push(new TextDecoder().decode(r.data)),
    );
    expect(count).toBe(3);
    expect(seen).toEqual(['v1', 'v2', 'v3']); // one key: in the order it was written, across the split
  });
});
