/**
 * The code snippets of docs/processing.md, kept here so that the type checker sees every one of them
 * (`pnpm typecheck`). Each function is one snippet; none is run by the tests.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KinesisClient, PutRecordsCommand } from '@aws-sdk/client-kinesis';
import {
  type DeadLetter,
  kinesisLambdaHandler,
  kinesisWindowHandler,
  type LambdaDeaggregatedRecord,
  PartialBatchFailureError as LambdaPartialBatchFailureError,
  parseKinesisFailureMessages,
  replayFailedBatch,
} from '@kinesis-ts/consumer/lambda';
import {
  bisectOnError,
  type ConsumerRecord,
  DynamoDbIdempotencyStore,
  deadLetterTo,
  decodeDeadLetter,
  detectSequenceRegressions,
  idempotent,
  KinesisConsumer,
  KinesisDeadLetterSink,
  PartialBatchFailureError,
  parallelByKey,
  type RecordFailure,
} from '../src/index.js';

declare function saveOrder(order: Order): Promise<void>;
declare function sendReceiptEmail(order: Order): Promise<void>;
declare function writeToWarehouse(records: readonly ConsumerRecord[]): Promise<{ rejected: number[] }>;
declare function sendToQueue(body: string): Promise<void>;
declare const logger: { warn(message: string, fields: object): void };

interface Order {
  readonly orderId: string;
  readonly customerId: string;
  readonly version: number;
}

const parse = (record: ConsumerRecord): Order => JSON.parse(new TextDecoder().decode(record.data)) as Order;
const kinesisClient = new KinesisClient({});
const dynamoDbClient = new DynamoDBClient({});

/** Per-key parallelism: up to 8 records of a batch at once, one at a time per customer. */
export function perKeyParallelism(): KinesisConsumer {
  return new KinesisConsumer({
    streamName: 'orders',
    applicationName: 'orders-app',
    kinesisClient,
    dynamoDbClient,
    initialPosition: 'TRIM_HORIZON',
    handler: parallelByKey(
      async (record: ConsumerRecord) => {
        await saveOrder(parse(record));
      },
      { concurrency: 8 }, // records of one partition key still run one at a time, in order
    ),
  });
}

/** Ordering by a key in the payload rather than the partition key. */
export function perCustomerOrder() {
  return parallelByKey(async (record: ConsumerRecord) => saveOrder(parse(record)), {
    concurrency: 16,
    keyOf: (record) => parse(record).customerId,
  });
}

/** Partial batch failures: a batch handler reports the records that failed. */
export function partialBatch(): KinesisConsumer {
  return new KinesisConsumer({
    streamName: 'orders',
    applicationName: 'orders-warehouse',
    kinesisClient,
    dynamoDbClient,
    initialPosition: 'TRIM_HORIZON',
    handler: async (records) => {
      const { rejected } = await writeToWarehouse(records); // indexes of the records it refused
      if (rejected.length > 0) {
        const failures: RecordFailure[] = rejected.map((index) => ({
          record: records[index]!,
          error: new Error('rejected by the warehouse'),
        }));
        // checkpoint just before the first rejected record; the retry starts there
        throw new PartialBatchFailureError(failures);
      }
    },
  });
}

/** Bisect on error: find the bad record of a batch handler that cannot tell which one failed. */
export function bisect() {
  return bisectOnError(async (records: readonly ConsumerRecord[]) => {
    await writeToWarehouse(records); // throws for the whole batch when one record is bad
  });
}

/** Dead letters in a Kinesis stream. */
export function deadLetterStream(): KinesisConsumer {
  return new KinesisConsumer({
    streamName: 'orders',
    applicationName: 'orders-app',
    kinesisClient,
    dynamoDbClient,
    initialPosition: 'TRIM_HORIZON',
    maxProcessingAttempts: 5, // tries at the same record, then it is a poison record
    handler: parallelByKey(async (record: ConsumerRecord) => saveOrder(parse(record))),
    onPoisonRecord: deadLetterTo(
      new KinesisDeadLetterSink({ client: kinesisClient, streamName: 'orders-dlq' }),
    ),
  });
}

/** Dead letters anywhere else: the callback form (here an SQS queue, through your own client). */
export function deadLetterCallback() {
  return deadLetterTo(async (letter: DeadLetter) => {
    await sendToQueue(
      JSON.stringify({
        stream: letter.streamName,
        shardId: letter.shardId,
        sequenceNumber: letter.sequenceNumber,
        subSequenceNumber: letter.subSequenceNumber,
        partitionKey: letter.partitionKey,
        arrivedAt: letter.approximateArrivalTimestamp?.toISOString(),
        data: Buffer.from(letter.data).toString('base64'),
        error: letter.error,
        attempts: letter.attempts,
      }),
    );
  });
}

/** Replaying dead letters: put their payloads back on the source stream once the bug is fixed. */
export async function replayDeadLetters(letterRecords: readonly { Data?: Uint8Array }[]): Promise<void> {
  const letters = letterRecords.map((record) => decodeDeadLetter(record.Data!));
  await kinesisClient.send(
    new PutRecordsCommand({
      StreamName: 'orders',
      Records: letters.map((letter) => ({
        PartitionKey: letter.partitionKey,
        ExplicitHashKey: letter.explicitHashKey,
        Data: letter.data,
      })),
    }),
  );
}

/** An idempotent side effect: the receipt email goes out once per order, across redeliveries and workers. */
export function idempotentEmails(): KinesisConsumer {
  const store = new DynamoDbIdempotencyStore({
    client: dynamoDbClient,
    tableName: 'orders-dedupe', // partition key `id` (string); TTL on `expiresAt`
    leaseDurationMs: 30_000, // longer than the slowest email send
    ttlSeconds: 8 * 24 * 3600, // longer than the stream's retention
  });
  const sendOnce = idempotent(
    store,
    (record: ConsumerRecord) => parse(record).orderId,
    async (record) => {
      await sendReceiptEmail(parse(record));
    },
  );
  return new KinesisConsumer({
    streamName: 'orders',
    applicationName: 'orders-emails',
    kinesisClient,
    dynamoDbClient,
    initialPosition: 'TRIM_HORIZON',
    handler: parallelByKey(sendOnce, { concurrency: 8 }),
  });
}

/** Lambda: one user record at a time, KPL aggregates split, partial batch response. */
export const handler = kinesisLambdaHandler({
  processRecord: async (record) => {
    const order = JSON.parse(new TextDecoder().decode(record.data)) as Order;
    await saveOrder(order);
  },
});

/** Lambda with per-key concurrency, idempotency and dead letters. */
const lambdaStore = new DynamoDbIdempotencyStore({ client: dynamoDbClient, tableName: 'orders-dedupe' });
export const idempotentLambdaHandler = kinesisLambdaHandler({
  concurrency: 10,
  maxAttempts: 3, // inside the invocation, then the record goes to the dead-letter stream
  backoff: { baseDelayMs: 100, maxDelayMs: 1_000 },
  onPoisonRecord: deadLetterTo(
    new KinesisDeadLetterSink({ client: kinesisClient, streamName: 'orders-dlq' }),
  ),
  processRecord: idempotent(
    lambdaStore,
    (record) => (JSON.parse(new TextDecoder().decode(record.data)) as Order).orderId,
    async (record) => sendReceiptEmail(JSON.parse(new TextDecoder().decode(record.data)) as Order),
  ),
});

/** Lambda, per batch, with bisection. */
export const batchLambdaHandler = kinesisLambdaHandler({
  bisectOnError: true,
  processBatch: async (records) => {
    const { rejected } = await writeToWarehouse(records);
    const first = rejected[0];
    if (first !== undefined) {
      throw new LambdaPartialBatchFailureError([{ record: records[first]!, error: 'rejected' }]);
    }
  },
});

/** Lambda with tumbling windows: order totals per customer and window. */
declare function saveTotals(
  totals: object,
  window: { start: Date; end: Date },
  partial: boolean,
): Promise<void>;
export const windowHandler = kinesisWindowHandler<{ readonly [customerId: string]: number }>({
  initialState: () => ({}),
  reduce: (totals, record) => {
    const order = JSON.parse(new TextDecoder().decode(record.data)) as Order & { amount: number };
    // return a new state: after a failure the handler returns the state before the failed record
    return { ...totals, [order.customerId]: (totals[order.customerId] ?? 0) + order.amount };
  },
  onWindowEnd: async (totals, { window, terminatedEarly }) => {
    await saveTotals(totals, window, terminatedEarly); // an upsert: a final invocation may run again
  },
});

/** Lambda on-failure destinations: replay a failed batch through the same per-record function. */
declare function saveOrderRecord(record: LambdaDeaggregatedRecord): Promise<void>;
export const replayHandler = async (event: unknown) => {
  for (const batch of parseKinesisFailureMessages(event)) {
    // SQS/SNS: re-reads the shard from startSequenceNumber to endSequenceNumber (included)
    // S3: takes the records of the original event in the object
    await replayFailedBatch({ batch, client: kinesisClient, processRecord: saveOrderRecord });
  }
};

/** Sequence regressions: the producer embeds a per-key version in each order. */
export function versionRegressions() {
  return parallelByKey(
    detectSequenceRegressions(async (record: ConsumerRecord) => saveOrder(parse(record)), {
      sequenceOf: (record) => parse(record).version,
      onRegression: ({ key, sequence, previous }) =>
        logger.warn('Order version went backwards', {
          key,
          sequence: String(sequence),
          previous: String(previous),
        }),
      policy: 'skip', // never let an older version overwrite a newer one
    }),
  );
}
