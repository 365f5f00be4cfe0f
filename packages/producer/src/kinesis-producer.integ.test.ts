import { ListShardsCommand, SplitShardCommand } from '@aws-sdk/client-kinesis';
import { injectKinesisFaults, KINESIS_TRANSPORTS, uniqueName } from '@kinesis-ts/local';
import { useLocalStack } from '@kinesis-ts/local/vitest';
import { NodeHttp2Handler } from '@smithy/node-http-handler';
import { describe, expect, it } from 'vitest';
import { readStreamWithKclRules } from '../test/read-stream.js';
import { KinesisProducer } from './kinesis-producer.js';

const local = useLocalStack();

describe.each(KINESIS_TRANSPORTS)('over %s', (transport) => {
  describe('KinesisProducer against the local Kinesis', () => {
    it('writes every record exactly once and in per-key order through failed entries, throttling and a split', async () => {
      const streamName = uniqueName('producer-faults');
      await local.createStream(streamName, 2);
      const client = local.kinesisClient({ transport });
      const faults = injectKinesisFaults(client, {
        seed: 7,
        // 10 % of entries fail, and at least the first entry of every third call.
        putRecordsFailures: { rate: 0.1, predicate: (_entry, index, call) => index === 0 && call % 3 === 1 },
        callErrors: [
          { operations: ['PutRecords'], error: 'ThrottlingException', firstCalls: 1 },
          { operations: ['PutRecords'], error: 'ThrottlingException', rate: 0.05 },
        ],
      });
      const producer = new KinesisProducer({
        streamName,
        client,
        maxBufferedTimeMs: 20,
        maxAggregateSizeBytes: 4096, // many entries per request, so partial failures split requests
        retryBackoff: { baseDelayMs: 5, maxDelayMs: 100 },
      });
      const mapGenerations: number[] = [];
      producer.events.on('shard-map:updated', ({ generation }) => mapGenerations.push(generation));

      const total = 20_000;
      const keyCount = 200;
      const puts: Promise<unknown>[] = [];
      for (let i = 0; i < total; i++) {
        const key = `device-${i % keyCount}`;
        puts.push(
          producer.put({ partitionKey: key, data: Buffer.from(`${key}:${Math.floor(i / keyCount)}`) }),
        );
        if (i === total / 2) {
          await producer.waitForCapacity();
          const shards = await client.send(new ListShardsCommand({ StreamName: streamName }));
          const first = shards.Shards![0]!;
          const start = BigInt(first.HashKeyRange!.StartingHashKey!);
          const end = BigInt(first.HashKeyRange!.EndingHashKey!);
          await client.send(
            new SplitShardCommand({
              StreamName: streamName,
              ShardToSplit: first.ShardId,
              NewStartingHashKey: ((start + end) / 2n).toString(),
            }),
          );
        }
        if (i % 1000 === 0) await new Promise((resolve) => setTimeout(resolve, 5));
      }
      const results = await Promise.allSettled(puts);
      await producer.close();
      expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
      expect(faults.stats().failedEntries).toBeGreaterThan(0);
      expect(faults.stats().callErrors).toBeGreaterThan(0);
      expect(mapGenerations.length).toBeGreaterThanOrEqual(2); // the split was noticed and the map refreshed

      faults.remove();
      const read = await readStreamWithKclRules(client, streamName);
      const seen = new Map<string, number[]>();
      for (const record of read) {
        const [key, index] = Buffer.from(record.data).toString().split(':');
        const list = seen.get(key!) ?? [];
        list.push(Number(index));
        seen.set(key!, list);
      }
      expect(read).toHaveLength(total);
      expect(seen.size).toBe(keyCount);
      for (const [key, indexes] of seen) {
        expect(indexes, key).toEqual(Array.from({ length: total / keyCount }, (_, i) => i));
      }
    });

    it('rejects at once, with the cause, when the stream does not exist', async () => {
      const producer = new KinesisProducer({
        streamName: uniqueName('missing'),
        client: local.kinesisClient({ transport }),
      });
      const started = Date.now();
      const error = await producer.put({ partitionKey: 'k', data: Buffer.from('x') }).catch((e) => e);
      expect(error.code).toBe('CANNOT_WRITE_STREAM');
      expect(error.lastErrorCode).toBe('ResourceNotFoundException');
      expect(Date.now() - started).toBeLessThan(10_000); // not after the 30 s time to live
      await producer.close();
    });
  });

  // The service closes connections at will (a GOAWAY on HTTP/2, a closed keep-alive connection on
  // HTTP/1.1): calls in flight finish, new ones need a new connection. Over HTTP/2 both the SDK's
  // default handler (a session per call) and a multiplexing handler (one long-lived session) run.
  const clients = transport === 'http2' ? (['default', 'multiplexed'] as const) : (['default'] as const);
  it.each(clients)(
    'writes every record once, in per-key order, while the service closes its connections (%s handler)',
    async (handler) => {
      const streamName = uniqueName('producer-goaway');
      await local.createStream(streamName, 2);
      const client = local.kinesisClient(
        handler === 'multiplexed' ? { requestHandler: new NodeHttp2Handler() } : { transport },
      );
      const producer = new KinesisProducer({
        streamName,
        client,
        maxBufferedTimeMs: 10,
        retryBackoff: { baseDelayMs: 5, maxDelayMs: 100 },
      });
      const total = 3_000;
      const keyCount = 30;
      const puts: Promise<unknown>[] = [];
      let closes = 0;
      for (let i = 0; i < total; i++) {
        const key = `k-${i % keyCount}`;
        puts.push(
          producer.put({ partitionKey: key, data: Buffer.from(`${key}:${Math.floor(i / keyCount)}`) }),
        );
        if (i % 300 === 150) {
          await local.closeKinesisSessions();
          closes++;
        }
        if (i % 50 === 0) await new Promise((resolve) => setTimeout(resolve, 5));
      }
      const results = await Promise.allSettled(puts);
      await producer.close();
      expect(closes).toBe(10);
      expect(results.filter((r) => r.status === 'rejected')).toEqual([]);

      const read = await readStreamWithKclRules(client, streamName);
      const seen = new Map<string, number[]>();
      for (const record of read) {
        const [key, index] = Buffer.from(record.data).toString().split(':');
        seen.set(key!, [...(seen.get(key!) ?? []), Number(index)]);
      }
      expect(read).toHaveLength(total);
      for (const [key, indexes] of seen) {
        expect(indexes, key).toEqual(Array.from({ length: total / keyCount }, (_, i) => i));
      }
    },
  );
});
