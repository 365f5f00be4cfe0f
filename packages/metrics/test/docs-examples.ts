/**
 * The code snippets of docs/operations.md and packages/metrics/README.md, type-checked here. Each
 * function is one snippet; none is run by the tests.
 */
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import type { KinesisConsumer } from '@kinesis-ts/consumer';
import type { KinesisProducer } from '@kinesis-ts/producer';
import { metrics } from '@opentelemetry/api';
import { publishMetrics } from '../src/index.js';

/** CloudWatch, KPL style. */
export async function cloudWatch(producer: KinesisProducer): Promise<void> {
  const publisher = publishMetrics(producer, {
    streamName: 'orders',
    cloudWatch: { client: new CloudWatchClient({}), namespace: 'KinesisProducerLibrary' },
    // defaults: intervalMs 60000, level 'detailed', granularity 'shard'
    onError: (error) => console.warn(error.message),
  });
  // … on shutdown: publish the last period, then close the producer
  await publisher.stop();
  await producer.close();
}

/** Embedded Metric Format in Lambda: the log line is the only output. */
export async function lambdaEmf(consumer: KinesisConsumer): Promise<void> {
  const publisher = publishMetrics(consumer, {
    emf: { namespace: 'orders-app' }, // written to process.stdout, extracted by CloudWatch Logs
    level: 'summary',
  });
  await publisher.flush(); // at the end of an invocation
}

/** OpenTelemetry: instruments on your meter, collected by your SDK. */
export function openTelemetry(consumer: KinesisConsumer): void {
  publishMetrics(consumer, { openTelemetry: { meter: metrics.getMeter('orders-worker') } });
}

/** The README's two one-liners: EMF in Lambda, OpenTelemetry in a worker. */
export function readmeOneLiners(consumer: KinesisConsumer): void {
  publishMetrics(consumer, { emf: { namespace: 'orders-app' }, level: 'summary' }); // Lambda
  publishMetrics(consumer, { openTelemetry: { meter: metrics.getMeter('orders-worker') } });
}
