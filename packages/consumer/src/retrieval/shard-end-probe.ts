import {
  type _Record,
  GetRecordsCommand,
  type GetRecordsCommandOutput,
  GetShardIteratorCommand,
  type GetShardIteratorCommandOutput,
  type ShardIteratorType,
} from '@aws-sdk/client-kinesis';
import {
  awsErrorCode,
  type ClientThatSends,
  type KinesisRecordInput,
  sendWithoutSdkRetries,
} from '@kinesis-ts/core';
import type { ChildShard, StartingPosition, StreamReference } from './records-retrieval.js';
import { type InvalidRetrievalResultReason, validateRetrievalResult } from './retrieval-result-validation.js';

/** What one GetRecords call at a position says about a shard. */
export type ShardEndProbe =
  /** The shard ends there: the remaining records (possibly none) and the children. */
  | {
      readonly kind: 'ended';
      readonly records: readonly KinesisRecordInput[];
      readonly childShards: readonly ChildShard[];
      readonly millisBehindLatest?: number;
    }
  /** More records follow, or the shard is open. */
  | { readonly kind: 'open' }
  /** The shard does not exist (any more): trimmed, or the stream was deleted. */
  | { readonly kind: 'gone' }
  /** The response's end-of-shard signal was inconsistent (§5.3 of the KCL rules). */
  | { readonly kind: 'invalid'; readonly reason: InvalidRetrievalResultReason };

/** Options of {@link probeShardEnd}. */
export interface ShardEndProbeOptions {
  /** A Kinesis client (GetShardIterator and GetRecords). Required. */
  readonly client: ClientThatSends;
  /** The stream, by name or ARN. Required. */
  readonly stream: StreamReference;
  /** The shard probed. Required. */
  readonly shardId: string;
  /** Where to read from. Required. */
  readonly position: StartingPosition;
  /** How long each of the two calls may take, in ms. Required. */
  readonly requestTimeoutMs: number;
  /** Aborts the probe. @defaultValue none */
  readonly signal?: AbortSignal;
}

/**
 * Reads a shard once with GetShardIterator and GetRecords from `position` to learn whether it has
 * ended there. The enhanced fan-out retrieval uses it when a subscription cannot tell: the local
 * emulator (and LocalStack) never send the final event of a closed shard, and a
 * `ResourceNotFoundException` from SubscribeToShard may mean the consumer is gone rather than the
 * shard. Throws what the calls throw, except `ResourceNotFoundException` (`gone`).
 */
export async function probeShardEnd(options: ShardEndProbeOptions): Promise<ShardEndProbe> {
  const { position, stream } = options;
  const streamParameters =
    'streamArn' in stream ? { StreamARN: stream.streamArn } : { StreamName: stream.streamName };
  let iterator: string | undefined;
  try {
    const output = await sendWithoutSdkRetries<GetShardIteratorCommandOutput>(
      options.client,
      new GetShardIteratorCommand({
        ...streamParameters,
        ShardId: options.shardId,
        ShardIteratorType: position.type as ShardIteratorType,
        StartingSequenceNumber: 'sequenceNumber' in position ? position.sequenceNumber : undefined,
        Timestamp: 'timestamp' in position ? position.timestamp : undefined,
      }),
      { timeoutMs: options.requestTimeoutMs, abortSignal: options.signal },
    );
    iterator = output.ShardIterator ?? undefined;
    if (iterator === undefined) return { kind: 'gone' };
    const records = await sendWithoutSdkRetries<GetRecordsCommandOutput>(
      options.client,
      new GetRecordsCommand({
        ShardIterator: iterator,
        ...('streamArn' in stream ? { StreamARN: stream.streamArn } : {}),
      }),
      { timeoutMs: options.requestTimeoutMs, abortSignal: options.signal },
    );
    const validation = validateRetrievalResult(records.NextShardIterator, records.ChildShards);
    if (!validation.valid) return { kind: 'invalid', reason: validation.reason };
    if (!validation.shardEnd) return { kind: 'open' };
    return {
      kind: 'ended',
      records: (records.Records ?? []).map(toRecordInput),
      childShards: (records.ChildShards ?? []).map(toChildShard),
      millisBehindLatest: records.MillisBehindLatest,
    };
  } catch (error) {
    if (awsErrorCode(error) === 'ResourceNotFoundException') return { kind: 'gone' };
    throw error;
  }
}

/** A Kinesis record as the SDK returns it, as the consumer's pipeline takes it. */
export function toRecordInput(record: _Record): KinesisRecordInput {
  return {
    partitionKey: record.PartitionKey ?? '',
    data: record.Data ?? new Uint8Array(0),
    sequenceNumber: record.SequenceNumber ?? '',
    approximateArrivalTimestamp: record.ApproximateArrivalTimestamp,
  };
}

/** A `ChildShards` entry as the SDK returns it, as the consumer's pipeline takes it. */
export function toChildShard(child: {
  ShardId?: string;
  ParentShards?: string[];
  HashKeyRange?: { StartingHashKey?: string; EndingHashKey?: string };
}): ChildShard {
  return {
    shardId: child.ShardId ?? '',
    parentShardIds: child.ParentShards ?? [],
    startingHashKey: child.HashKeyRange?.StartingHashKey ?? '0',
    endingHashKey: child.HashKeyRange?.EndingHashKey ?? '0',
  };
}
