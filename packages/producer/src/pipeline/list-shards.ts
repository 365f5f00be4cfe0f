import { type KinesisClient, ListShardsCommand } from '@aws-sdk/client-kinesis';
import { listShards, type StreamReference } from '@kinesis-ts/core';

/** An open shard and its hash range. */
export interface OpenShard {
  readonly shardId: string;
  readonly startingHashKey: bigint;
  readonly endingHashKey: bigint;
}

/**
 * The stream's open shards, with core's `ListShards` pager (filter `AT_LATEST`); each page is sent
 * once, without the SDK's retries (the shard map retries the whole refresh), within `timeoutMs`.
 */
export async function listOpenShards(
  client: KinesisClient,
  stream: StreamReference,
  timeoutMs?: number,
): Promise<OpenShard[]> {
  const shards = await listShards(client, stream, {
    command: (input) => new ListShardsCommand(input),
    filter: 'AT_LATEST',
    timeoutMs,
  });
  return shards
    .filter((shard) => shard.endingSequenceNumber === undefined) // an emulator may ignore the filter
    .map((shard) => ({
      shardId: shard.shardId,
      startingHashKey: BigInt(shard.startingHashKey),
      endingHashKey: BigInt(shard.endingHashKey),
    }));
}
