import {
  DescribeStreamSummaryCommand,
  type DescribeStreamSummaryCommandOutput,
} from '@aws-sdk/client-kinesis';
import {
  awsErrorCode,
  classifyAwsError,
  describeError,
  fullJitterBackoffMs,
  type Logger,
  SILENT_LOGGER,
  sendWithoutSdkRetries,
  sleep,
  streamLabel,
  streamParameters,
} from '@kinesis-ts/core';
import { ConsumerErrorCode, ConsumerStartError, StreamConsumerError } from '../errors.js';
import type { LeaseTableLifecycle } from '../leases/lease-store.js';
import type { ResolvedConsumerOptions } from '../options.js';
import { ensureStreamConsumer } from '../retrieval/fanout/stream-consumer.js';

/** Tries of each start-up step that fails for a retryable reason. */
export const START_ATTEMPTS = 5;
const START_BACKOFF = { baseDelayMs: 500, maxDelayMs: 5_000 };
/** How often the lease table's status is read while waiting for it to become ACTIVE. */
const TABLE_STATUS_POLL_MS = 1_000;

/** Options of {@link ConsumerStartUp}: the consumer's options it needs, the table, the stop signal. */
export type ConsumerStartUpOptions = Pick<
  ResolvedConsumerOptions,
  | 'kinesisClient'
  | 'stream'
  | 'retrieval'
  | 'createLeaseTableIfMissing'
  | 'leaseTableReadyTimeoutMs'
  | 'kinesisRequestTimeoutMs'
  | 'random'
> & {
  readonly table: LeaseTableLifecycle;
  /** Aborts every step (the consumer's `stop()`): calls and waits end at once. */
  readonly signal: AbortSignal;
  readonly logger?: Logger;
};

/**
 * The steps of `start()` before leases are taken (the KCL's `Scheduler.initialize`): check the
 * stream, register the fan-out stream consumer, create the lease table or wait for it. Each step
 * retries throttling and transient failures ({@link ConsumerStartUp.withRetries}) and rejects with a
 * `ConsumerStartError` whose code says what is wrong (`STREAM_NOT_FOUND`, `LEASE_TABLE_NOT_FOUND`…).
 */
export class ConsumerStartUp {
  private readonly options: ConsumerStartUpOptions;
  private readonly logger: Logger;

  constructor(options: ConsumerStartUpOptions) {
    this.options = options;
    this.logger = options.logger ?? SILENT_LOGGER;
  }

  /** Checks that the stream exists; resolves its ARN (when Kinesis gives it). */
  async describeStream(): Promise<string | undefined> {
    return (await this.describeStreamSummary()).streamArn;
  }

  /** Checks that the stream exists; resolves its ARN and creation time (when Kinesis gives them). */
  async describeStreamSummary(): Promise<{ streamArn?: string; creationTime?: Date }> {
    const { kinesisClient, stream, kinesisRequestTimeoutMs, signal } = this.options;
    try {
      const output = await this.withRetries('DescribeStreamSummary', () =>
        sendWithoutSdkRetries<DescribeStreamSummaryCommandOutput>(
          kinesisClient,
          new DescribeStreamSummaryCommand(streamParameters(stream)),
          { timeoutMs: kinesisRequestTimeoutMs, abortSignal: signal },
        ),
      );
      const summary = output.StreamDescriptionSummary;
      return { streamArn: summary?.StreamARN, creationTime: summary?.StreamCreationTimestamp };
    } catch (error) {
      if (ConsumerStartError.isInstance(error)) throw error;
      if (awsErrorCode(error) === 'ResourceNotFoundException') {
        throw new ConsumerStartError(
          ConsumerErrorCode.STREAM_NOT_FOUND,
          `Stream ${streamLabel(stream)} does not exist`,
          error,
        );
      }
      throw new ConsumerStartError(
        ConsumerErrorCode.START_FAILED,
        `Describing stream ${streamLabel(stream)} failed`,
        error,
      );
    }
  }

  /**
   * Fan-out: finds or registers the stream consumer and waits until it is ACTIVE; resolves its ARN
   * (the configured one when given). Polling: resolves `undefined`.
   */
  async prepareFanOut(streamArn: string | undefined): Promise<string | undefined> {
    const retrieval = this.options.retrieval;
    if (retrieval.mode !== 'fan-out') return undefined;
    if (retrieval.consumerArn !== undefined) return retrieval.consumerArn;
    const stream = this.options.stream;
    try {
      const consumer = await ensureStreamConsumer({
        kinesisClient: this.options.kinesisClient,
        streamArn: streamArn ?? ('streamArn' in stream ? stream.streamArn : undefined),
        streamName: 'streamName' in stream ? stream.streamName : undefined,
        consumerName: retrieval.consumerName,
        timeoutMs: retrieval.consumerRegistrationTimeoutMs,
        requestTimeoutMs: this.options.kinesisRequestTimeoutMs,
        signal: this.options.signal,
        random: this.options.random,
        logger: this.logger,
      });
      this.logger.info('Stream consumer ready', {
        consumerName: consumer.consumerName,
        consumerArn: consumer.consumerArn,
      });
      return consumer.consumerArn;
    } catch (error) {
      if (StreamConsumerError.isInstance(error)) {
        throw new ConsumerStartError(ConsumerErrorCode.STREAM_CONSUMER_NOT_ACTIVE, error.message, error);
      }
      throw new ConsumerStartError(
        ConsumerErrorCode.START_FAILED,
        `Registering stream consumer ${retrieval.consumerName} failed`,
        error,
      );
    }
  }

  /** Creates the lease table if it is missing (and allowed to), then waits until it is ACTIVE. */
  async ensureLeaseTable(): Promise<void> {
    const { table, signal } = this.options;
    const name = table.tableName;
    try {
      let status = await this.withRetries('DescribeTable', () => table.describeStatus(signal));
      if (status === undefined) {
        if (!this.options.createLeaseTableIfMissing) {
          throw new ConsumerStartError(
            ConsumerErrorCode.LEASE_TABLE_NOT_FOUND,
            `Lease table ${name} does not exist and createLeaseTableIfMissing is false`,
          );
        }
        const created = await this.withRetries('CreateTable', () => table.create(signal));
        this.logger.info(created ? 'Lease table created' : 'Lease table created by another worker', {
          table: name,
        });
        status = 'CREATING';
      }
      if (status !== 'ACTIVE' && status !== 'UPDATING') {
        const timeoutMs = this.options.leaseTableReadyTimeoutMs;
        const ready = await table.waitUntilActive(timeoutMs, TABLE_STATUS_POLL_MS, signal);
        if (!ready) {
          throw new ConsumerStartError(
            ConsumerErrorCode.LEASE_TABLE_NOT_READY,
            `Lease table ${name} did not become ACTIVE within ${timeoutMs} ms`,
          );
        }
      }
    } catch (error) {
      if (ConsumerStartError.isInstance(error)) throw error;
      throw new ConsumerStartError(
        ConsumerErrorCode.START_FAILED,
        `Preparing lease table ${name} failed`,
        error,
      );
    }
  }

  /**
   * Runs a start-up step, retrying throttling and transient failures (up to {@link START_ATTEMPTS}
   * tries, with jittered backoff); fatal ones, a `ConsumerStartError`, and any failure once the
   * signal aborted reject at once.
   */
  async withRetries<T>(what: string, operation: () => Promise<T>): Promise<T> {
    const signal = this.options.signal;
    for (let attempt = 1; ; attempt++) {
      try {
        return await operation();
      } catch (error) {
        if (ConsumerStartError.isInstance(error)) throw error;
        if (classifyAwsError(error) === 'fatal' || attempt >= START_ATTEMPTS || signal.aborted) {
          throw error;
        }
        this.logger.warn(`${what} failed during start; retrying`, { attempt, error: describeError(error) });
        await sleep(fullJitterBackoffMs(attempt, START_BACKOFF, this.options.random), signal);
      }
    }
  }
}
