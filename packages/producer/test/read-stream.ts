/**
 * Reads a whole stream back as a KCL consumer would: every shard from TRIM_HORIZON, parents before
 * children, each Kinesis record deaggregated with its shard's hash range (so aggregates that landed
 * on the wrong shard are dropped, as the KCL drops them).
 */
import {
  GetRecordsCommand,
  GetShardIteratorCommand,
  type KinesisClient,
  ListShardsCommand,
  type Shard,
} from '@aws-sdk/client-kinesis';
import { type DeaggregatedRecord, deaggregate } from '@kinesis-ts/core';

export interface ReadRecord extends DeaggregatedRecord {
  readonly shardId: string;
}

export async function readStreamWithKclRules(
  client: KinesisClient,
  streamName: string,
): Promise<ReadRecord[]> {
  const shards: Shard[] = [];
  let nextToken: string | undefined;
  do {
    const page = await client.send(
      new ListShardsCommand(nextToken === undefined ? { StreamName: streamName } : { NextToken: nextToken }),
    );
    shards.push(...(page.Shards ?? []));
    nextToken = page.NextToken;
  } while (nextToken !== undefined);

  const out: ReadRecord[] = [];
  for (const shard of parentsFirst(shards)) {
    const { ShardIterator } = await client.send(
      new GetShardIteratorCommand({
        StreamName: streamName,
        ShardId: shard.ShardId,
        ShardIteratorType: 'TRIM_HORIZON',
      }),
    );
    let iterator = ShardIterator;
    while (iterator !== undefined && iterator !== null) {
      const page = await client.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 10_000 }));
      for (const record of page.Records ?? []) {
        const userRecords = deaggregate(
          { partitionKey: record.PartitionKey!, data: record.Data!, sequenceNumber: record.SequenceNumber! },
          {
            hashKeyRange: {
              startingHashKey: shard.HashKeyRange!.StartingHashKey!,
              endingHashKey: shard.HashKeyRange!.EndingHashKey!,
            },
          },
        );
        for (const userRecord of userRecords) out.push({ ...userRecord, shardId: shard.ShardId! });
      }
      const caughtUp = (page.Records ?? []).length === 0 && (page.MillisBehindLatest ?? 0) === 0;
      iterator = caughtUp ? undefined : page.NextShardIterator;
    }
  }
  return out;
}

/** Orders shards so that every shard comes after its parents. */
function parentsFirst(shards: readonly Shard[]): Shard[] {
  const byId = new Map(shards.map((shard) => [shard.ShardId!, shard]));
  const ordered: Shard[] = [];
  const seen = new Set<string>();
  const visit = (shard: Shard) => {
    if (seen.has(shard.ShardId!)) return;
    seen.add(shard.ShardId!);
    for (const parentId of [shard.ParentShardId, shard.AdjacentParentShardId]) {
      const parent = parentId === undefined ? undefined : byId.get(parentId);
      if (parent !== undefined) visit(parent);
    }
    ordered.push(shard);
  };
  for (const shard of shards) visit(shard);
  return ordered;
}
