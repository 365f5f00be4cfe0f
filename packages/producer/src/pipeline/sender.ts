import {
  PutRecordsCommand,
  type PutRecordsCommandInput,
  type PutRecordsOutput,
} from '@aws-sdk/client-kinesis';
import {
  sendWithoutSdkRetries,
  streamParameters,
  writePutRecordsBodyOf,
  writesPutRecordsInAwsJson,
} from '@kinesis-ts/core';
import type { MetricsRecorder } from '../metrics.js';
import type { ResolvedProducerOptions } from '../options.js';
import type { RequestInFlight } from './collector.js';
import { putRecordsTimeoutMs } from './request-timeout.js';

/** The options the sender works with. */
export type SenderOptions = Pick<
  ResolvedProducerOptions,
  'client' | 'stream' | 'requestTimeoutMs' | 'putRecordsSerializer'
>;

/** How a `PutRecords` call ended: its answer or its error, and when (milliseconds). */
export interface RequestCompletion {
  readonly startedAt: number;
  readonly endedAt: number;
  /** How long the call was allowed to take. */
  readonly timeoutMs: number;
  /** The user records the request carried. */
  readonly userRecords: number;
  /** The answer, when the call was answered. */
  readonly output: PutRecordsOutput | undefined;
  /** The error, when the call failed as a whole (undefined when it was answered). */
  readonly error: unknown;
}

/**
 * Sends collected requests with `PutRecords` (the SDK's own retries off, the wait bounded by
 * `requestTimeoutMs` and by the earliest time to live in the request), counts them and their lanes in
 * flight, and hands each completion on (`onCompleted`) once they are counted out again.
 */
export class Sender {
  private inFlight = 0;
  /** Whether request bodies are written by `writePutRecordsBody` (see `putRecordsSerializer`). */
  private readonly writesBodies: boolean;

  constructor(
    private readonly options: SenderOptions,
    private readonly metrics: MetricsRecorder,
    private readonly onCompleted: (request: RequestInFlight, completion: RequestCompletion) => void,
  ) {
    this.writesBodies =
      options.putRecordsSerializer === 'kinesis-ts' && writesPutRecordsInAwsJson(options.client);
  }

  /** `PutRecords` calls sent and not completed. */
  get requestsInFlight(): number {
    return this.inFlight;
  }

  send(request: RequestInFlight): void {
    this.inFlight++;
    for (const lane of request.lanes) lane.inFlight++;
    const startedAt = Date.now();
    let userRecords = 0;
    let earliestExpiresAt = Number.POSITIVE_INFINITY;
    for (const { packed, predictedShardId } of request.entries) {
      this.metrics.attemptsStarted(predictedShardId, packed.figures, startedAt);
      userRecords += packed.figures.count;
      earliestExpiresAt = Math.min(earliestExpiresAt, packed.figures.earliestExpiresAt);
    }
    // A hung call must not hold a record past its time to live: the wait is cut to the time the
    // first-expiring record has left (see putRecordsTimeoutMs).
    const timeoutMs = putRecordsTimeoutMs(this.options.requestTimeoutMs, earliestExpiresAt, startedAt);
    const input: PutRecordsCommandInput = {
      ...streamParameters(this.options.stream),
      Records: request.entries.map(({ packed }) => ({
        Data: packed.entry.data,
        PartitionKey: packed.entry.partitionKey,
        ExplicitHashKey: packed.entry.explicitHashKey,
      })),
    };
    const command = new PutRecordsCommand(input);
    if (this.writesBodies) writePutRecordsBodyOf(command);
    sendWithoutSdkRetries(this.options.client, command, { timeoutMs }).then(
      (output) => this.complete(request, startedAt, timeoutMs, userRecords, output, undefined),
      (error: unknown) => this.complete(request, startedAt, timeoutMs, userRecords, undefined, error),
    );
  }

  private complete(
    request: RequestInFlight,
    startedAt: number,
    timeoutMs: number,
    userRecords: number,
    output: PutRecordsOutput | undefined,
    error: unknown,
  ): void {
    const endedAt = Date.now();
    this.inFlight--;
    for (const lane of request.lanes) lane.inFlight--;
    this.onCompleted(request, { startedAt, endedAt, timeoutMs, userRecords, output, error });
  }
}
