import {
  GetRecordsCommand,
  type GetRecordsCommandOutput,
  GetShardIteratorCommand,
  type KinesisClient,
  type ShardIteratorType,
} from '@aws-sdk/client-kinesis';
import {
  type AwsErrorKind,
  awsErrorCode,
  type BackoffPolicy,
  classifyAwsError,
  describeError,
  fullJitterBackoffMs,
  type Logger,
  type RandomSource,
  SILENT_LOGGER,
  sendWithoutSdkRetries,
  sleep,
} from '@kinesis-ts/core';
import { InvalidRetrievalResultError } from '../../errors.js';
import type {
  RetrievedBatch,
  ShardRecordsRetrieval,
  StartingPosition,
  StreamReference,
} from '../records-retrieval.js';
import { validateRetrievalResult } from '../retrieval-result-validation.js';
import { toChildShard, toRecordInput } from '../shard-end-probe.js';
import { decideShardNotFound, type ListedShardStatus, type ShardStatusCheck } from '../shard-status.js';
import { idleTimeAfterRead } from './caught-up-pacing.js';
import { type PrefetchLimits, PrefetchQueue } from './prefetch-queue.js';

/** Something the polling retrieval reports (for metrics and events). */
export type PollingRetrievalEvent =
  | {
      readonly type: 'get-records';
      readonly records: number;
      readonly millisBehindLatest?: number;
      readonly durationMs: number;
    }
  | { readonly type: 'expired-iterator' }
  | {
      readonly type: 'error';
      readonly operation: 'GetRecords' | 'GetShardIterator';
      readonly kind: AwsErrorKind;
      readonly error: unknown;
      readonly retryInMs: number;
    };

/** Options of {@link PollingRetrieval}. */
export interface PollingRetrievalOptions {
  /** The client for GetShardIterator and GetRecords. Required. */
  readonly client: KinesisClient;
  /** The stream, by name or ARN. Required. */
  readonly stream: StreamReference;
  /** The shard read. Required. */
  readonly shardId: string;
  /** Where reading starts (the checkpoint, or the initial position). Required. */
  readonly startingPosition: StartingPosition;
  /** `Limit` of each GetRecords call, in records (1 to 10,000). Required (the consumer passes 10000). */
  readonly maxRecordsPerFetch: number;
  /** The least time between the starts of two GetRecords calls on the shard, in ms. Required (the consumer passes 1000). */
  readonly idleTimeBetweenReadsMs: number;
  /** The least time between two calls while the shard is caught up, in ms; 0 (the default) for off. */
  readonly idleTimeBetweenReadsWhenCaughtUpMs?: number;
  /** `MillisBehindLatest` under which an empty read counts as caught up, in ms. @defaultValue 1000 */
  readonly caughtUpThresholdMs?: number;
  /**
   * How much is read ahead of the handler (batches, records, bytes). The record and byte limits are
   * checked before each GetRecords call, so one response (at most `maxRecordsPerFetch` records and
   * 10 MiB) may go past them; the batch limit is exact. Required.
   */
  readonly prefetch: PrefetchLimits;
  /** How long one Kinesis call may take before it is aborted, in ms. */
  readonly requestTimeoutMs: number;
  /** Backoff after throttling and failed calls (the delay is never shorter than the idle time). */
  readonly backoff: BackoffPolicy;
  /**
   * Asks the stream's shard listing about this shard. After a `ResourceNotFoundException` the shard
   * is ended only when a fresh listing (`maxAgeMs` 0) says it is gone. Required.
   */
  readonly shardStatus: ShardStatusCheck;
  /** The clock, in ms since the epoch (tests). @defaultValue Date.now */
  readonly now?: () => number;
  /** The jitter source (tests). @defaultValue Math.random */
  readonly random?: RandomSource;
  /** Where to log. @defaultValue silent */
  readonly logger?: Logger;
  /** Told about retried failures (throttling, expired iterators). @defaultValue none */
  readonly onEvent?: (event: PollingRetrievalEvent) => void;
}

/**
 * Reads a shard with GetShardIterator and GetRecords, ahead of the processor into a bounded prefetch
 * queue (batches, records and bytes), the way the KCL's `PrefetchRecordsPublisher` does:
 *
 * - calls are paced: each starts at least `idleTimeBetweenReadsMs` after the previous one started, so
 *   this application stays well under the 5 calls/s a shard allows all of its readers together;
 * - an expired iterator is replaced by one AFTER the last record fetched (or at the starting position
 *   when nothing was fetched), so nothing is skipped or repeated;
 * - throttling and failed calls are retried with full-jitter backoff on the same iterator;
 * - an empty response is normal and never ends the shard; only `NextShardIterator: null` (with the
 *   children) does, or `ResourceNotFoundException` on a shard that a fresh shard listing shows
 *   gone (an end without children); on a shard the listing still shows, open or closed (or when
 *   listing fails) it is a failed call like any other: reported, backed off, and read again after the last
 *   record fetched;
 * - a response whose end-of-shard signal is inconsistent (no iterator and no children, or children
 *   with an iterator: the KCL's `isValidResult` rules) is an error: read again after a backoff.
 */
export class PollingRetrieval implements ShardRecordsRetrieval {
  private readonly queue: PrefetchQueue<RetrievedBatch>;
  private readonly closing = new AbortController();
  private readonly options: PollingRetrievalOptions;
  private readonly now: () => number;
  private readonly random: RandomSource;
  private readonly logger: Logger;
  /** Resolves when the fetch loop has ended (after `close()` or at shard end). */
  readonly finished: Promise<void>;

  constructor(options: PollingRetrievalOptions) {
    this.options = options;
    this.now = options.now ?? Date.now;
    this.random = options.random ?? Math.random;
    this.logger = options.logger ?? SILENT_LOGGER;
    this.queue = new PrefetchQueue(options.prefetch);
    this.finished = this.run().catch((error) => {
      if (!this.closing.signal.aborted) {
        this.logger.error('Polling loop ended unexpectedly', {
          shardId: options.shardId,
          error: describeError(error),
        });
      }
    });
  }

  next(signal?: AbortSignal): Promise<RetrievedBatch> {
    return this.queue.shift(signal);
  }

  close(): void {
    this.closing.abort(new Error('retrieval closed'));
    this.queue.clear();
  }

  private async run(): Promise<void> {
    const signal = this.closing.signal;
    const { shardId } = this.options;
    let iterator: string | undefined;
    let lastSequenceNumber: string | undefined;
    let lastCallStartedAt = Number.NEGATIVE_INFINITY;
    let idleTimeMs = this.options.idleTimeBetweenReadsMs;
    const pacing = {
      idleTimeBetweenReadsMs: this.options.idleTimeBetweenReadsMs,
      idleTimeBetweenReadsWhenCaughtUpMs: this.options.idleTimeBetweenReadsWhenCaughtUpMs ?? 0,
      caughtUpThresholdMs: this.options.caughtUpThresholdMs ?? 1_000,
    };
    let failures = 0;
    while (!signal.aborted) {
      let operation: 'GetRecords' | 'GetShardIterator' = 'GetShardIterator';
      try {
        if (iterator === undefined) {
          iterator = await this.getShardIterator(lastSequenceNumber, signal);
          if (iterator === undefined) throw new NoShardIteratorError(shardId);
        }
        operation = 'GetRecords';
        await this.queue.waitForRoom(0, 0, signal);
        const wait = lastCallStartedAt + idleTimeMs - this.now();
        if (wait > 0) await sleep(wait, signal);
        lastCallStartedAt = this.now();
        const output = await this.send<GetRecordsCommandOutput>(
          new GetRecordsCommand({
            ShardIterator: iterator,
            Limit: this.options.maxRecordsPerFetch,
            ...('streamArn' in this.options.stream ? { StreamARN: this.options.stream.streamArn } : {}),
          }),
          signal,
        );
        failures = 0;
        const validation = validateRetrievalResult(output.NextShardIterator, output.ChildShards);
        if (!validation.valid)
          throw new InvalidRetrievalResultError(shardId, 'GetRecords', validation.reason);
        const records = (output.Records ?? []).map(toRecordInput);
        idleTimeMs = idleTimeAfterRead(pacing, records.length, output.MillisBehindLatest);
        const last = records[records.length - 1];
        if (last) lastSequenceNumber = last.sequenceNumber;
        this.options.onEvent?.({
          type: 'get-records',
          records: records.length,
          millisBehindLatest: output.MillisBehindLatest,
          durationMs: this.now() - lastCallStartedAt,
        });
        const sizeBytes = records.reduce((sum, record) => sum + record.data.byteLength, 0);
        const next = output.NextShardIterator;
        this.push({
          records,
          millisBehindLatest: output.MillisBehindLatest,
          shardEnd: next ? undefined : { childShards: (output.ChildShards ?? []).map(toChildShard) },
          sizeBytes,
          retrievedAtMs: this.now(),
        });
        if (!next) return;
        iterator = next;
      } catch (error) {
        if (signal.aborted) return;
        const code = awsErrorCode(error);
        if (code === 'ExpiredIteratorException') {
          this.logger.debug('Shard iterator expired; getting a new one', { shardId, lastSequenceNumber });
          this.options.onEvent?.({ type: 'expired-iterator' });
          iterator = undefined;
          continue;
        }
        if (code === 'ResourceNotFoundException' || error instanceof NoShardIteratorError) {
          iterator = undefined; // read again after the last record fetched
          const status = await this.listedStatus(signal);
          if (signal.aborted) return;
          if (decideShardNotFound(status) === 'end') {
            const details = { shardId, operation, status };
            this.logger.warn(
              'Shard not found, as the shard listing confirms: ending it without children',
              details,
            );
            this.push({
              records: [],
              shardEnd: { childShards: [] },
              sizeBytes: 0,
              retrievedAtMs: this.now(),
            });
            return;
          }
        }
        // InvalidArgument on GetRecords means the iterator is unusable (the KCL restarts it too); an
        // inconsistent response is read again from after the last record fetched.
        if (code === 'InvalidArgumentException' && operation === 'GetRecords') iterator = undefined;
        if (InvalidRetrievalResultError.isInstance(error)) iterator = undefined;
        failures++;
        const kind = classifyAwsError(error);
        const retryInMs = Math.max(
          this.options.idleTimeBetweenReadsMs,
          fullJitterBackoffMs(failures, this.options.backoff, this.random),
        );
        this.logger.warn(`${operation} failed; retrying`, {
          shardId,
          kind,
          retryInMs,
          error: describeError(error),
        });
        this.options.onEvent?.({ type: 'error', operation, kind, error, retryInMs });
        try {
          await sleep(retryInMs, signal);
        } catch {
          return;
        }
      }
    }
  }

  /** The shard's status in a fresh listing; `undefined` when listing failed (the caller retries). */
  private async listedStatus(signal: AbortSignal): Promise<ListedShardStatus | undefined> {
    try {
      return await this.options.shardStatus(0);
    } catch (error) {
      if (!signal.aborted) {
        this.logger.warn('Listing shards to confirm a shard not found failed', {
          shardId: this.options.shardId,
          error: describeError(error),
        });
      }
      return undefined;
    }
  }

  private push(batch: RetrievedBatch): void {
    if (this.closing.signal.aborted) return;
    this.queue.push(batch, batch.records.length, batch.sizeBytes);
  }

  /** A new iterator: AFTER the last record fetched, else at the starting position. `undefined`: none was returned. */
  private async getShardIterator(
    lastSequenceNumber: string | undefined,
    signal: AbortSignal,
  ): Promise<string | undefined> {
    const position: StartingPosition =
      lastSequenceNumber !== undefined
        ? { type: 'AFTER_SEQUENCE_NUMBER', sequenceNumber: lastSequenceNumber }
        : this.options.startingPosition;
    const stream =
      'streamArn' in this.options.stream
        ? { StreamARN: this.options.stream.streamArn }
        : { StreamName: this.options.stream.streamName };
    const output = await this.send<{ ShardIterator?: string }>(
      new GetShardIteratorCommand({
        ...stream,
        ShardId: this.options.shardId,
        ShardIteratorType: position.type as ShardIteratorType,
        StartingSequenceNumber: 'sequenceNumber' in position ? position.sequenceNumber : undefined,
        Timestamp: 'timestamp' in position ? position.timestamp : undefined,
      }),
      signal,
    );
    return output.ShardIterator ?? undefined;
  }

  private send<O>(command: Parameters<typeof sendWithoutSdkRetries<O>>[1], signal: AbortSignal): Promise<O> {
    return sendWithoutSdkRetries<O>(this.options.client, command, {
      timeoutMs: this.options.requestTimeoutMs,
      abortSignal: signal,
    });
  }
}

/** GetShardIterator answered without an iterator: handled like `ResourceNotFoundException`. */
class NoShardIteratorError extends Error {
  constructor(shardId: string) {
    super(`GetShardIterator returned no iterator for ${shardId}`);
    this.name = 'NoShardIteratorError';
  }
}
