/**
 * The consumer: enhanced fan-out retrieval (each shard's records pushed over `SubscribeToShard`,
 * with this application's own 2 MiB/s per shard) and one `PageViewCounter` per shard lease.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import { KinesisConsumer, type KinesisConsumerOptions, type Logger } from '@kinesis-ts/consumer';
import type { FanOutConfig } from './config.js';
import { PageViewCounter, type PageViewSink } from './page-view-counter.js';

export interface PageViewConsumerOptions {
  readonly config: FanOutConfig;
  /** For every call but SubscribeToShard (HTTP/1.1 is fine, and needed on the emulator). */
  readonly kinesisClient: KinesisClient;
  /** For SubscribeToShard: HTTP/2 on AWS (`NodeHttp2Handler`), HTTP/1.1 on the local emulator. */
  readonly subscribeClient: KinesisClient;
  readonly dynamoDbClient: DynamoDBClient;
  readonly sink: PageViewSink;
  readonly logger?: Logger;
  /** Anything else for the consumer (timings in tests, `workerId`…). */
  readonly consumerOptions?: Partial<KinesisConsumerOptions>;
}

export function createPageViewConsumer(options: PageViewConsumerOptions): KinesisConsumer {
  const { config } = options;
  return new KinesisConsumer({
    streamName: config.streamName,
    applicationName: config.applicationName,
    kinesisClient: options.kinesisClient,
    dynamoDbClient: options.dynamoDbClient,
    initialPosition: config.initialPosition,
    retrieval: {
      mode: 'fan-out',
      ...(config.consumerArn ? { consumerArn: config.consumerArn } : { consumerName: config.consumerName }),
      subscribeClient: options.subscribeClient,
    },
    processor: () =>
      new PageViewCounter(options.sink, {
        everyRecords: config.flushEveryRecords,
        everyMs: config.flushEveryMs,
      }),
    logger: options.logger,
    ...options.consumerOptions,
  });
}
