/**
 * Where the service's records go: real AWS, or a local Kinesis, either one already running at
 * AWS_ENDPOINT_URL_KINESIS (`kinesis-ts-local`, LocalStack) or one started in this process by
 * `@kinesis-ts/local`.
 */
import {
  CreateStreamCommand,
  DescribeStreamSummaryCommand,
  KinesisClient,
  waitUntilStreamExists,
} from '@aws-sdk/client-kinesis';
import { LOCAL_CREDENTIALS, startLocalStack } from '@kinesis-ts/local';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { ServiceConfig } from './config.js';

export interface KinesisTarget {
  readonly client: KinesisClient;
  /** What the client talks to, for the start-up message. */
  readonly description: string;
  /** Closes the client (and stops the local Kinesis when it was started here). */
  close(): Promise<void>;
}

export async function openKinesisTarget(config: ServiceConfig, env = process.env): Promise<KinesisTarget> {
  if (config.target === 'aws') {
    // credentials and region from the usual chain (AWS_PROFILE, AWS_REGION, an instance or task
    // role…); the SDK's default handler is right for PutRecords on AWS
    const client = new KinesisClient({});
    return { client, description: 'AWS', close: async () => client.destroy() };
  }
  const endpoint = env.AWS_ENDPOINT_URL_KINESIS;
  if (endpoint) {
    // a local Kinesis already running: the emulator needs HTTP/1.1 (its HTTP/2 breaks on larger
    // requests) and accepts any credentials
    const client = new KinesisClient({
      endpoint,
      region: env.AWS_REGION ?? 'us-east-1',
      credentials: env.AWS_ACCESS_KEY_ID ? undefined : { ...LOCAL_CREDENTIALS },
      requestHandler: new NodeHttpHandler(),
    });
    await createStreamIfMissing(client, config);
    return { client, description: endpoint, close: async () => client.destroy() };
  }
  const stack = await startLocalStack();
  await stack.createStream(config.streamName, config.localShards);
  return {
    client: stack.kinesisClient(),
    description: `a local Kinesis started by this process (${stack.kinesisEndpoint})`,
    close: () => stack.stop(),
  };
}

async function createStreamIfMissing(client: KinesisClient, config: ServiceConfig): Promise<void> {
  try {
    await client.send(new DescribeStreamSummaryCommand({ StreamName: config.streamName }));
  } catch (error) {
    if ((error as { name?: string }).name !== 'ResourceNotFoundException') throw error;
    await client.send(
      new CreateStreamCommand({ StreamName: config.streamName, ShardCount: config.localShards }),
    );
    await waitUntilStreamExists({ client, maxWaitTime: 60, minDelay: 1 }, { StreamName: config.streamName });
  }
}
