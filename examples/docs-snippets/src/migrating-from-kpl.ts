/**
 * The snippets of docs/migrating-from-kpl.md, type-checked (none is run). The aws-kinesis-agg code is
 * the "before" of that guide, checked against the module's own type declarations.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { type KinesisClient, PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { KinesisConsumer } from '@kinesis-ts/consumer';
import { kinesisLambdaHandler, type LambdaKinesisEvent } from '@kinesis-ts/consumer/lambda';
import {
  AggregatedRecordBuilder,
  DEFAULT_AGGREGATION_MAX_SIZE_BYTES,
  DEFAULT_MAX_RECORD_SIZE_BYTES,
  deaggregateLambdaEvent,
} from '@kinesis-ts/core';
import { KinesisProducer, RecordFailedError } from '@kinesis-ts/producer';
import * as agg from 'aws-kinesis-agg';

declare const kinesisClient: KinesisClient;
declare const dynamoDbClient: DynamoDBClient;
declare const events: AsyncIterable<{ userId: string; payload: object }>;
declare function handle(data: Uint8Array): Promise<void>;
declare function handleText(text: string): void;

// --- from the KPL -------------------------------------------------------------------------------

/** The KPL's configuration, translated (KPL names in the comments). */
export function fromKplConfiguration(): KinesisProducer {
  return new KinesisProducer({
    streamName: 'orders',
    client: kinesisClient, // Region, KinesisEndpoint, credentials: the SDK client's
    aggregation: true, // AggregationEnabled
    maxAggregateSizeBytes: 51_200, // AggregationMaxSize
    maxRequestEntries: 500, // CollectionMaxCount
    maxRequestBytes: 5_242_880, // CollectionMaxSize
    maxBufferedTimeMs: 100, // RecordMaxBufferedTime
    recordTtlMs: 30_000, // RecordTtl
    rateLimitPercent: 150, // RateLimit
    failIfThrottled: false, // FailIfThrottled
    maxConcurrentRequests: 24, // MaxConnections
  });
}

/**
 * addUserRecord + the outstanding-records loop + flushSync, the KPL's documented pattern, becomes:
 * put (a promise per record), waitForCapacity (a bounded buffer) and close.
 */
export async function fromKplPutLoop(producer: KinesisProducer): Promise<void> {
  for await (const event of events) {
    await producer.waitForCapacity(); // was: while (getOutstandingRecordsCount() > MAX) Thread.sleep(…)
    producer
      .put({ partitionKey: event.userId, data: new TextEncoder().encode(JSON.stringify(event.payload)) })
      .then(({ shardId, sequenceNumber, attempts }) => {
        // was: FutureCallback.onSuccess(UserRecordResult)
        if (attempts.length > 1)
          console.log(`${sequenceNumber} on ${shardId} after ${attempts.length} attempts`);
      })
      .catch((error: unknown) => {
        // was: onFailure(UserRecordFailedException) → getResult().getAttempts()
        if (RecordFailedError.isInstance(error)) {
          for (const attempt of error.attempts) console.warn(attempt.errorCode, attempt.errorMessage);
        }
      });
  }
  await producer.close(); // was: flushSync(); destroy();
}

// --- from aws-kinesis-agg -----------------------------------------------------------------------

/** Before: deaggregating a Lambda event with aws-kinesis-agg (base64 strings, callbacks). */
export function deaggregateBefore(event: {
  Records: { kinesis: Parameters<typeof agg.deaggregateSync>[0] }[];
}) {
  for (const record of event.Records) {
    agg.deaggregateSync(record.kinesis, true, (error, userRecords) => {
      if (error) throw error; // a bad checksum fails the whole record here
      for (const userRecord of userRecords ?? [])
        handleText(Buffer.from(userRecord.data, 'base64').toString());
    });
  }
}

/** After: deaggregateLambdaEvent (bytes, the KCL's rules), or the whole handler. */
export function deaggregateAfter(event: LambdaKinesisEvent): void {
  for (const record of deaggregateLambdaEvent(event)) handleText(new TextDecoder().decode(record.data));
}

export const lambdaHandlerAfter = kinesisLambdaHandler({
  processRecord: async (record) => handle(record.data), // partial batch failures handled for you
});

/** Before: aggregating with aws-kinesis-agg, which routes the aggregate by its first partition key. */
export function aggregateBefore(records: { partitionKey: string; data: string }[]): void {
  agg.aggregate(
    records,
    (encoded, callback) => {
      kinesisClient
        .send(
          new PutRecordsCommand({
            StreamName: 'orders',
            Records: [{ PartitionKey: encoded.partitionKey, Data: encoded.data }],
          }),
        )
        .then(() => callback(), callback);
    },
    () => console.log('done'),
    (error) => console.error(error),
  );
}

/** After: the producer, which aggregates per predicted shard (no record ends up on the wrong shard). */
export async function aggregateAfter(records: { partitionKey: string; data: Uint8Array }[]): Promise<void> {
  const producer = new KinesisProducer({ streamName: 'orders', client: kinesisClient });
  await producer.putMany(records);
  await producer.close();
}

/**
 * After, when you send yourself: one builder per shard (never mix shards in an aggregate); `build()`
 * gives each PutRecords entry, its explicit hash key routing it to the shard of its records.
 */
export function aggregateByHand(recordsOfOneShard: readonly { partitionKey: string; data: Uint8Array }[]) {
  const limits = {
    maxAggregateSizeBytes: DEFAULT_AGGREGATION_MAX_SIZE_BYTES, // 50 KiB, the KPL's AggregationMaxSize
    maxRecordSizeBytes: DEFAULT_MAX_RECORD_SIZE_BYTES,
  };
  const entries: { PartitionKey: string; ExplicitHashKey: string; Data: Uint8Array }[] = [];
  const builder = new AggregatedRecordBuilder();
  const emit = () => {
    const entry = builder.build();
    entries.push({
      PartitionKey: entry.partitionKey,
      ExplicitHashKey: entry.explicitHashKey,
      Data: entry.data,
    });
    builder.reset();
  };
  for (const record of recordsOfOneShard) {
    if (builder.tryAdd(record, limits)) continue;
    emit(); // full: this aggregate is done, the record starts the next one
    builder.add(record);
  }
  if (builder.count > 0) emit();
  return entries; // for PutRecordsCommand({ StreamName, Records: entries })
}

// --- from lifion-kinesis ------------------------------------------------------------------------

/** lifion-kinesis' consumer (a stream of records) becomes a KinesisConsumer with a handler. */
export function fromLifionConsumer(): KinesisConsumer {
  return new KinesisConsumer({
    streamName: 'orders', // streamName
    applicationName: 'orders-app', // consumerGroup (the lease table is the KCL's, not lifion's state table)
    kinesisClient,
    dynamoDbClient,
    initialPosition: 'TRIM_HORIZON', // initialPositionInStream
    retrieval: { mode: 'fan-out' }, // useEnhancedFanOut: true (omit for polling)
    handler: async (records) => {
      // kinesis.on('data', …) got a chunk of records; KPL aggregates are split here too
      for (const record of records) await handle(record.data);
      // resolving checkpoints after processing (lifion checkpointed before pushing: at-most-once)
    },
  });
}
