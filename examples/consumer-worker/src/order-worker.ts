/**
 * The worker: a `KinesisConsumer` with the handler API. Each order goes through three wrappers from
 * `@kinesis-ts/consumer`, outermost first:
 *
 * - `parallelByKey`: up to `concurrency` records of a batch at once, never two of one customer at
 *   once, each customer's orders in stream order; a failing record is reported on its own, so the
 *   consumer checkpoints just before it and retries from it;
 * - `idempotent` with a `DynamoDbIdempotencyStore`: an order id already processed (a redelivery after
 *   a crash or a lease move, or the producer writing the same order twice) is skipped;
 * - your `processOrder`.
 *
 * A record that still fails after `maxProcessingAttempts` (it does not parse, or `processOrder` keeps
 * throwing) goes to the dead-letter stream with its metadata (`deadLetterTo` +
 * `KinesisDeadLetterSink`), and the shard moves on. If the dead-letter stream cannot be written, the
 * shard stops at the record instead: nothing is dropped.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import {
  type ConsumerRecord,
  DynamoDbIdempotencyStore,
  deadLetterTo,
  idempotent,
  KinesisConsumer,
  type KinesisConsumerOptions,
  KinesisDeadLetterSink,
  type Logger,
  parallelByKey,
} from '@kinesis-ts/consumer';
import type { WorkerConfig } from './config.js';
import { type Order, parseOrder } from './order.js';

export interface OrderWorkerOptions {
  readonly config: WorkerConfig;
  readonly kinesisClient: KinesisClient;
  readonly dynamoDbClient: DynamoDBClient;
  /** The side effect: charge, ship, email… Throwing makes the consumer retry the order. */
  readonly processOrder: (order: Order, context: { shardId: string }) => Promise<void>;
  /** Told about each order id skipped as already processed. */
  readonly onDuplicate?: (orderId: string) => void;
  readonly logger?: Logger;
  /** Anything else for the consumer (timings in tests, `workerId`…). */
  readonly consumerOptions?: Partial<KinesisConsumerOptions>;
}

export function createOrderWorker(options: OrderWorkerOptions): KinesisConsumer {
  const { config, kinesisClient, dynamoDbClient } = options;
  const store = new DynamoDbIdempotencyStore({
    client: dynamoDbClient,
    tableName: config.dedupeTable,
    leaseDurationMs: 30_000, // longer than the slowest processOrder
  });
  const processOnce = idempotent(
    store,
    (record: ConsumerRecord) => parseOrder(record).orderId,
    (record: ConsumerRecord, context: { shardId: string }) =>
      options.processOrder(parseOrder(record), context),
    { onDuplicate: (orderId) => options.onDuplicate?.(orderId) },
  );
  return new KinesisConsumer({
    streamName: config.streamName,
    applicationName: config.applicationName,
    kinesisClient,
    dynamoDbClient,
    initialPosition: config.initialPosition,
    handler: parallelByKey(processOnce, { concurrency: config.concurrency }),
    maxProcessingAttempts: config.maxProcessingAttempts,
    onPoisonRecord: deadLetterTo(
      new KinesisDeadLetterSink({ client: kinesisClient, streamName: config.deadLetterStream }),
    ),
    logger: options.logger,
    ...options.consumerOptions,
  });
}
