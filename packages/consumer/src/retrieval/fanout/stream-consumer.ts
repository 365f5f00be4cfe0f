import {
  DeregisterStreamConsumerCommand,
  DescribeStreamConsumerCommand,
  type DescribeStreamConsumerCommandOutput,
  DescribeStreamSummaryCommand,
  type DescribeStreamSummaryCommandOutput,
  RegisterStreamConsumerCommand,
  type RegisterStreamConsumerCommandOutput,
} from '@aws-sdk/client-kinesis';
import {
  awsErrorCode,
  type BackoffPolicy,
  backoffCeilingMs,
  type ClientThatSends,
  CoreErrorCode,
  classifyAwsError,
  describeError,
  type Logger,
  type RandomSource,
  SILENT_LOGGER,
  sendWithoutSdkRetries,
  sleep,
  ValidationError,
} from '@kinesis-ts/core';
import { ConsumerErrorCode, StreamConsumerError } from '../../errors.js';

/** A registered enhanced fan-out consumer of a stream. */
export interface StreamConsumerDescription {
  readonly consumerName: string;
  readonly consumerArn: string;
  readonly streamArn: string;
  /** `CREATING`, `ACTIVE` or `DELETING`. */
  readonly status: string;
}

/** Options of {@link ensureStreamConsumer}. Times are in milliseconds. */
export interface EnsureStreamConsumerOptions {
  /** Any Kinesis client (these are small calls; HTTP/1.1 is fine). */
  readonly kinesisClient: ClientThatSends;
  /** The stream, by ARN (saves a DescribeStreamSummary call) or by name. */
  readonly streamArn?: string;
  /** The stream, by name (when no `streamArn` is given). */
  readonly streamName?: string;
  /** The consumer's name: workers of one application share it. */
  readonly consumerName: string;
  /** How long to wait for the consumer to become ACTIVE. @defaultValue 120000 */
  readonly timeoutMs?: number;
  /** How long one call may take. @defaultValue 10000 */
  readonly requestTimeoutMs?: number;
  /** The waits between calls (jittered; they grow until ACTIVE). @defaultValue { baseDelayMs: 500, maxDelayMs: 5000 } */
  readonly backoff?: BackoffPolicy;
  /** Aborts the waiting. @defaultValue none */
  readonly signal?: AbortSignal;
  /** The jitter source (tests). @defaultValue Math.random */
  readonly random?: RandomSource;
  /** Where to log. @defaultValue silent */
  readonly logger?: Logger;
}

/** The defaults of {@link ensureStreamConsumer}. */
export const DEFAULT_STREAM_CONSUMER_OPTIONS = {
  timeoutMs: 120_000,
  requestTimeoutMs: 10_000,
  backoff: { baseDelayMs: 500, maxDelayMs: 5_000 },
} as const;

/**
 * Finds the stream's enhanced fan-out consumer named `consumerName`, registering it when it does not
 * exist, and waits until it is ACTIVE, as the KCL's `FanOutConsumerRegistration` does (with jittered,
 * growing waits instead of its ten 1-second polls: every worker of the fleet does this at start, and
 * `RegisterStreamConsumer` allows 5 calls per second per account, `DescribeStreamConsumer` 20).
 *
 * - `DescribeStreamConsumer` first: ACTIVE resolves at once; CREATING or DELETING waits and looks again;
 * - not found: `RegisterStreamConsumer` (another worker registering it first, `ResourceInUseException`,
 *   is fine: look again); `LimitExceededException` and transient errors wait and retry;
 * - access denied and other fatal errors reject with the AWS error; not ACTIVE within `timeoutMs`
 *   rejects with `StreamConsumerError` (`STREAM_CONSUMER_NOT_ACTIVE`).
 *
 * Registering is idempotent; deregistering is never done implicitly (see {@link deregisterStreamConsumer}).
 */
export async function ensureStreamConsumer(
  options: EnsureStreamConsumerOptions,
): Promise<StreamConsumerDescription> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_STREAM_CONSUMER_OPTIONS.timeoutMs;
  const requestTimeoutMs = options.requestTimeoutMs ?? DEFAULT_STREAM_CONSUMER_OPTIONS.requestTimeoutMs;
  const backoff = options.backoff ?? DEFAULT_STREAM_CONSUMER_OPTIONS.backoff;
  const random = options.random ?? Math.random;
  const logger = options.logger ?? SILENT_LOGGER;
  const { kinesisClient: client, consumerName, signal } = options;
  if (typeof consumerName !== 'string' || !/^[a-zA-Z0-9_.-]{1,128}$/.test(consumerName)) {
    throw new ValidationError(
      'consumerName',
      '1 to 128 of a-z A-Z 0-9 _ . -',
      `got ${JSON.stringify(consumerName)}`,
      CoreErrorCode.INVALID_OPTION,
    );
  }
  const deadline = Date.now() + timeoutMs;
  const streamArn =
    options.streamArn ?? (await resolveStreamArn(client, options.streamName, requestTimeoutMs, signal));
  let lastStatus = 'not found';
  for (let attempt = 1; ; attempt++) {
    try {
      const description = await describe(
        client,
        { StreamARN: streamArn, ConsumerName: consumerName },
        requestTimeoutMs,
        signal,
      );
      if (description.status === 'ACTIVE') return description;
      lastStatus = description.status;
      logger.debug('Waiting for the stream consumer to become ACTIVE', { consumerName, status: lastStatus });
    } catch (error) {
      if (signal?.aborted) throw signal.reason;
      if (awsErrorCode(error) === 'ResourceNotFoundException') {
        try {
          await sendWithoutSdkRetries<RegisterStreamConsumerCommandOutput>(
            client,
            new RegisterStreamConsumerCommand({ StreamARN: streamArn, ConsumerName: consumerName }),
            { timeoutMs: requestTimeoutMs, abortSignal: signal },
          );
          logger.info('Stream consumer registered', { consumerName, streamArn });
          lastStatus = 'CREATING';
        } catch (registerError) {
          if (signal?.aborted) throw signal.reason;
          // Someone else registered it first (or it is still being deleted): look again.
          if (awsErrorCode(registerError) !== 'ResourceInUseException') throwIfFatal(registerError);
          logger.debug('Registering the stream consumer must wait', {
            consumerName,
            error: describeError(registerError),
          });
        }
      } else {
        throwIfFatal(error);
        logger.debug('Describing the stream consumer failed; retrying', {
          consumerName,
          error: describeError(error),
        });
      }
    }
    // Equal jitter: never less than half the ceiling, so a fleet does not poll in a tight loop.
    const ceiling = backoffCeilingMs(attempt, backoff);
    const waitMs = Math.floor(ceiling / 2 + random() * (ceiling / 2));
    if (Date.now() + waitMs > deadline) {
      throw new StreamConsumerError(
        ConsumerErrorCode.STREAM_CONSUMER_NOT_ACTIVE,
        consumerName,
        `Stream consumer ${consumerName} did not become ACTIVE within ${timeoutMs} ms (last status: ${lastStatus})`,
      );
    }
    await sleep(waitMs, signal);
  }
}

/** Options of {@link deregisterStreamConsumer}: the consumer by ARN, or the stream and the consumer's name. */
export interface DeregisterStreamConsumerOptions {
  /** Any Kinesis client. Required. */
  readonly kinesisClient: ClientThatSends;
  /** The consumer, by ARN; or give the stream and `consumerName`. */
  readonly consumerArn?: string;
  /** The consumer's stream, by ARN (with `consumerName`). */
  readonly streamArn?: string;
  /** The consumer's stream, by name (with `consumerName`). */
  readonly streamName?: string;
  /** The consumer's name (with `streamArn` or `streamName`). */
  readonly consumerName?: string;
  /** How long one call may take, in ms. @defaultValue 10000 */
  readonly requestTimeoutMs?: number;
}

/**
 * Deregisters an enhanced fan-out consumer (`DeregisterStreamConsumer`): an explicit administrative
 * act, which `KinesisConsumer` never does by itself (its workers come and go; the consumer is shared
 * by all of them, and registered consumers cost money per shard-hour). Resolves `true` when the
 * consumer was deregistered (it is DELETING for a few seconds), `false` when it did not exist. Any
 * running worker of the application then fails its subscriptions until a consumer is registered again.
 */
export async function deregisterStreamConsumer(options: DeregisterStreamConsumerOptions): Promise<boolean> {
  const requestTimeoutMs = options.requestTimeoutMs ?? DEFAULT_STREAM_CONSUMER_OPTIONS.requestTimeoutMs;
  let input: { ConsumerARN: string } | { StreamARN: string; ConsumerName: string };
  if (options.consumerArn !== undefined) {
    input = { ConsumerARN: options.consumerArn };
  } else {
    if (options.consumerName === undefined) {
      throw new ValidationError(
        'consumerName',
        'consumerArn, or consumerName with the stream',
        'neither was given',
        CoreErrorCode.INVALID_OPTION,
      );
    }
    try {
      const streamArn =
        options.streamArn ??
        (await resolveStreamArn(options.kinesisClient, options.streamName, requestTimeoutMs));
      input = { StreamARN: streamArn, ConsumerName: options.consumerName };
    } catch (error) {
      if (awsErrorCode(error) === 'ResourceNotFoundException') return false; // no stream, so no consumer
      throw error;
    }
  }
  try {
    await sendWithoutSdkRetries(options.kinesisClient, new DeregisterStreamConsumerCommand(input), {
      timeoutMs: requestTimeoutMs,
    });
    return true;
  } catch (error) {
    if (awsErrorCode(error) === 'ResourceNotFoundException') return false;
    throw error;
  }
}

async function resolveStreamArn(
  client: ClientThatSends,
  streamName: string | undefined,
  requestTimeoutMs: number,
  signal?: AbortSignal,
): Promise<string> {
  if (streamName === undefined) {
    throw new ValidationError(
      'streamName',
      'streamName or streamArn',
      'neither was given',
      CoreErrorCode.INVALID_OPTION,
    );
  }
  const output = await sendWithoutSdkRetries<DescribeStreamSummaryCommandOutput>(
    client,
    new DescribeStreamSummaryCommand({ StreamName: streamName }),
    { timeoutMs: requestTimeoutMs, abortSignal: signal },
  );
  const arn = output.StreamDescriptionSummary?.StreamARN;
  if (!arn) throw new Error(`DescribeStreamSummary returned no StreamARN for ${streamName}`);
  return arn;
}

async function describe(
  client: ClientThatSends,
  input: { StreamARN: string; ConsumerName: string } | { ConsumerARN: string },
  requestTimeoutMs: number,
  signal?: AbortSignal,
): Promise<StreamConsumerDescription> {
  const output = await sendWithoutSdkRetries<DescribeStreamConsumerCommandOutput>(
    client,
    new DescribeStreamConsumerCommand(input),
    { timeoutMs: requestTimeoutMs, abortSignal: signal },
  );
  const description = output.ConsumerDescription;
  if (!description?.ConsumerARN || !description.ConsumerName) {
    throw new Error('DescribeStreamConsumer returned no consumer description');
  }
  return {
    consumerName: description.ConsumerName,
    consumerArn: description.ConsumerARN,
    streamArn: description.StreamARN ?? ('StreamARN' in input ? input.StreamARN : ''),
    status: description.ConsumerStatus ?? 'UNKNOWN',
  };
}

function throwIfFatal(error: unknown): void {
  if (classifyAwsError(error) === 'fatal') throw error;
}
