/**
 * Records above 1 MiB against the local Kinesis, on a stream created with a raised record limit
 * (kinesis-local honours `MaxRecordSizeInKiB`: it reports it in `DescribeStreamSummary` and refuses
 * larger records itself).
 *
 * The sizes are scaled down from 10 MiB: kinesis-local 0.6.2 takes time quadratic in a record's
 * size to store it (measured on loopback, alone: 1 MiB 4.6 s, 4 MiB 27 s, 9.5 MiB 72 s, over JSON or
 * CBOR alike), so a 9.5 MiB record costs minutes in a test run. The 10 MiB sizes themselves (a 9.5
 * MiB record, three 3 MiB records in one request, 10.5 MiB refused) are covered by
 * kinesis-producer.large-records.test.ts on the fake Kinesis.
 */
import { ListShardsCommand } from '@aws-sdk/client-kinesis';
import { KinesisTsError } from '@kinesis-ts/core';
import { uniqueName } from '@kinesis-ts/local';
import { useLocalStack } from '@kinesis-ts/local/vitest';
import { describe, expect, it } from 'vitest';
import { readStreamWithKclRules } from '../test/read-stream.js';
import { KinesisProducer } from './kinesis-producer.js';

const local = useLocalStack();
const KIB = 1024;
const MIB = 1024 * KIB;

/** `size` bytes whose content tells records apart. */
function payload(size: number, seed: number): Uint8Array {
  const data = new Uint8Array(size);
  for (let i = 0; i < size; i += 4096) data[i] = (seed + i / 4096) % 251;
  return data;
}

describe('KinesisProducer with records above 1 MiB, against the local Kinesis', () => {
  it("takes the stream's raised limit: writes records above 1 MiB that read back whole, packs three into one request, and refuses one above the limit before sending", async () => {
    const streamName = uniqueName('producer-large');
    await local.createStream(streamName, 3, { maxRecordSizeInKiB: 2048 });
    const client = local.kinesisClient({ transport: 'http1' });
    const { Shards: shards = [] } = await client.send(new ListShardsCommand({ StreamName: streamName }));
    const hashKeys = shards.map((shard) => shard.HashKeyRange!.StartingHashKey!);
    // No maxRecordSizeBytes: the limit comes from the stream's MaxRecordSizeInKiB.
    const producer = new KinesisProducer({
      streamName,
      client,
      maxBufferedTimeMs: 50,
      requestTimeoutMs: 120_000,
      recordTtlMs: 150_000,
    });
    const requests: number[] = [];
    producer.events.on('request:completed', ({ entries }) => requests.push(entries));

    // One per shard, put together: each passes on its shard's burst credit, all in one request.
    const records = hashKeys.map((hashKey, i) => ({
      partitionKey: `large-${i}`,
      explicitHashKey: hashKey,
      data: payload(1200 * KIB, i + 1),
    }));
    const results = await Promise.all(records.map((record) => producer.put(record)));
    expect(results.map((result) => result.shardId)).toEqual(shards.map((shard) => shard.ShardId));
    expect(requests).toEqual([3]);

    const tooLarge = await producer
      .put({ partitionKey: 'huge', data: payload(2 * MIB + 1, 99) })
      .catch((error: unknown) => error);
    expect(KinesisTsError.hasCode(tooLarge, 'RECORD_TOO_LARGE')).toBe(true);
    expect((tooLarge as Error).message).toContain(`at most ${2 * MIB} bytes`);
    await producer.close();
    expect(requests).toEqual([3]); // nothing sent for it

    const read = await readStreamWithKclRules(client, streamName);
    expect(read.map((record) => record.partitionKey).sort()).toEqual(['large-0', 'large-1', 'large-2']);
    for (const record of records) {
      const back = read.find((r) => r.partitionKey === record.partitionKey)!;
      expect(Buffer.from(back.data).equals(Buffer.from(record.data))).toBe(true);
    }
  }, 240_000);
});
