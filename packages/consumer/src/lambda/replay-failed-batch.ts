import {
  GetRecordsCommand,
  GetShardIteratorCommand,
  type KinesisClient,
  ListShardsCommand,
  type ListShardsCommandInput,
} from '@aws-sdk/client-kinesis';
import {
  awsErrorCode,
  CoreErrorCode,
  compareSequenceNumbers,
  type DeaggregateOptions,
  deaggregate,
  deaggregateLambdaEvent,
  type LambdaDeaggregatedRecord,
  listShards,
  ValidationError,
} from '@kinesis-ts/core';
import { PartialBatchFailureError } from '../processing/processing-errors.js';
import { FailedBatchUnavailableError } from './failed-batch-errors.js';
import type { KinesisFailedBatch } from './failure-message.js';
import type { LambdaProcessingContext } from './lambda-handler.js';

/** The options of {@link readFailedBatch}. */
export interface ReadFailedBatchOptions {
  /** The failed batch, from `parseKinesisFailureMessages`. */
  readonly batch: KinesisFailedBatch;
  /**
   * A Kinesis client for the batch's stream: needed to read the records of an SQS or SNS message
   * (which carry only their positions) and to learn the shard's hash range. A batch from an S3
   * destination carries its records and needs none.
   */
  readonly client?: KinesisClient;
  /** Stops reading (the promise rejects with the signal's reason). */
  readonly signal?: AbortSignal;
  /** Check the MD5 digest of KPL aggregates. @defaultValue true */
  readonly verifyChecksum?: boolean;
}

/** GetRecords calls at most for one failed batch (a Lambda batch holds at most 6 MB, 10 000 records). */
const MAX_GET_RECORDS_CALLS = 1_000;

/**
 * The user records of a batch a Lambda event source mapping gave up on, in shard order, KPL
 * aggregates split with the shard's hash range (as the consumer does).
 *
 * - From an S3 destination (the batch has `event`): the event's own records, so this works after the
 *   records left the stream.
 * - From SQS or SNS: exactly the Kinesis records from `startSequenceNumber` to `endSequenceNumber`,
 *   read with `GetShardIterator` (`AT_SEQUENCE_NUMBER`) and `GetRecords`. When the first or last of
 *   them is no longer in the stream (past its retention, or the shard is gone), it rejects with a
 *   `FailedBatchUnavailableError` before returning anything: a replay is exact or does not happen.
 */
export async function readFailedBatch(options: ReadFailedBatchOptions): Promise<LambdaDeaggregatedRecord[]> {
  const { batch, client, signal } = options;
  if (batch.event !== undefined) {
    // the records are in the object: the stream may be gone, so its hash range is a bonus
    const hashKeyRange =
      client === undefined ? undefined : await shardHashRange(client, batch, signal).catch(() => undefined);
    return deaggregateLambdaEvent(batch.event, { verifyChecksum: options.verifyChecksum, hashKeyRange });
  }
  if (client === undefined) {
    throw new ValidationError(
      'client',
      'a KinesisClient',
      'an SQS or SNS failure message holds only the positions of the records: give a client to read them',
      CoreErrorCode.INVALID_OPTION,
    );
  }
  const hashKeyRange = await shardHashRange(client, batch, signal);
  const deaggregateOptions: DeaggregateOptions = { verifyChecksum: options.verifyChecksum, hashKeyRange };
  const records = await readRange(client, batch, signal);
  return records.flatMap((record) =>
    deaggregate(record, deaggregateOptions).map(
      (userRecord): LambdaDeaggregatedRecord => ({
        ...userRecord,
        shardId: batch.shardId,
        eventSourceArn: batch.streamArn,
      }),
    ),
  );
}

/** The options of {@link replayFailedBatch}. */
export interface ReplayFailedBatchOptions<L> extends ReadFailedBatchOptions {
  /** The function the Lambda handler runs per record (`processRecord` of `kinesisLambdaHandler`). */
  readonly processRecord: (record: LambdaDeaggregatedRecord, context: LambdaProcessingContext<L>) => unknown;
  /** Passed as `context.lambdaContext` (when replaying inside a Lambda function, its context). */
  readonly lambdaContext?: L;
}

/** What {@link replayFailedBatch} did. */
export interface ReplayResult {
  /** User records processed (all of the batch's). */
  readonly records: number;
}

/**
 * Reads a failed batch (see {@link readFailedBatch}) and runs `processRecord` on each user record,
 * one at a time, in shard order. When a record fails, it stops there and rejects with a
 * `PartialBatchFailureError` naming it (the records before it are done): fix the cause and replay
 * again (make the function idempotent, as for any Kinesis consumer).
 */
export async function replayFailedBatch<L = undefined>(
  options: ReplayFailedBatchOptions<L>,
): Promise<ReplayResult> {
  const records = await readFailedBatch(options);
  const signal = options.signal ?? new AbortController().signal;
  const context: LambdaProcessingContext<L> = {
    shardId: options.batch.shardId,
    eventSourceArn: options.batch.streamArn,
    lambdaContext: options.lambdaContext as L,
    attempt: 1,
    signal,
  };
  let done = 0;
  for (const record of records) {
    signal.throwIfAborted();
    try {
      await options.processRecord(record, context);
    } catch (error) {
      throw new PartialBatchFailureError([{ record, error }]);
    }
    done++;
  }
  return { records: done };
}

interface KinesisRecordRead {
  readonly partitionKey: string;
  readonly data: Uint8Array;
  readonly sequenceNumber: string;
  readonly approximateArrivalTimestamp?: Date;
}

async function readRange(
  client: KinesisClient,
  batch: KinesisFailedBatch,
  signal: AbortSignal | undefined,
): Promise<KinesisRecordRead[]> {
  const { streamArn, shardId, startSequenceNumber: start, endSequenceNumber: end } = batch;
  let iterator: string | undefined;
  try {
    const output = await client.send(
      new GetShardIteratorCommand({
        StreamARN: streamArn,
        ShardId: shardId,
        ShardIteratorType: 'AT_SEQUENCE_NUMBER',
        StartingSequenceNumber: start,
      }),
      { abortSignal: signal },
    );
    iterator = output.ShardIterator;
  } catch (error) {
    const code = awsErrorCode(error);
    if (code === 'ResourceNotFoundException' || code === 'InvalidArgumentException') {
      throw new FailedBatchUnavailableError(batch, `GetShardIterator refused it (${code})`, error);
    }
    throw error;
  }
  const records: KinesisRecordRead[] = [];
  for (let calls = 0; iterator !== undefined && calls < MAX_GET_RECORDS_CALLS; calls++) {
    signal?.throwIfAborted();
    const output = await client.send(
      new GetRecordsCommand({ ShardIterator: iterator, StreamARN: streamArn, Limit: 10_000 }),
      { abortSignal: signal },
    );
    let pastEnd = false;
    for (const record of output.Records ?? []) {
      const sequenceNumber = record.SequenceNumber ?? '';
      if (compareSequenceNumbers(sequenceNumber, end) > 0) {
        pastEnd = true;
        break;
      }
      records.push({
        partitionKey: record.PartitionKey ?? '',
        data: record.Data ?? new Uint8Array(0),
        sequenceNumber,
        approximateArrivalTimestamp: record.ApproximateArrivalTimestamp,
      });
    }
    const last = records.at(-1);
    if (pastEnd || (last !== undefined && compareSequenceNumbers(last.sequenceNumber, end) === 0)) break;
    if ((output.Records ?? []).length === 0 && output.MillisBehindLatest === 0) break; // caught up
    iterator = output.NextShardIterator ?? undefined;
  }
  const first = records[0];
  if (first === undefined || compareSequenceNumbers(first.sequenceNumber, start) !== 0) {
    throw new FailedBatchUnavailableError(
      batch,
      first === undefined
        ? 'no record was read from its start'
        : `its first record is gone (the shard starts at ${first.sequenceNumber} now: past the retention?)`,
    );
  }
  const last = records.at(-1)!;
  if (compareSequenceNumbers(last.sequenceNumber, end) !== 0) {
    throw new FailedBatchUnavailableError(
      batch,
      `the shard ends before its last record (read up to ${last.sequenceNumber})`,
    );
  }
  return records;
}

async function shardHashRange(
  client: KinesisClient,
  batch: KinesisFailedBatch,
  signal: AbortSignal | undefined,
): Promise<DeaggregateOptions['hashKeyRange']> {
  const shards = await listShards(
    client,
    { streamArn: batch.streamArn },
    {
      command: (input) => new ListShardsCommand(input as ListShardsCommandInput),
      sdkRetries: true,
      abortSignal: signal,
    },
  ).catch((error: unknown) => {
    if (awsErrorCode(error) === 'ResourceNotFoundException') return [];
    throw error;
  });
  const shard = shards.find((candidate) => candidate.shardId === batch.shardId);
  return shard === undefined
    ? undefined
    : { startingHashKey: shard.startingHashKey, endingHashKey: shard.endingHashKey };
}
