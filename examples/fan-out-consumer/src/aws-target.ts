/**
 * The clients: for AWS (an HTTP/2 client for SubscribeToShard, HTTP/1.1 for the rest), or for a local
 * Kinesis and DynamoDB (HTTP/1.1 for everything: the emulator's HTTP/2 breaks on SubscribeToShard),
 * either already running (AWS_ENDPOINT_URL_KINESIS and AWS_ENDPOINT_URL_DYNAMODB) or started in this
 * process by `@kinesis-ts/local`. Locally, the stream is created.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DescribeStreamSummaryCommand, KinesisClient } from '@aws-sdk/client-kinesis';
import { connectLocalStack, type LocalStackConnection, startLocalStack } from '@kinesis-ts/local';
import { NodeHttp2Handler, NodeHttpHandler } from '@smithy/node-http-handler';
import type { FanOutConfig } from './config.js';

export interface AwsTarget {
  readonly kinesisClient: KinesisClient;
  readonly subscribeClient: KinesisClient;
  readonly dynamoDbClient: DynamoDBClient;
  readonly description: string;
  readonly local: boolean;
  close(): Promise<void>;
}

export async function openAwsTarget(config: FanOutConfig, env = process.env): Promise<AwsTarget> {
  if (config.target === 'aws') {
    const kinesisClient = new KinesisClient({
      requestHandler: new NodeHttpHandler({ connectionTimeout: 5_000, requestTimeout: 35_000 }),
    });
    // SubscribeToShard needs HTTP/2 on AWS; one session per subscription, so a broken session
    // affects one shard only
    const subscribeClient = new KinesisClient({
      requestHandler: new NodeHttp2Handler({ disableConcurrentStreams: true }),
    });
    const dynamoDbClient = new DynamoDBClient({});
    return {
      kinesisClient,
      subscribeClient,
      dynamoDbClient,
      description: 'AWS',
      local: false,
      close: async () => {
        for (const client of [kinesisClient, subscribeClient, dynamoDbClient]) client.destroy();
      },
    };
  }
  const running = env.AWS_ENDPOINT_URL_KINESIS && env.AWS_ENDPOINT_URL_DYNAMODB;
  const stack = running ? undefined : await startLocalStack();
  const local: LocalStackConnection =
    stack ??
    connectLocalStack({
      kinesisEndpoint: env.AWS_ENDPOINT_URL_KINESIS ?? '',
      dynamoDbEndpoint: env.AWS_ENDPOINT_URL_DYNAMODB ?? '',
    });
  const kinesisClient = local.kinesisClient();
  await kinesisClient
    .send(new DescribeStreamSummaryCommand({ StreamName: config.streamName }))
    .catch(async (error) => {
      if ((error as { name?: string }).name !== 'ResourceNotFoundException') throw error;
      await local.createStream(config.streamName, 2);
    });
  return {
    kinesisClient,
    subscribeClient: kinesisClient, // the emulator serves SubscribeToShard over HTTP/1.1 only
    dynamoDbClient: local.dynamoDbClient(),
    description: stack ? 'a local Kinesis and DynamoDB started by this process' : local.kinesisEndpoint,
    local: true,
    close: async () => (stack ? stack.stop() : local.close()),
  };
}
