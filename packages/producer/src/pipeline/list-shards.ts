import { type KinesisClient, ListShardsCommand, type ListShardsCommandInput } from '@aws-sdk/client-kinesis';
import { sendWithoutSdkRetries } from '@kinesis-ts/core';

/** An open shard and its hash range. */
export interface OpenShard {
  readonly shardId: string;
  readonly startingHashKey: bigint;
  readonly endingHashKey: bigint;
}

/** Which stream a call is about: by name or by ARN. */
export interface StreamReference {
  readonly streamName: string | undefined;
  readonly streamArn: string | undefined;
}

/**
 * Lists the stream's open shards with `ListShards` (filter `AT_LATEST`), following `NextToken`; page
 * requests carry only the token, as the API requires.
 */
export async function listOpenShards(
  client: KinesisClient,
  stream: StreamReference,
  timeoutMs?: number,
): Promise<OpenShard[]> {
  const shards: OpenShard[] = [];
  let input: ListShardsCommandInput = {
    ...(stream.streamArn === undefined ? { StreamName: stream.streamName } : { StreamARN: stream.streamArn }),
    ShardFilter: { Type: 'AT_LATEST' },
    MaxResults: 1000,
  };
  for (;;) {
    const output = await sendWithoutSdkRetries(client, new ListShardsCommand(input), { timeoutMs });
    for (const shard of output.Shards ?? []) {
      if (shard.SequenceNumberRange?.EndingSequenceNumber !== undefined) continue; // closed
      if (shard.ShardId === undefined || shard.HashKeyRange === undefined) continue;
      shards.push({
        shardId: shard.ShardId,
        startingHashKey: BigInt(shard.HashKeyRange.StartingHashKey ?? '0'),
        endingHashKey: BigInt(shard.HashKeyRange.EndingHashKey ?? '0'),
      });
    }
    if (output.NextToken === undefined) return shards;
    input = { NextToken: output.NextToken, MaxResults: 1000 };
  }
}
