import { type KinesisClient, PutRecordsCommand, type PutRecordsRequestEntry } from '@aws-sdk/client-kinesis';
import {
  type BackoffPolicy,
  backoffOption,
  ClientHistory,
  CoreErrorCode,
  classifyAwsError,
  clientOption,
  DEFAULT_MAX_RECORD_SIZE_BYTES,
  fullJitterBackoffMs,
  functionOption,
  integerOption,
  MAX_RECORD_SIZE_LIMIT_BYTES,
  type OptionSpecsOf,
  objectOption,
  optionDefaults,
  PUT_RECORDS_MAX_BYTES,
  PUT_RECORDS_MAX_ENTRIES,
  type RandomSource,
  resolveOptions,
  sendWithoutSdkRetries,
  sleep,
  stringOption,
  ValidationError,
} from '@kinesis-ts/core';
import type { S3ClaimCheck } from './claim-check.js';
import { type DeadLetter, type DeadLetterSink, encodeDeadLetter } from './dead-letter.js';
import { DeadLetterDeliveryError } from './processing-errors.js';

/** Options of {@link KinesisDeadLetterSink}. Give `streamName` or `streamArn`. */
export interface KinesisDeadLetterSinkOptions {
  /** The client to write with (SDK v3). Its own retries are not used: the sink retries itself. */
  readonly client: KinesisClient;
  /** The dead-letter stream. Give this or `streamArn`. */
  readonly streamName?: string;
  /** The dead-letter stream's ARN (cross-account). Give this or `streamName`. */
  readonly streamArn?: string;
  /**
   * The partition key of a letter's record in the dead-letter stream.
   * @defaultValue the poison record's own partition key (so a key's letters stay in order)
   */
  readonly partitionKeyOf?: (letter: DeadLetter) => string;
  /** How a letter becomes the record's data. @defaultValue {@link encodeDeadLetter} (a JSON envelope) */
  readonly encode?: (letter: DeadLetter) => Uint8Array;
  /**
   * The dead-letter stream's largest record (data plus partition key), in bytes: a larger letter is
   * refused with a `DeadLetterDeliveryError` rather than cut. Streams accept 1 MiB unless raised, up
   * to 10 MiB. @defaultValue 1048576
   */
  readonly maxRecordSizeBytes?: number;
  /** Tries of each letter before `send` gives up, from 1 to 100. @defaultValue 5 */
  readonly maxAttempts?: number;
  /** Backoff between tries (throttling, failed entries, network errors). @defaultValue { baseDelayMs: 100, maxDelayMs: 5000 } */
  readonly backoff?: BackoffPolicy;
  /**
   * How long one PutRecords call may take, in ms, from 100: past it the call is aborted and counts
   * as a failed try (the letters may have been written; a retry may write them twice). @defaultValue 30000
   */
  readonly requestTimeoutMs?: number;
  /** Uniform random numbers in [0, 1) for the backoff jitter (tests). @defaultValue Math.random */
  readonly random?: RandomSource;
  /**
   * Where a letter larger than `maxRecordSizeBytes` goes: stored in S3, with a small pointer record
   * written to the stream in its place (`decodeDeadLetter` reads the pointer; `resolveDeadLetter`
   * the letter). Without it such a letter is refused. @defaultValue none
   */
  readonly claimCheck?: S3ClaimCheck;
}

/** The default, range and check of each option of {@link KinesisDeadLetterSink}. */
export const KINESIS_DEAD_LETTER_SINK_OPTION_SPECS = {
  client: clientOption<KinesisClient>({ required: true }),
  streamName: stringOption({}),
  streamArn: stringOption({}),
  partitionKeyOf: functionOption<(letter: DeadLetter) => string>({
    default: (letter: DeadLetter) => letter.partitionKey,
  }),
  encode: functionOption<(letter: DeadLetter) => Uint8Array>({ default: encodeDeadLetter }),
  maxRecordSizeBytes: integerOption({
    min: 1,
    max: MAX_RECORD_SIZE_LIMIT_BYTES,
    default: DEFAULT_MAX_RECORD_SIZE_BYTES,
  }),
  maxAttempts: integerOption({ min: 1, max: 100, default: 5 }),
  backoff: backoffOption({ default: { baseDelayMs: 100, maxDelayMs: 5_000 } }),
  requestTimeoutMs: integerOption({ min: 100, max: 86_400_000, default: 30_000 }),
  random: functionOption<RandomSource>({ default: Math.random }),
  claimCheck: objectOption<S3ClaimCheck>({
    limit: 'an S3ClaimCheck',
    accepts: (value) => typeof (value as { store?: unknown }).store === 'function',
  }),
} satisfies OptionSpecsOf<KinesisDeadLetterSinkOptions>;

/** The defaults of {@link KinesisDeadLetterSinkOptions}. */
export const DEFAULT_KINESIS_DEAD_LETTER_SINK_OPTIONS = optionDefaults(KINESIS_DEAD_LETTER_SINK_OPTION_SPECS);

interface Pending {
  readonly entry: PutRecordsRequestEntry;
  readonly bytes: number;
  lastError?: string;
}

/**
 * A dead-letter sink that writes each letter as one record of a Kinesis stream (`PutRecords`): the
 * {@link encodeDeadLetter} JSON envelope, with the payload in base64 and the full metadata. Entries
 * that fail (throttling, internal errors) and failed calls that may succeed later are retried with
 * a full-jitter backoff, up to `maxAttempts`; then `send` throws a `DeadLetterDeliveryError`.
 *
 * Why a stream: the dead letters keep their order per key, they can be read with the same tools
 * (`kinesis-ts tail`, a `KinesisConsumer`) and replayed by putting their payloads back, and it needs
 * no other service. Mind the retention: letters expire with the stream's retention period (24 h by
 * default), so give the dead-letter stream a longer one, or consume it into durable storage.
 */
export class KinesisDeadLetterSink implements DeadLetterSink {
  private readonly client: KinesisClient;
  private readonly streamName: string | undefined;
  private readonly streamArn: string | undefined;
  private readonly partitionKeyOf: (letter: DeadLetter) => string;
  private readonly encode: (letter: DeadLetter) => Uint8Array;
  private readonly maxRecordSizeBytes: number;
  private readonly maxAttempts: number;
  private readonly backoff: BackoffPolicy;
  private readonly requestTimeoutMs: number;
  private readonly random: RandomSource;
  private readonly claimCheck: S3ClaimCheck | undefined;
  /**
   * Whether Kinesis has answered a call of this sink: after that, a credentials error is a refresh
   * that failed and is tried again; before it, the client has no credentials and `send` fails at once.
   */
  private readonly clientHistory = new ClientHistory();

  constructor(options: KinesisDeadLetterSinkOptions) {
    const resolved = resolveOptions(KINESIS_DEAD_LETTER_SINK_OPTION_SPECS, options, {
      owner: 'KinesisDeadLetterSink',
    });
    if ((resolved.streamName === undefined) === (resolved.streamArn === undefined)) {
      throw new ValidationError(
        'streamName',
        'exactly one of streamName and streamArn',
        'give one',
        CoreErrorCode.INVALID_OPTION,
      );
    }
    this.client = resolved.client;
    this.streamName = resolved.streamName;
    this.streamArn = resolved.streamArn;
    this.partitionKeyOf = resolved.partitionKeyOf;
    this.encode = resolved.encode;
    this.maxRecordSizeBytes = resolved.maxRecordSizeBytes;
    this.maxAttempts = resolved.maxAttempts;
    this.backoff = resolved.backoff;
    this.requestTimeoutMs = resolved.requestTimeoutMs;
    this.random = resolved.random;
    this.claimCheck = resolved.claimCheck;
  }

  async send(letters: readonly DeadLetter[]): Promise<void> {
    let pending = await Promise.all(letters.map((letter) => this.toPending(letter)));
    for (let attempt = 1; pending.length > 0; attempt++) {
      const failed: Pending[] = [];
      for (const batch of batches(pending)) failed.push(...(await this.put(batch)));
      pending = failed;
      if (pending.length === 0) return;
      if (attempt >= this.maxAttempts) {
        throw new DeadLetterDeliveryError(
          `${pending.length} dead letter(s) could not be written to ${this.streamName ?? this.streamArn} after ${attempt} tries: ${pending[0]!.lastError}`,
          pending.length,
          { retryable: true },
        );
      }
      await sleep(fullJitterBackoffMs(attempt, this.backoff, this.random));
    }
  }

  private async toPending(letter: DeadLetter): Promise<Pending> {
    const partitionKey = this.partitionKeyOf(letter);
    let data = this.encode(letter);
    let bytes = data.byteLength + Buffer.byteLength(partitionKey, 'utf8');
    if (bytes > this.maxRecordSizeBytes && this.claimCheck !== undefined) {
      data = await this.claimCheck.store(
        data,
        `${letter.shardId ?? 'shard'}/${letter.sequenceNumber}-${letter.subSequenceNumber}-${Date.now()}`,
      );
      bytes = data.byteLength + Buffer.byteLength(partitionKey, 'utf8');
    }
    if (bytes > this.maxRecordSizeBytes) {
      throw new DeadLetterDeliveryError(
        `The dead letter of ${letter.sequenceNumber}/${letter.subSequenceNumber} is ${bytes} bytes, over the dead-letter stream's ${this.maxRecordSizeBytes}: raise maxRecordSizeBytes (and the stream's limit) or encode it smaller`,
        1,
        { retryable: false },
      );
    }
    return { entry: { PartitionKey: partitionKey, Data: data }, bytes };
  }

  /** One PutRecords call; resolves with the entries to try again. */
  private async put(batch: Pending[]): Promise<Pending[]> {
    try {
      const output = await sendWithoutSdkRetries(
        this.client,
        new PutRecordsCommand({
          StreamName: this.streamName,
          StreamARN: this.streamArn,
          Records: batch.map((pending) => pending.entry),
        }),
        { timeoutMs: this.requestTimeoutMs },
      );
      this.clientHistory.succeeded();
      const failed: Pending[] = [];
      for (const [index, result] of (output.Records ?? []).entries()) {
        if (result.ErrorCode === undefined) continue;
        const pending = batch[index]!;
        pending.lastError = `${result.ErrorCode}: ${result.ErrorMessage ?? ''}`;
        failed.push(pending);
      }
      return failed;
    } catch (error) {
      this.clientHistory.failed(error);
      if (classifyAwsError(error, this.clientHistory.errorContext) === 'fatal') {
        throw new DeadLetterDeliveryError(
          `Dead letters could not be written to ${this.streamName ?? this.streamArn}`,
          batch.length,
          { retryable: false, cause: error },
        );
      }
      const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      for (const pending of batch) pending.lastError = message;
      return batch;
    }
  }
}

/** Splits entries into PutRecords calls: at most 500 entries and 10 MiB each. */
function* batches(pending: readonly Pending[]): Generator<Pending[]> {
  let batch: Pending[] = [];
  let bytes = 0;
  for (const item of pending) {
    if (
      batch.length === PUT_RECORDS_MAX_ENTRIES ||
      (batch.length > 0 && bytes + item.bytes > PUT_RECORDS_MAX_BYTES)
    ) {
      yield batch;
      batch = [];
      bytes = 0;
    }
    batch.push(item);
    bytes += item.bytes;
  }
  if (batch.length > 0) yield batch;
}
