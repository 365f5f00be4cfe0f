/**
 * The clients the worker uses: for AWS, or for a local Kinesis and DynamoDB, either already running
 * (AWS_ENDPOINT_URL_KINESIS and AWS_ENDPOINT_URL_DYNAMODB, as `kinesis-ts-local` prints them) or
 * started in this process by `@kinesis-ts/local`. Locally, the streams and the table are created.
 */
import { CreateTableCommand, DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DescribeStreamSummaryCommand, KinesisClient } from '@aws-sdk/client-kinesis';
import { connectLocalStack, type LocalStackConnection, startLocalStack } from '@kinesis-ts/local';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { WorkerConfig } from './config.js';

export interface AwsTarget {
  readonly kinesisClient: KinesisClient;
  readonly dynamoDbClient: DynamoDBClient;
  readonly description: string;
  readonly local: boolean;
  close(): Promise<void>;
}

export async function openAwsTarget(config: WorkerConfig, env = process.env): Promise<AwsTarget> {
  if (config.target === 'aws') {
    // Polling needs no HTTP/2: HTTP/1.1 with keep-alive avoids a TLS handshake per GetRecords
    const kinesisClient = new KinesisClient({
      requestHandler: new NodeHttpHandler({ connectionTimeout: 5_000, requestTimeout: 35_000 }),
    });
    const dynamoDbClient = new DynamoDBClient({});
    return {
      kinesisClient,
      dynamoDbClient,
      description: 'AWS',
      local: false,
      close: async () => {
        kinesisClient.destroy();
        dynamoDbClient.destroy();
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
  const kinesisClient = local.kinesisClient(); // HTTP/1.1: the emulator's HTTP/2 breaks on larger calls
  const dynamoDbClient = local.dynamoDbClient();
  for (const stream of [config.streamName, config.deadLetterStream]) {
    await kinesisClient
      .send(new DescribeStreamSummaryCommand({ StreamName: stream }))
      .catch(async (error) => {
        if ((error as { name?: string }).name !== 'ResourceNotFoundException') throw error;
        await local.createStream(stream, 2);
      });
  }
  await dynamoDbClient
    .send(new DescribeTableCommand({ TableName: config.dedupeTable }))
    .catch(async (error) => {
      if ((error as { name?: string }).name !== 'ResourceNotFoundException') throw error;
      await dynamoDbClient.send(
        new CreateTableCommand({
          TableName: config.dedupeTable,
          AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
          KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
          BillingMode: 'PAY_PER_REQUEST',
        }),
      );
    });
  return {
    kinesisClient,
    dynamoDbClient,
    description: stack ? `a local Kinesis and DynamoDB started by this process` : `${local.kinesisEndpoint}`,
    local: true,
    close: async () => (stack ? stack.stop() : local.close()),
  };
}
