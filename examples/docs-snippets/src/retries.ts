/** The snippets of docs/retries.md, type-checked (none is run). */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import { deadLetterTo, KinesisConsumer, KinesisDeadLetterSink } from '@kinesis-ts/consumer';
import { kinesisLambdaHandler } from '@kinesis-ts/consumer/lambda';
import {
  type BackoffPolicy,
  backoffCeilingMs,
  classifyAwsError,
  fullJitterBackoffMs,
  sleep,
  ValidationError,
} from '@kinesis-ts/core';
import { KinesisProducer, RecordFailedError } from '@kinesis-ts/producer';

declare const kinesisClient: KinesisClient;
declare const dynamoDbClient: DynamoDBClient;
declare function saveOrder(data: Uint8Array): Promise<void>;
declare function putAgainLater(record: { partitionKey: string; data: Uint8Array }): Promise<void>;
declare function keepForInspection(
  record: { partitionKey: string; data: Uint8Array },
  why: string,
): Promise<void>;

/** The formula: the ceiling of the window for each retry, and one draw. */
export function backoffTable(): void {
  const policy: BackoffPolicy = { baseDelayMs: 100, maxDelayMs: 5_000 }; // the producer's default
  for (let attempt = 1; attempt <= 8; attempt++) {
    // a uniform draw in [0, min(maxDelayMs, baseDelayMs × 2^(attempt − 1)))
    console.log(attempt, backoffCeilingMs(attempt, policy), fullJitterBackoffMs(attempt, policy));
  }
}

/** The producer's retry settings, at their defaults. */
export function producerRetries(): KinesisProducer {
  return new KinesisProducer({
    streamName: 'orders',
    client: kinesisClient,
    retryBackoff: { baseDelayMs: 100, maxDelayMs: 5_000 }, // per shard, full jitter
    recordTtlMs: 30_000, // give a record up after this long, retries included
    maxAttempts: Number.POSITIVE_INFINITY, // or give it up after this many attempts
    failIfThrottled: false, // true: a throttled record fails at once (RECORD_THROTTLED)
  });
}

/** What a rejected put says, and what to do with it. */
export async function putWithFailureHandling(
  producer: KinesisProducer,
  record: { partitionKey: string; data: Uint8Array },
) {
  try {
    await producer.put(record);
  } catch (error) {
    if (ValidationError.isInstance(error)) {
      await keepForInspection(record, `${error.field}: ${error.message}`); // never sent
    } else if (RecordFailedError.isInstance(error)) {
      // code: RECORD_FAILED, CANNOT_WRITE_STREAM (not retryable), RECORD_EXPIRED, MAX_ATTEMPTS_EXCEEDED, RECORD_THROTTLED
      console.warn(`${error.code} after ${error.attempts.length} attempt(s), last: ${error.lastErrorCode}`);
      if (error.retryable) await putAgainLater(error.record);
      else await keepForInspection(error.record, error.message);
    } else {
      throw error; // BufferFullError (whenBufferFull: 'reject'), ProducerClosedError
    }
  }
}

/** The consumer's retry settings, at their defaults, with a dead-letter stream for poison records. */
export function consumerRetries(): KinesisConsumer {
  return new KinesisConsumer({
    streamName: 'orders',
    applicationName: 'orders-app',
    kinesisClient,
    dynamoDbClient,
    initialPosition: 'TRIM_HORIZON',
    retrievalBackoff: { baseDelayMs: 1_000, maxDelayMs: 10_000 }, // GetRecords, SubscribeToShard
    processingBackoff: { baseDelayMs: 200, maxDelayMs: 10_000 }, // between tries of a failing batch
    maxProcessingAttempts: 5, // tries at the same record, then it is a poison record
    onPoisonRecord: deadLetterTo(
      new KinesisDeadLetterSink({ client: kinesisClient, streamName: 'orders-dlq' }),
    ),
    handler: async (records) => {
      for (const record of records) await saveOrder(record.data);
    },
  });
}

/** In Lambda: tries inside the invocation before Lambda's own retries. */
export const lambdaRetries = kinesisLambdaHandler({
  maxAttempts: 3, // 1 by default: report the failure at once and let Lambda retry
  backoff: { baseDelayMs: 100, maxDelayMs: 2_000 },
  processRecord: async (record) => saveOrder(record.data),
});

/** The same classification and backoff for your own AWS calls. */
export async function withRetries<T>(
  call: () => Promise<T>,
  policy: BackoffPolicy = { baseDelayMs: 100, maxDelayMs: 2_000 },
  maxAttempts = 5,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (error) {
      // 'throttling' and 'transient' may succeed later; 'fatal' (access denied, validation…) never will
      if (classifyAwsError(error) === 'fatal' || attempt >= maxAttempts) throw error;
      await sleep(fullJitterBackoffMs(attempt, policy));
    }
  }
}
