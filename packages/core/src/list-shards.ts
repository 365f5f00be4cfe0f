import {
  type ClientThatSends,
  type CommandWithMiddlewareStack,
  sendWithDeadline,
  sendWithoutSdkRetries,
} from './send-without-sdk-retries.js';
import { type StreamReference, streamParameters } from './stream-reference.js';

/** One shard as `ListShards` describes it; hash keys and sequence numbers stay decimal strings. */
export interface ShardDescription {
  readonly shardId: string;
  readonly parentShardId: string | undefined;
  readonly adjacentParentShardId: string | undefined;
  readonly startingHashKey: string;
  readonly endingHashKey: string;
  readonly startingSequenceNumber: string;
  /** Set once the shard is closed (split, merged, or reduced by scaling). */
  readonly endingSequenceNumber: string | undefined;
}

/** The `ListShards` request fields this sends (a subset of the SDK's `ListShardsCommandInput`). */
export interface ListShardsInput {
  StreamName?: string;
  StreamARN?: string;
  NextToken?: string;
  MaxResults?: number;
  ShardFilter?: { Type: 'AT_LATEST' | 'AT_TRIM_HORIZON' | 'FROM_TRIM_HORIZON' };
}

/** The `ListShards` answer fields this reads (a subset of the SDK's `ListShardsCommandOutput`). */
export interface ListShardsOutput {
  Shards?: {
    ShardId?: string;
    ParentShardId?: string;
    AdjacentParentShardId?: string;
    HashKeyRange?: { StartingHashKey?: string; EndingHashKey?: string };
    SequenceNumberRange?: { StartingSequenceNumber?: string; EndingSequenceNumber?: string };
  }[];
  NextToken?: string;
}

/** How {@link listShards} sends its pages. */
export interface ListShardsOptions {
  /**
   * Builds the command, e.g. `(input) => new ListShardsCommand(input)` (core does not depend on the
   * SDK's Kinesis client).
   */
  readonly command: (input: ListShardsInput) => CommandWithMiddlewareStack<ListShardsOutput>;
  /**
   * `false` (default): each page is sent once, without the SDK's retries (the caller retries). `true`:
   * with the client's own retries, the deadline covering them all.
   */
  readonly sdkRetries?: boolean;
  /** Milliseconds each page may take; past it the listing rejects with `RequestTimeoutError`. @defaultValue no limit */
  readonly timeoutMs?: number;
  /** Aborts the listing (it rejects with the signal's reason). */
  readonly abortSignal?: AbortSignal;
  /** `AT_LATEST` lists the open shards only. @defaultValue every shard still kept */
  readonly filter?: 'AT_LATEST';
  /** Wraps each page's call, e.g. to translate errors. @defaultValue the call as is */
  readonly wrap?: <T>(call: () => Promise<T>) => Promise<T>;
}

const PAGE_SIZE = 1000;

/**
 * Every shard of `stream` (or its open ones, with `filter: 'AT_LATEST'`), in `ListShards` order,
 * page after page. A page after the first carries only `NextToken` (and `MaxResults`): Kinesis
 * rejects a request with both a token and the stream's name or ARN.
 */
export async function listShards(
  client: ClientThatSends,
  stream: StreamReference,
  options: ListShardsOptions,
): Promise<ShardDescription[]> {
  const send = options.sdkRetries ? sendWithDeadline : sendWithoutSdkRetries;
  const wrap = options.wrap ?? ((call) => call());
  const sendOptions = { timeoutMs: options.timeoutMs, abortSignal: options.abortSignal };
  const shards: ShardDescription[] = [];
  let input: ListShardsInput = {
    ...streamParameters(stream),
    ...(options.filter === undefined ? {} : { ShardFilter: { Type: options.filter } }),
    MaxResults: PAGE_SIZE,
  };
  for (;;) {
    options.abortSignal?.throwIfAborted();
    const command = options.command(input);
    const output = await wrap(() => send(client, command, sendOptions));
    for (const shard of output.Shards ?? []) {
      const description = describeShard(shard);
      if (description) shards.push(description);
    }
    if (!output.NextToken) return shards;
    input = { NextToken: output.NextToken, MaxResults: PAGE_SIZE };
  }
}

function describeShard(shard: NonNullable<ListShardsOutput['Shards']>[number]): ShardDescription | undefined {
  if (!shard.ShardId) return undefined;
  return {
    shardId: shard.ShardId,
    parentShardId: shard.ParentShardId || undefined,
    adjacentParentShardId: shard.AdjacentParentShardId || undefined,
    startingHashKey: shard.HashKeyRange?.StartingHashKey ?? '0',
    endingHashKey: shard.HashKeyRange?.EndingHashKey ?? '0',
    startingSequenceNumber: shard.SequenceNumberRange?.StartingSequenceNumber ?? '0',
    endingSequenceNumber: shard.SequenceNumberRange?.EndingSequenceNumber || undefined,
  };
}
