/**
 * Records up to 10 MiB against the local Kinesis, on a stream created with `MaxRecordSizeInKiB`
 * 10240 (kinesis-local honours it: it reports it in `DescribeStreamSummary`, and the stack's front
 * checks records against it).
 *
 * The sizes are the service's own: the stack's front keeps records above 64 KiB itself (the
 * emulator, which takes over a minute to store a 9.5 MiB record, stores a placeholder) and puts
 * them back in GetRecords, so these records go through in seconds, byte for byte.
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

/** `size` bytes, different for every seed and every position (a swapped or cut record shows). */
function payload(size: number, seed: number): Uint8Array {
  const data = new Uint8Array(size);
  let x = seed * 2_654_435_761;
  for (let i = 0; i < size; i++) {
    x = (x * 1_103_515_245 + 12_345) >>> 0;
    data[i] = x >>> 24;
  }
  return data;
}

describe('KinesisProducer with records up to 10 MiB, against the local Kinesis', () => {
  it("takes the stream's 10 MiB limit: three 3 MiB records in one request, 9.5 MiB records, all read back whole, and 10.5 MiB refused before sending", async () => {
    const streamName = uniqueName('producer-large');
    await local.createStream(streamName, 3, { maxRecordSizeInKiB: 10_240 });
    const client = local.kinesisClient({ transport: 'http1' });
    const { Shards: shards = [] } = await client.send(new ListShardsCommand({ StreamName: streamName }));
    const hashKeys = shards.map((shard) => shard.HashKeyRange!.StartingHashKey!);
    // No maxRecordSizeBytes: the limit comes from the stream's MaxRecordSizeInKiB.
    const producer = new KinesisProducer({
      streamName,
      client,
      maxBufferedTimeMs: 50,
      requestTimeoutMs: 60_000,
      recordTtlMs: 90_000,
    });
    const requests: number[] = [];
    producer.events.on('request:completed', ({ entries }) => requests.push(entries));

    // One per shard, put together: each passes on its shard's burst credit, all in one request.
    const threeMiB = hashKeys.map((hashKey, i) => ({
      partitionKey: `three-${i}`,
      explicitHashKey: hashKey,
      data: payload(3 * MIB, i + 1),
    }));
    const results = await Promise.all(threeMiB.map((record) => producer.put(record)));
    expect(results.map((result) => result.shardId)).toEqual(shards.map((shard) => shard.ShardId));
    expect(requests).toEqual([3]);

    // Two 9.5 MiB records: one request each (two would exceed the 10 MiB request).
    const nineAndAHalf = hashKeys.slice(0, 2).map((hashKey, i) => ({
      partitionKey: `nine-${i}`,
      explicitHashKey: hashKey,
      data: payload(9.5 * MIB, 10 + i),
    }));
    await Promise.all(nineAndAHalf.map((record) => producer.put(record)));
    expect(requests).toEqual([3, 1, 1]);

    const tooLarge = await producer
      .put({ partitionKey: 'huge', data: payload(10.5 * MIB, 99) })
      .catch((error: unknown) => error);
    expect(KinesisTsError.hasCode(tooLarge, 'RECORD_TOO_LARGE')).toBe(true);
    expect((tooLarge as Error).message).toContain(`at most ${10 * MIB} bytes`);
    await producer.close();
    expect(requests).toEqual([3, 1, 1]); // nothing sent for it

    const read = await readStreamWithKclRules(client, streamName);
    const written = [...threeMiB, ...nineAndAHalf];
    expect(read.map((record) => record.partitionKey).sort()).toEqual(
      written.map((record) => record.partitionKey).sort(),
    );
    for (const record of written) {
      const back = read.find((r) => r.partitionKey === record.partitionKey)!;
      expect(Buffer.from(back.data).equals(Buffer.from(record.data))).toBe(true);
    }
    await local.deleteStream(streamName);
  }, 240_000);
});
