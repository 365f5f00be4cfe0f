/**
 * Resharding operations on the local emulator for tests and measurements (no vitest import, so
 * scripts run with tsx can use them too): keyed rounds of records at fixed hash keys, splits and
 * merges that resolve once the stream is ACTIVE again.
 */
import {
  DescribeStreamSummaryCommand,
  type KinesisClient,
  ListShardsCommand,
  MergeShardsCommand,
  PutRecordsCommand,
  type Shard,
  SplitShardCommand,
} from '@aws-sdk/client-kinesis';
import { MAX_HASH_KEY } from '@kinesis-ts/core';

/** Polls `condition` every 50 ms until it holds; throws naming `what` after `timeoutMs`. */
export async function waitUntil(
  condition: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = 15_000,
): Promise<void> {
  const started = Date.now();
  while (!(await condition())) {
    if (Date.now() - started > timeoutMs)
      throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** `count` keys spread evenly over the hash space (key i at the middle of the i-th slice). */
export function spreadKeys(count: number): { key: string; hashKey: string }[] {
  const slice = (MAX_HASH_KEY + 1n) / BigInt(count);
  return Array.from({ length: count }, (_, i) => ({
    key: `key-${String(i).padStart(2, '0')}`,
    hashKey: String(slice * BigInt(i) + slice / 2n),
  }));
}

/** Puts one record per key, `<key>:<round>`, in one PutRecords call (per key, rounds are in put order). */
export async function putRound(
  kinesis: KinesisClient,
  streamName: string,
  keys: readonly { key: string; hashKey: string }[],
  round: number,
): Promise<void> {
  const output = await kinesis.send(
    new PutRecordsCommand({
      StreamName: streamName,
      Records: keys.map(({ key, hashKey }) => ({
        PartitionKey: key,
        ExplicitHashKey: hashKey,
        Data: new TextEncoder().encode(`${key}:${round}`),
      })),
    }),
  );
  if (output.FailedRecordCount) throw new Error(`${output.FailedRecordCount} records failed`);
}

export async function listShards(kinesis: KinesisClient, streamName: string): Promise<Shard[]> {
  return (await kinesis.send(new ListShardsCommand({ StreamName: streamName }))).Shards ?? [];
}

async function waitForActive(kinesis: KinesisClient, streamName: string): Promise<void> {
  await waitUntil(async () => {
    const summary = await kinesis.send(new DescribeStreamSummaryCommand({ StreamName: streamName }));
    return summary.StreamDescriptionSummary?.StreamStatus === 'ACTIVE';
  }, `stream ${streamName} ACTIVE`);
}

/** Splits a shard at the middle of its hash range; resolves with the children's ids once ACTIVE. */
export async function splitShard(
  kinesis: KinesisClient,
  streamName: string,
  shardId: string,
): Promise<string[]> {
  const before = await listShards(kinesis, streamName);
  const shard = before.find((s) => s.ShardId === shardId);
  if (!shard?.HashKeyRange) throw new Error(`no shard ${shardId}`);
  const start = BigInt(shard.HashKeyRange.StartingHashKey!);
  const end = BigInt(shard.HashKeyRange.EndingHashKey!);
  await kinesis.send(
    new SplitShardCommand({
      StreamName: streamName,
      ShardToSplit: shardId,
      NewStartingHashKey: String((start + end) / 2n + 1n),
    }),
  );
  await waitForActive(kinesis, streamName);
  const after = await listShards(kinesis, streamName);
  return after.filter((s) => s.ParentShardId === shardId).map((s) => s.ShardId!);
}

/** Merges two adjacent shards; resolves with the child's id once ACTIVE. */
export async function mergeShards(
  kinesis: KinesisClient,
  streamName: string,
  shardId: string,
  adjacentShardId: string,
): Promise<string> {
  await kinesis.send(
    new MergeShardsCommand({
      StreamName: streamName,
      ShardToMerge: shardId,
      AdjacentShardToMerge: adjacentShardId,
    }),
  );
  await waitForActive(kinesis, streamName);
  const child = (await listShards(kinesis, streamName)).find(
    (s) => s.ParentShardId === shardId && s.AdjacentParentShardId === adjacentShardId,
  );
  if (!child?.ShardId) throw new Error('the merge produced no child');
  return child.ShardId;
}
