import {
  DescribeStreamSummaryCommand,
  type KinesisClient,
  ListShardsCommand,
  type StreamDescriptionSummary,
} from '@aws-sdk/client-kinesis';
import {
  awsErrorCode,
  type ClientThatSends,
  type CommandWithMiddlewareStack,
  streamLabel as label,
  listShards as listStreamShards,
  type StreamReference,
  sendWithDeadline,
  sleep,
  streamParameters,
} from '@kinesis-ts/core';
import { CliErrorCode, OperationsError } from './errors.js';
import type { ShardRange } from './shard-ranges.js';

/** A stream, by name or ARN: core's one stream reference. */
export type StreamRef = StreamReference;

/** The `StreamName`/`StreamARN` parameters of a call about `stream` (core's). */
export { streamParameters };

function notFound(stream: StreamRef, error: unknown): OperationsError {
  return new OperationsError(
    CliErrorCode.STREAM_NOT_FOUND,
    `Stream ${label(stream)} does not exist (in this account and region)`,
    {
      cause: error,
    },
  );
}

/** How long one AWS call of the operations helpers may take, the client's retries included, in ms. */
export const OPERATIONS_REQUEST_TIMEOUT_MS = 30_000;

/**
 * Sends one command as `client.send` does (with the client's retries), aborted after
 * {@link OPERATIONS_REQUEST_TIMEOUT_MS} (a transient `RequestTimeoutError`) or when `signal` aborts
 * (with its reason): an endpoint that never answers cannot hang a command or an autoscaler period.
 */
export function sendOperation<O>(
  client: ClientThatSends,
  command: CommandWithMiddlewareStack<O>,
  signal?: AbortSignal,
): Promise<O> {
  return sendWithDeadline(client, command, { timeoutMs: OPERATIONS_REQUEST_TIMEOUT_MS, abortSignal: signal });
}

/** Runs an AWS call, turning `ResourceNotFoundException` into `CLI_STREAM_NOT_FOUND`. */
export async function aboutStream<T>(stream: StreamRef, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (awsErrorCode(error) === 'ResourceNotFoundException') throw notFound(stream, error);
    throw error;
  }
}

/** The stream's summary (status, open shard count, retention, mode). */
export async function describeStream(
  client: KinesisClient,
  stream: StreamRef,
): Promise<StreamDescriptionSummary> {
  const output = await aboutStream(stream, () =>
    sendOperation(client, new DescribeStreamSummaryCommand(streamParameters(stream))),
  );
  if (!output.StreamDescriptionSummary) throw notFound(stream, undefined);
  return output.StreamDescriptionSummary;
}

/**
 * Every shard of the stream that is still kept (open and closed), in `ListShards` order: core's
 * pager, each page sent with the client's retries within {@link OPERATIONS_REQUEST_TIMEOUT_MS}.
 */
export async function listShards(client: KinesisClient, stream: StreamRef): Promise<ShardRange[]> {
  const shards = await listStreamShards(client, stream, {
    command: (input) => new ListShardsCommand(input),
    sdkRetries: true,
    timeoutMs: OPERATIONS_REQUEST_TIMEOUT_MS,
    wrap: (call) => aboutStream(stream, call),
  });
  return shards.map((shard) => ({
    shardId: shard.shardId,
    startingHashKey: BigInt(shard.startingHashKey),
    endingHashKey: BigInt(shard.endingHashKey),
    open: shard.endingSequenceNumber === undefined,
    parentShardId: shard.parentShardId,
    adjacentParentShardId: shard.adjacentParentShardId,
  }));
}

/**
 * Waits until the stream is ACTIVE again (after a split, merge or scaling), polling every
 * `pollIntervalMs`.
 * @throws OperationsError `CLI_RESHARD_TIMEOUT` after `timeoutMs`.
 */
export async function waitForActive(
  client: KinesisClient,
  stream: StreamRef,
  options: { readonly timeoutMs?: number; readonly pollIntervalMs?: number } = {},
): Promise<StreamDescriptionSummary> {
  const timeoutMs = options.timeoutMs ?? 300_000;
  const pollIntervalMs = options.pollIntervalMs ?? 1_000;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const summary = await describeStream(client, stream);
    if (summary.StreamStatus === 'ACTIVE') return summary;
    if (Date.now() + pollIntervalMs > deadline) {
      throw new OperationsError(
        CliErrorCode.RESHARD_TIMEOUT,
        `Stream ${label(stream)} is still ${summary.StreamStatus} after ${timeoutMs} ms`,
        { retryable: true },
      );
    }
    await sleep(pollIntervalMs);
  }
}

/** @throws OperationsError `CLI_STREAM_NOT_ACTIVE` unless the stream is ACTIVE. */
export async function requireActive(
  client: KinesisClient,
  stream: StreamRef,
): Promise<StreamDescriptionSummary> {
  const summary = await describeStream(client, stream);
  if (summary.StreamStatus !== 'ACTIVE') {
    throw new OperationsError(
      CliErrorCode.STREAM_NOT_ACTIVE,
      `Stream ${label(stream)} is ${summary.StreamStatus}; resharding needs it ACTIVE (wait for the running operation to finish)`,
      { retryable: true },
    );
  }
  return summary;
}
