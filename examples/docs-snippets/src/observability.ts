/** The snippets of docs/observability.md, type-checked (none is run). */
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import { KinesisConsumer } from '@kinesis-ts/consumer';
import type { Logger } from '@kinesis-ts/core';
import { publishMetrics } from '@kinesis-ts/metrics';
import { KinesisProducer } from '@kinesis-ts/producer';
import { metrics } from '@opentelemetry/api';

declare const kinesisClient: KinesisClient;
declare const dynamoDbClient: DynamoDBClient;
declare function saveOrder(data: Uint8Array): Promise<void>;
declare function alert(message: string): void;

/** pino's shape (and the AWS Lambda Powertools logger's): the context object comes first. */
interface StructuredLogger {
  debug(context: object, message: string): void;
  info(context: object, message: string): void;
  warn(context: object, message: string): void;
  error(context: object, message: string): void;
}

/** The libraries' logger: a message and a context object per call. Nothing is printed without one. */
export function fromStructuredLogger(log: StructuredLogger): Logger {
  return {
    debug: (message, context) => log.debug(context ?? {}, message),
    info: (message, context) => log.info(context ?? {}, message),
    warn: (message, context) => log.warn(context ?? {}, message),
    error: (message, context) => log.error(context ?? {}, message),
  };
}

/** The producer's events: what to log, what to alert on. */
export function producerEvents(logger: Logger): KinesisProducer {
  const producer = new KinesisProducer({ streamName: 'orders', client: kinesisClient, logger });
  producer.events.on('record:failed', ({ record, error }) =>
    logger.error('record not written', { partitionKey: record.partitionKey, code: error.code }),
  );
  producer.events.on('shard:throttled', ({ shardId, backoffMs }) =>
    logger.warn('shard throttled', { shardId, backoffMs }),
  );
  producer.events.on('hot-key', ({ key, share }) => logger.warn('hot partition key', { key, share }));
  producer.events.on('buffer:full', ({ bufferedRecords }) => logger.warn('buffer full', { bufferedRecords }));
  return producer;
}

/** The consumer's events. */
export function consumerEvents(logger: Logger): KinesisConsumer {
  const consumer = new KinesisConsumer({
    streamName: 'orders',
    applicationName: 'orders-app',
    kinesisClient,
    dynamoDbClient,
    initialPosition: 'TRIM_HORIZON',
    logger,
    handler: async (records) => {
      for (const record of records) await saveOrder(record.data);
    },
  });
  consumer
    .on('lease:taken', ({ leaseKey, stolen }) => logger.info('lease taken', { leaseKey, stolen }))
    .on('lease:lost', ({ leaseKey, reason }) => logger.warn('lease lost', { leaseKey, reason }))
    .on('processing:error', ({ shardId, attempt, willRetry }) =>
      logger.warn('batch failed', { shardId, attempt, willRetry }),
    )
    .on('record:poisoned', ({ shardId, record }) =>
      logger.error('record dead-lettered', { shardId, sequenceNumber: record.sequenceNumber }),
    )
    // a shard that keeps failing is stopped, nothing skipped: someone must look
    .on('shard:failed', ({ shardId, error }) => alert(`shard ${shardId} stopped: ${String(error)}`))
    // a batch that makes no progress (a hung handler): the lease stays renewed, nothing else says so
    .on('shard:stalled', ({ shardId, stalledForMs, firstSequenceNumber }) =>
      alert(`shard ${shardId} stuck for ${stalledForMs} ms at ${firstSequenceNumber}`),
    );
  return consumer;
}

/** A health endpoint's answer from the snapshots (cheap: no call to AWS). */
export function health(consumer: KinesisConsumer, producer: KinesisProducer) {
  const consumed = consumer.metrics();
  const produced = producer.metrics();
  return {
    consumer: consumer.state, // 'running' when healthy
    leases: consumer.heldLeaseKeys().length,
    millisBehindLatest: consumed.MillisBehindLatest, // the largest over this worker's shards
    failedShards: Object.values(consumed.shards).filter((shard) => shard.state === 'failed').length,
    pendingRecords: produced.stream.UserRecordsPending,
    failedRecords: produced.stream.UserRecordsFailed,
  };
}

/** CloudWatch, the KPL's way: PutMetricData every minute under the KPL's metric names. */
export async function toCloudWatch(producer: KinesisProducer): Promise<void> {
  const publisher = publishMetrics(producer, {
    streamName: 'orders',
    cloudWatch: { client: new CloudWatchClient({}), namespace: 'KinesisProducerLibrary' }, // the KPL's default namespace
    level: 'summary',
    granularity: 'stream',
    onError: (error) => console.warn(error.message),
  });
  // on shutdown: publish the last period, then close
  await publisher.stop();
  await producer.close();
}

/** Lambda, or any process whose logs go to CloudWatch Logs: Embedded Metric Format lines. */
export async function toEmf(consumer: KinesisConsumer): Promise<void> {
  const publisher = publishMetrics(consumer, { emf: { namespace: 'orders-app' }, level: 'summary' });
  await publisher.flush(); // e.g. at the end of an invocation
}

/** OpenTelemetry: instruments on your meter, read by your SDK's exporter. */
export function toOpenTelemetry(consumer: KinesisConsumer, producer: KinesisProducer): void {
  const meter = metrics.getMeter('orders-service');
  publishMetrics(consumer, { openTelemetry: { meter } });
  publishMetrics(producer, { streamName: 'orders', openTelemetry: { meter } });
}
