import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { KinesisClient, type KinesisClientConfig, ListStreamsCommand } from '@aws-sdk/client-kinesis';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  createLocalDynamoDbClient,
  createLocalKinesisClient,
  KINESIS_TRANSPORTS,
  type KinesisTransport,
  kinesisClientFor,
  LOCAL_CREDENTIALS,
} from './clients';
import { connectLocalStack } from './connection';
import { type LocalStack, startLocalStack } from './local-stack';
import { LOCAL_STACK_PROVIDE_KEY } from './provided-context';
import { useLocalStack } from './vitest';

// Every way the docs (docs/local.md, docs/testing.md, docs/getting-started.md, the package README)
// build an SDK client from the stack's values, each making a real call over both transports.

const local = useLocalStack();
let stack: LocalStack;
beforeAll(async () => {
  stack = await startLocalStack();
});
afterAll(() => stack?.stop());

/** Nothing for HTTP/2 (the SDK's default handler), an HTTP/1.1 handler otherwise. */
const handlerFor = (transport: KinesisTransport): Partial<KinesisClientConfig> =>
  transport === 'http1' ? { requestHandler: new NodeHttpHandler() } : {};

/** Runs `body` with these environment variables set (the SDK reads them lazily), then restores them. */
async function withEnvironment<T>(variables: Record<string, string>, body: () => Promise<T>): Promise<T> {
  const saved = Object.fromEntries(Object.keys(variables).map((name) => [name, process.env[name]]));
  Object.assign(process.env, variables);
  try {
    return await body();
  } finally {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  }
}

describe.each(KINESIS_TRANSPORTS)('SDK clients built from the stack’s values, over %s', (transport) => {
  const kinesisWays: [string, () => KinesisClient][] = [
    [
      'new KinesisClient({ endpoint, region, credentials: stack.credentials })',
      () =>
        new KinesisClient({
          endpoint: stack.kinesisEndpoint,
          region: stack.region,
          credentials: stack.credentials,
          ...handlerFor(transport),
        }),
    ],
    [
      'new KinesisClient({ …, credentials: LOCAL_CREDENTIALS })',
      () =>
        new KinesisClient({
          endpoint: stack.kinesisEndpoint,
          region: stack.region,
          credentials: LOCAL_CREDENTIALS,
          ...handlerFor(transport),
        }),
    ],
    [
      'new KinesisClient({ …, credentials: useLocalStack().credentials })',
      () =>
        new KinesisClient({
          endpoint: local.kinesisEndpoint,
          region: local.region,
          credentials: local.credentials,
          ...handlerFor(transport),
        }),
    ],
    [
      'new KinesisClient({ …, credentials: stack.endpoints().credentials })',
      () => {
        const { kinesisEndpoint, region, credentials } = stack.endpoints();
        return new KinesisClient({
          endpoint: kinesisEndpoint,
          region,
          credentials,
          ...handlerFor(transport),
        });
      },
    ],
    [
      "new KinesisClient({ … }) from inject('kinesisTsLocal') (the global setup's provided values)",
      () => {
        const provided = inject(LOCAL_STACK_PROVIDE_KEY);
        return new KinesisClient({
          endpoint: provided.kinesisEndpoint,
          region: provided.region,
          credentials: provided.credentials,
          ...handlerFor(transport),
        });
      },
    ],
    ['stack.kinesisClient({ transport })', () => stack.kinesisClient({ transport })],
    ['useLocalStack().kinesisClient({ transport })', () => local.kinesisClient({ transport })],
    ['createLocalKinesisClient(stack, { transport })', () => createLocalKinesisClient(stack, { transport })],
    ['kinesisClientFor(stack, { transport })', () => kinesisClientFor(stack, { transport })],
    [
      'connectLocalStack({ kinesisEndpoint, dynamoDbEndpoint }).kinesisClient({ transport })',
      () =>
        connectLocalStack({
          kinesisEndpoint: stack.kinesisEndpoint,
          dynamoDbEndpoint: stack.dynamoDbEndpoint,
        }).kinesisClient({ transport }),
    ],
  ];

  it.each(kinesisWays)('%s makes a call', async (_way, build) => {
    const client = build();
    try {
      const output = await client.send(new ListStreamsCommand({}));
      expect(output.$metadata.httpStatusCode).toBe(200);
    } finally {
      client.destroy();
    }
  });

  it('new KinesisClient() configured by stack.environment() (AWS_ENDPOINT_URL_KINESIS, AWS_REGION, keys) makes a call', async () => {
    const output = await withEnvironment(stack.environment(), async () => {
      const client = new KinesisClient({ ...handlerFor(transport) });
      try {
        return await client.send(new ListStreamsCommand({}));
      } finally {
        client.destroy();
      }
    });
    expect(output.$metadata.httpStatusCode).toBe(200);
  });

  it('hands out a fresh credentials object on every read, so one client cannot break the next', () => {
    expect(stack.credentials).not.toBe(stack.credentials);
    expect(local.credentials).not.toBe(local.credentials);
    expect(stack.credentials).toEqual({ accessKeyId: 'local', secretAccessKey: 'local' });
    expect(Object.isFrozen(stack.credentials)).toBe(false);
    expect(Object.isFrozen(LOCAL_CREDENTIALS)).toBe(false);
  });
});

describe('DynamoDB clients built from the stack’s values', () => {
  it.each([
    [
      'new DynamoDBClient({ endpoint, region, credentials: stack.credentials })',
      () =>
        new DynamoDBClient({
          endpoint: stack.dynamoDbEndpoint,
          region: stack.region,
          credentials: stack.credentials,
        }),
    ],
    [
      'new DynamoDBClient({ …, credentials: LOCAL_CREDENTIALS })',
      () =>
        new DynamoDBClient({
          endpoint: stack.dynamoDbEndpoint,
          region: stack.region,
          credentials: LOCAL_CREDENTIALS,
        }),
    ],
    ['stack.dynamoDbClient()', () => stack.dynamoDbClient()],
    ['createLocalDynamoDbClient(useLocalStack())', () => createLocalDynamoDbClient(local)],
  ] as [string, () => DynamoDBClient][])('%s makes a call', async (_way, build) => {
    const client = build();
    try {
      expect((await client.send(new ListTablesCommand({}))).$metadata.httpStatusCode).toBe(200);
    } finally {
      client.destroy();
    }
  });
});
