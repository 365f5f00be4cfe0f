import {
  CreateStreamCommand,
  DeleteStreamCommand,
  DescribeStreamSummaryCommand,
  type KinesisClient,
  type StreamDescriptionSummary,
} from '@aws-sdk/client-kinesis';
import { CoreErrorCode, describeValue, sleep, ValidationError } from '@kinesis-ts/core';
import { LocalStackError, LocalStackErrorCode } from './errors';
import { isValidStreamName, rejectUnknownOptions, requireInteger } from './options';

/** Options of `createStream` and `deleteStream`. */
export interface StreamWaitOptions {
  /**
   * How long to wait, in milliseconds, for the stream to become ACTIVE (or to disappear).
   * @defaultValue 10000
   */
  timeoutMs?: number;
  /**
   * Time between two DescribeStreamSummary calls while waiting, in milliseconds.
   * @defaultValue 25
   */
  pollIntervalMs?: number;
}

const DEFAULT_STREAM_WAIT = { timeoutMs: 10_000, pollIntervalMs: 25 } as const;

/** Options of `createStream`: how to wait, and the stream's record size limit. */
export interface CreateStreamOptions extends StreamWaitOptions {
  /**
   * The stream's largest record (data plus partition key) in KiB, from 1024 (1 MiB) to 10240
   * (10 MiB): `CreateStream`'s `MaxRecordSizeInKiB`, which kinesis-local honours (it refuses larger
   * records with `InvalidArgumentException` and reports the limit in `DescribeStreamSummary`).
   * @defaultValue 1024, the service's default (kinesis-local then reports no limit)
   */
  maxRecordSizeInKiB?: number;
}

function isNotFound(error: unknown): boolean {
  return (error as { name?: string } | undefined)?.name === 'ResourceNotFoundException';
}

/**
 * Whether a call was refused for its rate (a stack with `enforceLimits`, or AWS): the helpers wait
 * and call again. A `LimitExceededException` for something else (the shard limit) is not one.
 */
function isRateLimited(error: unknown): boolean {
  const { name, message } = (error ?? {}) as { name?: string; message?: string };
  return (
    name === 'LimitExceededException' && typeof message === 'string' && message.startsWith('Rate exceeded')
  );
}

/** Sends `call` until it is not refused for its rate, or `deadline` passes (then its error is thrown). */
async function sendPaced<T>(call: () => Promise<T>, deadline: number, pauseMs: number): Promise<T> {
  while (true) {
    try {
      return await call();
    } catch (error) {
      if (!isRateLimited(error) || Date.now() > deadline) throw error;
      await sleep(pauseMs);
    }
  }
}

/** The pause after a call refused for its rate: at least a tenth of the service's one-second window. */
const paceMs = (pollIntervalMs: number) => Math.max(100, pollIntervalMs);

/**
 * Creates a provisioned stream with `shardCount` shards and resolves with its summary once it is
 * ACTIVE. An existing stream of that name fails with the SDK's `ResourceInUseException`.
 */
export async function createStreamAndWait(
  client: KinesisClient,
  streamName: string,
  shardCount: number,
  options: CreateStreamOptions = {},
): Promise<StreamDescriptionSummary> {
  if (!isValidStreamName(streamName)) {
    throw new ValidationError(
      'streamName',
      '1-128 characters of a-z, A-Z, 0-9, _ . -',
      `got ${String(streamName)}`,
      CoreErrorCode.INVALID_OPTION,
    );
  }
  if (!Number.isInteger(shardCount) || shardCount < 1) {
    throw new ValidationError(
      'shardCount',
      'an integer >= 1',
      `got ${describeValue(shardCount)}`,
      CoreErrorCode.INVALID_OPTION,
    );
  }
  const { maxRecordSizeInKiB, ...wait } = options;
  if (maxRecordSizeInKiB !== undefined) {
    requireInteger('maxRecordSizeInKiB', maxRecordSizeInKiB, 1024, 10_240, 'KiB');
  }
  const { timeoutMs, pollIntervalMs } = resolveStreamWait(wait, 'createStream');
  const deadline = Date.now() + timeoutMs;
  await sendPaced(
    () =>
      client.send(
        new CreateStreamCommand({
          StreamName: streamName,
          ShardCount: shardCount,
          ...(maxRecordSizeInKiB === undefined ? {} : { MaxRecordSizeInKiB: maxRecordSizeInKiB }),
        }),
      ),
    deadline,
    paceMs(pollIntervalMs),
  );
  let status = 'unknown';
  while (Date.now() <= deadline) {
    const { StreamDescriptionSummary: summary } = await sendPaced(
      () => client.send(new DescribeStreamSummaryCommand({ StreamName: streamName })),
      deadline,
      paceMs(pollIntervalMs),
    );
    status = summary?.StreamStatus ?? 'unknown';
    if (summary && status === 'ACTIVE') return summary;
    await sleep(pollIntervalMs);
  }
  throw new LocalStackError(
    `Stream '${streamName}' did not become ACTIVE within ${timeoutMs} ms (last status: ${status})`,
    { code: LocalStackErrorCode.STREAM_TIMEOUT, component: 'kinesis', retryable: true },
  );
}

/**
 * Deletes a stream (and its registered consumers) and resolves once it is gone. A stream that does
 * not exist resolves at once.
 */
export async function deleteStreamAndWait(
  client: KinesisClient,
  streamName: string,
  options: StreamWaitOptions = {},
): Promise<void> {
  const { timeoutMs, pollIntervalMs } = resolveStreamWait(options, 'deleteStream');
  const deadline = Date.now() + timeoutMs;
  try {
    await sendPaced(
      () => client.send(new DeleteStreamCommand({ StreamName: streamName, EnforceConsumerDeletion: true })),
      deadline,
      paceMs(pollIntervalMs),
    );
  } catch (error) {
    if (isNotFound(error)) return;
    throw error;
  }
  while (Date.now() <= deadline) {
    try {
      await sendPaced(
        () => client.send(new DescribeStreamSummaryCommand({ StreamName: streamName })),
        deadline,
        paceMs(pollIntervalMs),
      );
    } catch (error) {
      if (isNotFound(error)) return;
      throw error;
    }
    await sleep(pollIntervalMs);
  }
  throw new LocalStackError(`Stream '${streamName}' was not deleted within ${timeoutMs} ms`, {
    code: LocalStackErrorCode.STREAM_TIMEOUT,
    component: 'kinesis',
    retryable: true,
  });
}

/**
 * Fills in the wait defaults and checks them.
 * @throws ValidationError (`INVALID_OPTION`) for an unknown option or a value out of range.
 */
function resolveStreamWait(options: StreamWaitOptions, context: string): Required<StreamWaitOptions> {
  rejectUnknownOptions(options, Object.keys(DEFAULT_STREAM_WAIT), context);
  const resolved: Required<StreamWaitOptions> = {
    timeoutMs: options.timeoutMs ?? DEFAULT_STREAM_WAIT.timeoutMs,
    pollIntervalMs: options.pollIntervalMs ?? DEFAULT_STREAM_WAIT.pollIntervalMs,
  };
  requireInteger('timeoutMs', resolved.timeoutMs, 1, 3_600_000, 'milliseconds');
  requireInteger('pollIntervalMs', resolved.pollIntervalMs, 1, 60_000, 'milliseconds');
  return resolved;
}
