/**
 * A real SDK v3 `KinesisClient` that never touches the network: a middleware at the front of its
 * stack answers `ListShards` and `PutRecords` at once (every entry written, on the shard its hash key
 * falls in, or, when asked, every n-th refused as throttled), so what a benchmark measures with it is the producer's own CPU per record, with the
 * SDK's command objects and middleware entry but without serialization, signing or HTTP.
 */
import { createHash } from 'node:crypto';
import { KinesisClient } from '@aws-sdk/client-kinesis';

const MAX_HASH_KEY = (1n << 128n) - 1n;

interface StubShard {
  readonly id: string;
  readonly end: bigint;
  readonly range: { StartingHashKey: string; EndingHashKey: string };
  sequence: bigint;
}

/** What the stub has answered so far. */
export interface InstantKinesisCounts {
  putRecordsCalls: number;
  /** Entries written. */
  entries: number;
  /** Entries refused as throttled (see `throttleEvery`). */
  throttled: number;
}

/** Builds a client for a stream of `shardCount` even shards; `counts` tells what it answered. */
export function instantKinesisClient(
  shardCount: number,
  /** Refuse every n-th entry answered with `ProvisionedThroughputExceededException` (0: none). */
  throttleEvery = 0,
): {
  client: KinesisClient;
  counts: InstantKinesisCounts;
} {
  const width = (MAX_HASH_KEY + 1n) / BigInt(shardCount);
  const shards: StubShard[] = Array.from({ length: shardCount }, (_, i) => {
    const start = BigInt(i) * width;
    const end = i === shardCount - 1 ? MAX_HASH_KEY : BigInt(i + 1) * width - 1n;
    return {
      id: `shardId-${String(i).padStart(12, '0')}`,
      end,
      range: { StartingHashKey: start.toString(), EndingHashKey: end.toString() },
      sequence: 49_000_000_000_000_000_000_000_000n,
    };
  });
  const shardFor = (hashKey: bigint): StubShard => {
    let low = 0;
    let high = shards.length - 1;
    while (low < high) {
      const middle = (low + high) >> 1;
      if (shards[middle]!.end < hashKey) low = middle + 1;
      else high = middle;
    }
    return shards[low]!;
  };
  const counts: InstantKinesisCounts = { putRecordsCalls: 0, entries: 0, throttled: 0 };
  const client = new KinesisClient({
    region: 'us-east-1',
    credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
    maxAttempts: 1,
  });
  client.middlewareStack.add(
    (_next, context) => async (args) => {
      const input = args.input as {
        Records?: { PartitionKey: string; ExplicitHashKey?: string }[];
      };
      const $metadata = { httpStatusCode: 200 };
      if (context.commandName === 'ListShardsCommand') {
        return {
          output: {
            $metadata,
            Shards: shards.map((s) => ({
              ShardId: s.id,
              HashKeyRange: s.range,
              SequenceNumberRange: { StartingSequenceNumber: '0' },
            })),
          },
          response: {},
        } as never;
      }
      if (context.commandName === 'PutRecordsCommand') {
        counts.putRecordsCalls++;
        const records = input.Records ?? [];
        let failed = 0;
        const answers = records.map((entry) => {
          if (throttleEvery > 0 && (counts.entries + counts.throttled + 1) % throttleEvery === 0) {
            counts.throttled++;
            failed++;
            return {
              ErrorCode: 'ProvisionedThroughputExceededException',
              ErrorMessage: 'Rate exceeded for shard (instant Kinesis stub)',
            };
          }
          const hashKey =
            entry.ExplicitHashKey === undefined
              ? BigInt(`0x${createHash('md5').update(entry.PartitionKey).digest('hex')}`)
              : BigInt(entry.ExplicitHashKey);
          counts.entries++;
          const shard = shardFor(hashKey);
          shard.sequence += 1n;
          return { ShardId: shard.id, SequenceNumber: shard.sequence.toString() };
        });
        return {
          output: { $metadata, FailedRecordCount: failed, Records: answers },
          response: {},
        } as never;
      }
      throw new Error(`instant Kinesis stub: ${context.commandName} is not answered`);
    },
    { step: 'initialize', priority: 'high', name: 'instantKinesisAnswer' },
  );
  return { client, counts };
}
