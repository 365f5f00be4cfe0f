/**
 * The snippets of docs/local.md, type-checked (none is run here: the same calls run in
 * packages/local's integration tests). Each function is one snippet.
 */
import { type DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import {
  KinesisClient,
  ListStreamsCommand,
  PutRecordCommand,
  PutRecordsCommand,
  type PutRecordsRequestEntry,
} from '@aws-sdk/client-kinesis';
import {
  injectDynamoDbFaults,
  injectKinesisFaults,
  KINESIS_TRANSPORTS,
  kinesisClientFor,
  type LocalStack,
  startLocalStack,
  uniqueName,
} from '@kinesis-ts/local';
import { useLocalStack } from '@kinesis-ts/local/vitest';
import { NodeHttp2Handler, NodeHttpHandler } from '@smithy/node-http-handler';
import { describe, it } from 'vitest';

/** docs/local.md, "1. In a program or a test: startLocalStack()". */
export async function inAProgramOrATest(): Promise<void> {
  const stack = await startLocalStack({ streams: [{ name: 'orders', shardCount: 2 }] });
  const kinesis = stack.kinesisClient(); // KinesisClient: endpoint, region, dummy credentials, HTTP/1.1
  const http2 = stack.kinesisClient({ transport: 'http2' }); // the SDK's default handler, as in production
  const dynamoDb = stack.dynamoDbClient(); // DynamoDBClient
  await stack.createStream('events', 1); // resolves once ACTIVE
  // …
  await kinesis.send(new ListStreamsCommand({}));
  await http2.send(new ListStreamsCommand({}));
  await dynamoDb.send(new ListTablesCommand({}));
  await stack.stop();
}

/**
 * docs/local.md, "2. In a vitest suite: the global setup", the test file (the vitest.config.ts is
 * local-vitest-config.ts). Called at the top of a *.integ.test.ts, it declares the test.
 */
export function inAVitestSuite(): void {
  // any *.integ.test.ts
  const local = useLocalStack();
  const kinesis = local.kinesisClient();

  it('reads back what it wrote', async () => {
    const streamName = uniqueName('orders');
    await local.createStream(streamName, 2);
    // …
    await kinesis.send(
      new PutRecordCommand({ StreamName: streamName, PartitionKey: 'a', Data: new Uint8Array([1]) }),
    );
  });
}

/** docs/local.md, "HTTP/1.1 and HTTP/2": the SDK's defaults, with the stack's values. */
export async function sdkDefaults(stack: LocalStack): Promise<void> {
  const kinesis = new KinesisClient({
    endpoint: stack.kinesisEndpoint,
    region: stack.region,
    credentials: stack.credentials, // a fresh object on every read: the SDK writes into it
  });
  await kinesis.send(new ListStreamsCommand({}));
}

/** docs/local.md, "HTTP/1.1 and HTTP/2": a suite that runs on both. */
export function onBothTransports(): void {
  const local = useLocalStack();

  describe.each(KINESIS_TRANSPORTS)('orders over %s', (transport) => {
    const kinesis = kinesisClientFor(local, { transport }); // 'http1' or 'http2'
    it('writes an order', async () => {
      const streamName = uniqueName('orders');
      await local.createStream(streamName, 1);
      await kinesis.send(
        new PutRecordCommand({ StreamName: streamName, PartitionKey: 'a', Data: new Uint8Array([1]) }),
      );
    });
  });
}

/** docs/local.md, "HTTP/1.1 and HTTP/2": one session for many calls, and sessions the server closes. */
export async function sessions(stack: LocalStack): Promise<void> {
  // the Kinesis client's own default opens one HTTP/2 session per call; this handler multiplexes
  const shared = stack.kinesisClient({ requestHandler: new NodeHttp2Handler() });
  await shared.send(new ListStreamsCommand({}));
  await stack.closeKinesisSessions(); // a GOAWAY on every session: calls in flight finish
  await stack.closeKinesisSessions({ mode: 'immediate' }); // sessions destroyed: calls in flight fail
  const { http2Sessions, upstreamInFlight, upstreamAborted } = await stack.kinesisFrontStats();
  console.log(http2Sessions, upstreamInFlight, upstreamAborted);
}

/** docs/local.md, "HTTP/1.1 and HTTP/2": LocalStack, whose Kinesis is the same emulator without the front. */
export function http1Client(
  endpoint: string,
  region: string,
  credentials: { accessKeyId: string; secretAccessKey: string },
): KinesisClient {
  const kinesis = new KinesisClient({ endpoint, region, credentials, requestHandler: new NodeHttpHandler() });
  return kinesis;
}

/** docs/local.md, "Fault injection": 30 % of PutRecords entries fail and are never written. */
export async function failedEntries(
  kinesis: KinesisClient,
  streamName: string,
  records: PutRecordsRequestEntry[],
): Promise<void> {
  const faults = injectKinesisFaults(kinesis, { seed: 42, putRecordsFailures: { rate: 0.3 } });
  const output = await kinesis.send(new PutRecordsCommand({ StreamName: streamName, Records: records }));
  // output.Records[i] is { ErrorCode: 'ProvisionedThroughputExceededException', ErrorMessage } for the
  // failed entries, and exactly the other entries are in the stream.
  console.log(output.FailedRecordCount); // about 30 of 100; the same entries for the same seed
  faults.stats(); // { calls: 1, failedEntries: output.FailedRecordCount, unsentCalls: 0, … }
}

/** docs/local.md, "Fault injection": the other rules. */
export function otherFaults(kinesis: KinesisClient, dynamoDb: DynamoDBClient): void {
  injectKinesisFaults(kinesis, {
    callErrors: [{ operations: ['PutRecords'], error: 'ThrottlingException', firstCalls: 2 }],
  });
  injectKinesisFaults(kinesis, { getRecordsThrottling: { firstCalls: 1 } });
  injectKinesisFaults(kinesis, {
    insideSdkRetries: true,
    callErrors: [{ operations: ['ListStreams'], error: 'ECONNRESET', firstCalls: 2 }],
  });
  injectDynamoDbFaults(dynamoDb, { conditionalCheckFailures: { firstCalls: 1 } });
  injectDynamoDbFaults(dynamoDb, {
    callErrors: [{ operations: ['UpdateItem'], error: 'ProvisionedThroughputExceededException' }],
  });
}

/** docs/local.md, "Service limits": a stack that refuses what Kinesis refuses. */
export async function serviceLimits(records: PutRecordsRequestEntry[]): Promise<void> {
  const stack = await startLocalStack({
    enforceLimits: true, // off by default
    limits: { subscriptionLifetimeMs: 10_000 }, // subscriptions end after 10 s instead of 5 minutes
    streams: [{ name: 'orders', shardCount: 1 }],
  });
  const kinesis = stack.kinesisClient();
  const output = await kinesis.send(new PutRecordsCommand({ StreamName: 'orders', Records: records }));
  // entries past the shard's 1,000 records or 1 MiB in the last second come back as
  // { ErrorCode: 'ProvisionedThroughputExceededException',
  //   ErrorMessage: 'Rate exceeded for shard shardId-000000000000 in stream orders under account 000000000000.' }
  console.log(output.FailedRecordCount);
  const { limits } = await stack.kinesisFrontStats();
  // { enforced: true, refusedEntries: 512, refusedCalls: { GetRecords: 3 }, subscriptionsEnded: 0 }
  console.log(limits.refusedEntries, limits.refusedCalls);
  await stack.stop();
}
