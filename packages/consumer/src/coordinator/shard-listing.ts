import { ListShardsCommand, type ListShardsCommandOutput } from '@aws-sdk/client-kinesis';
import { type ClientThatSends, sendWithoutSdkRetries } from '@kinesis-ts/core';
import type { ShardInfo } from '../leases/shard-sync-plan.js';
import type { StreamReference } from '../retrieval/records-retrieval.js';
import { streamParameters } from './stream.js';

/**
 * Every shard of the stream (ListShards, page after page). Each call is sent without the SDK's
 * retries, bounded by `timeoutMs`, and aborted by `signal`.
 */
export async function listStreamShards(
  client: ClientThatSends,
  stream: StreamReference,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<ShardInfo[]> {
  const shards: ShardInfo[] = [];
  let nextToken: string | undefined;
  do {
    const output: ListShardsCommandOutput = await sendWithoutSdkRetries<ListShardsCommandOutput>(
      client,
      new ListShardsCommand(nextToken ? { NextToken: nextToken } : streamParameters(stream)),
      { timeoutMs, abortSignal: signal },
    );
    for (const shard of output.Shards ?? []) {
      if (!shard.ShardId) continue;
      shards.push({
        shardId: shard.ShardId,
        parentShardId: shard.ParentShardId || undefined,
        adjacentParentShardId: shard.AdjacentParentShardId || undefined,
        startingHashKey: shard.HashKeyRange?.StartingHashKey ?? '0',
        endingHashKey: shard.HashKeyRange?.EndingHashKey ?? '0',
        startingSequenceNumber: shard.SequenceNumberRange?.StartingSequenceNumber ?? '0',
        endingSequenceNumber: shard.SequenceNumberRange?.EndingSequenceNumber || undefined,
      });
    }
    nextToken = output.NextToken;
  } while (nextToken);
  return shards;
}
