import { ListShardsCommand } from '@aws-sdk/client-kinesis';
import { type ClientThatSends, listShards, type StreamReference } from '@kinesis-ts/core';
import type { ShardInfo } from '../leases/shard-sync-plan.js';

/**
 * Every shard of the stream (core's `ListShards` pager). Each page is sent without the SDK's
 * retries, bounded by `timeoutMs`, and aborted by `signal`.
 */
export function listStreamShards(
  client: ClientThatSends,
  stream: StreamReference,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<ShardInfo[]> {
  return listShards(client, stream, {
    command: (input) => new ListShardsCommand(input),
    timeoutMs,
    abortSignal: signal,
  });
}
