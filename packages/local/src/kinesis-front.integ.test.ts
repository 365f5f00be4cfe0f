import {
  DescribeStreamConsumerCommand,
  type KinesisClient,
  ListStreamsCommand,
  PutRecordCommand,
  RegisterStreamConsumerCommand,
  SubscribeToShardCommand,
  type SubscribeToShardEventStream,
} from '@aws-sdk/client-kinesis';
import { ValidationError } from '@kinesis-ts/core';
import { NodeHttp2Handler } from '@smithy/node-http-handler';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../test/helpers';
import { KINESIS_TRANSPORTS } from './clients';
import { connectLocalStack, uniqueName } from './connection';
import { LOCAL_STACK_ERROR_CODES, LocalStackError } from './errors';
import { type LocalStack, startLocalStack } from './local-stack';
import { isPortAcceptingConnections } from './ports';

// These tests close every session of a stack: each uses a stack of its own, so that no other test
// file's clients are cut.

const encode = (value: string) => new TextEncoder().encode(value);
const decode = (data: Uint8Array | undefined) => new TextDecoder().decode(data);

async function activeConsumer(kinesis: KinesisClient, streamArn: string): Promise<string> {
  const { Consumer } = await kinesis.send(
    new RegisterStreamConsumerCommand({ StreamARN: streamArn, ConsumerName: uniqueName('c') }),
  );
  for (let status = Consumer!.ConsumerStatus; status !== 'ACTIVE'; ) {
    await new Promise((resolve) => setTimeout(resolve, 25));
    const described = await kinesis.send(
      new DescribeStreamConsumerCommand({ ConsumerARN: Consumer!.ConsumerARN }),
    );
    status = described.ConsumerDescription?.ConsumerStatus;
  }
  return Consumer!.ConsumerARN!;
}

/** A subscription at LATEST whose events are collected in the background. */
async function subscribe(kinesis: KinesisClient, consumerArn: string, abortSignal: AbortSignal) {
  const output = await kinesis.send(
    new SubscribeToShardCommand({
      ConsumerARN: consumerArn,
      ShardId: 'shardId-000000000000',
      StartingPosition: { Type: 'LATEST' },
    }),
    { abortSignal },
  );
  const state = { events: 0, records: [] as string[], outcome: undefined as string | undefined };
  const events: AsyncIterable<SubscribeToShardEventStream> = output.EventStream!;
  const done = (async () => {
    try {
      for await (const event of events) {
        state.events += 1;
        state.records.push(
          ...(event.SubscribeToShardEvent?.Records ?? []).map((record) => decode(record.Data)),
        );
      }
      state.outcome = 'ended';
    } catch (error) {
      state.outcome = `failed: ${(error as Error).message}`;
    }
  })();
  await waitFor(() => state.events > 0, 10_000, 'the first event');
  return { state, done };
}

describe.each(KINESIS_TRANSPORTS)('sessions the stack closes, over %s', (transport) => {
  let stack: LocalStack;
  let streamArn: string;
  const streamName = 'goaway';
  beforeAll(async () => {
    stack = await startLocalStack();
    streamArn = (await stack.createStream(streamName, 1)).StreamARN!;
  });
  afterAll(() => stack?.stop());

  it('a graceful close (GOAWAY) lets a subscription in flight go on, and the same client makes the next call', async () => {
    const kinesis = stack.kinesisClient({ transport });
    const consumerArn = await activeConsumer(kinesis, streamArn);
    const abort = new AbortController();
    try {
      const subscription = await subscribe(kinesis, consumerArn, abort.signal);
      const closed = await stack.closeKinesisSessions();
      expect(closed.http2Sessions + closed.http1Connections).toBeGreaterThan(0);

      const put = await kinesis.send(
        new PutRecordCommand({ StreamName: streamName, PartitionKey: 'k', Data: encode('after goaway') }),
      );
      expect(put.SequenceNumber).toBeDefined();
      // The open subscription was left to run: it delivers what was written after the close.
      await waitFor(() => subscription.state.records.includes('after goaway'), 10_000, 'the live record');
      expect(subscription.state.outcome).toBeUndefined();
    } finally {
      abort.abort();
    }
  });

  it('an immediate close fails a subscription in flight, and the same client makes the next call', async () => {
    const kinesis = stack.kinesisClient({ transport });
    const consumerArn = await activeConsumer(kinesis, streamArn);
    const abort = new AbortController();
    try {
      const subscription = await subscribe(kinesis, consumerArn, abort.signal);
      const before = await stack.kinesisFrontStats();
      await stack.closeKinesisSessions({ mode: 'immediate' });
      await Promise.race([subscription.done, new Promise((resolve) => setTimeout(resolve, 10_000))]);
      expect(subscription.state.outcome).toMatch(/^failed: /);
      await waitFor(
        async () => (await stack.kinesisFrontStats()).upstreamAborted > before.upstreamAborted,
        5_000,
        'the emulator request to be aborted',
      );

      const output = await kinesis.send(new ListStreamsCommand({}));
      expect(output.StreamNames).toContain(streamName);
    } finally {
      abort.abort();
    }
  });
});

describe('a client sharing one HTTP/2 session (NodeHttp2Handler with concurrent streams)', () => {
  let stack: LocalStack;
  beforeAll(async () => {
    stack = await startLocalStack({ streams: [{ name: 'shared', shardCount: 2 }] });
  });
  afterAll(() => stack?.stop());

  it('sends 50 concurrent calls as streams of one session, and moves to a new session after a GOAWAY', async () => {
    // The Kinesis client's own default opens one session per call (its runtime config sets
    // disableConcurrentStreams); a NodeHttp2Handler built without options multiplexes.
    const kinesis = stack.kinesisClient({ requestHandler: new NodeHttp2Handler() });
    await kinesis.send(new ListStreamsCommand({}));
    const outputs = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        kinesis.send(
          new PutRecordCommand({ StreamName: 'shared', PartitionKey: `k-${i}`, Data: encode(`${i}`) }),
        ),
      ),
    );
    expect(new Set(outputs.map((output) => output.SequenceNumber)).size).toBe(50);
    const stats = await stack.kinesisFrontStats();
    expect(stats.http2Sessions).toBe(1);
    expect(stats.http2Requests).toBe(51);

    expect(await stack.closeKinesisSessions()).toMatchObject({ http2Sessions: 1 });
    await waitFor(
      async () => (await stack.kinesisFrontStats()).http2Sessions === 0,
      5_000,
      'the session to close',
    );
    await kinesis.send(new ListStreamsCommand({}));
    expect(await stack.kinesisFrontStats()).toMatchObject({ http2Sessions: 1, http2Requests: 52 });
  });
});

describe('stop() with HTTP/2 sessions open', () => {
  it('ends an open subscription and every session, and frees every port', async () => {
    const stack = await startLocalStack();
    const kinesis = stack.kinesisClient({ transport: 'http2' });
    const shared = stack.kinesisClient({ requestHandler: new NodeHttp2Handler() });
    await shared.send(new ListStreamsCommand({}));
    const { StreamARN } = await stack.createStream('stopping', 1);
    const consumerArn = await activeConsumer(kinesis, StreamARN!);
    const subscription = await subscribe(kinesis, consumerArn, new AbortController().signal);
    expect((await stack.kinesisFrontStats()).http2Sessions).toBe(2);

    const stopping = performance.now();
    await stack.stop();
    console.info(
      `[measure] stop() with an open HTTP/2 subscription: ${(performance.now() - stopping).toFixed(0)} ms`,
    );
    await Promise.race([subscription.done, new Promise((resolve) => setTimeout(resolve, 10_000))]);
    expect(subscription.state.outcome).toBeDefined();
    for (const port of [stack.kinesisPort, stack.kinesisEmulatorPort, stack.dynamoDbPort]) {
      expect(await isPortAcceptingConnections(port)).toBe(false);
    }
  });
});

describe('closeKinesisSessions and kinesisFrontStats on something else', () => {
  it('reject with LOCAL_STACK_NO_FRONT on an endpoint without the front (the emulator itself)', async () => {
    const stack = await startLocalStack();
    try {
      const bare = connectLocalStack({
        kinesisEndpoint: `http://127.0.0.1:${stack.kinesisEmulatorPort}`,
        dynamoDbEndpoint: stack.dynamoDbEndpoint,
      });
      const error = await bare.closeKinesisSessions().catch((failure: unknown) => failure);
      expect(error).toBeInstanceOf(LocalStackError);
      expect(error).toMatchObject({ code: LOCAL_STACK_ERROR_CODES.noFront, component: 'kinesis' });
      await expect(bare.kinesisFrontStats()).rejects.toMatchObject({ code: LOCAL_STACK_ERROR_CODES.noFront });
      await expect(stack.closeKinesisSessions({ mode: 'abrupt' as never })).rejects.toBeInstanceOf(
        ValidationError,
      );
    } finally {
      await stack.stop();
    }
  });
});
