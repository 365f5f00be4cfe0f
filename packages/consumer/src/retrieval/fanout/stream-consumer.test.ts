import {
  type ConsumerStatus,
  DeregisterStreamConsumerCommand,
  DescribeStreamConsumerCommand,
  DescribeStreamSummaryCommand,
  KinesisClient,
  RegisterStreamConsumerCommand,
} from '@aws-sdk/client-kinesis';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { awsError } from '../../../test/in-memory-lease-store.js';
import { deregisterStreamConsumer, ensureStreamConsumer } from './stream-consumer.js';

const kinesis = mockClient(KinesisClient);
const client = new KinesisClient({ region: 'us-east-1' });
const STREAM_ARN = 'arn:aws:kinesis:us-east-1:1:stream/orders';
const CONSUMER_ARN = `${STREAM_ARN}/consumer/orders-app:1`;
const description = (status: ConsumerStatus) => ({
  ConsumerDescription: {
    ConsumerName: 'orders-app',
    ConsumerARN: CONSUMER_ARN,
    ConsumerStatus: status,
    StreamARN: STREAM_ARN,
    ConsumerCreationTimestamp: new Date(0),
  },
});

const options = {
  kinesisClient: client,
  streamArn: STREAM_ARN,
  consumerName: 'orders-app',
  random: () => 0.5,
};

beforeEach(() => {
  kinesis.reset();
  vi.useFakeTimers();
});
afterEach(() => vi.useRealTimers());

describe('ensureStreamConsumer', () => {
  it('uses an ACTIVE consumer at once, without registering', async () => {
    kinesis.on(DescribeStreamConsumerCommand).resolves(description('ACTIVE'));
    await expect(ensureStreamConsumer(options)).resolves.toEqual({
      consumerName: 'orders-app',
      consumerArn: CONSUMER_ARN,
      streamArn: STREAM_ARN,
      status: 'ACTIVE',
    });
    expect(kinesis.commandCalls(RegisterStreamConsumerCommand)).toHaveLength(0);
  });

  it('registers a missing consumer, then waits with growing jittered pauses until it is ACTIVE', async () => {
    kinesis
      .on(DescribeStreamConsumerCommand)
      .rejectsOnce(awsError('ResourceNotFoundException'))
      .resolvesOnce(description('CREATING'))
      .resolvesOnce(description('CREATING'))
      .resolves(description('ACTIVE'));
    kinesis.on(RegisterStreamConsumerCommand).resolves({});
    const started = Date.now();
    const ready = ensureStreamConsumer(options);
    await vi.runAllTimersAsync();
    await expect(ready).resolves.toMatchObject({ status: 'ACTIVE' });
    expect(kinesis.commandCalls(RegisterStreamConsumerCommand)[0]!.args[0].input).toEqual({
      StreamARN: STREAM_ARN,
      ConsumerName: 'orders-app',
    });
    // Pauses of 3/4 of 500, 1 000 and 2 000 ms (equal jitter with random 0.5): never a tight loop.
    expect(Date.now() - started).toBe(375 + 750 + 1_500);
  });

  it('looks again when another worker registered it first, and retries LimitExceededException', async () => {
    kinesis
      .on(DescribeStreamConsumerCommand)
      .rejectsOnce(awsError('ResourceNotFoundException'))
      .rejectsOnce(awsError('ResourceNotFoundException'))
      .resolves(description('ACTIVE'));
    kinesis
      .on(RegisterStreamConsumerCommand)
      .rejectsOnce(awsError('LimitExceededException'))
      .rejects(awsError('ResourceInUseException'));
    const ready = ensureStreamConsumer(options);
    await vi.runAllTimersAsync();
    await expect(ready).resolves.toMatchObject({ status: 'ACTIVE' });
    expect(kinesis.commandCalls(RegisterStreamConsumerCommand)).toHaveLength(2);
  });

  it('fails with STREAM_CONSUMER_NOT_ACTIVE when the consumer stays CREATING past the timeout', async () => {
    kinesis.on(DescribeStreamConsumerCommand).resolves(description('CREATING'));
    const ready = ensureStreamConsumer({ ...options, timeoutMs: 3_000 });
    const outcome = ready.catch((error) => error);
    await vi.runAllTimersAsync();
    expect(await outcome).toMatchObject({ code: 'STREAM_CONSUMER_NOT_ACTIVE', retryable: true });
  });

  it('rejects access denied at once, with the AWS error', async () => {
    kinesis.on(DescribeStreamConsumerCommand).rejects(awsError('AccessDeniedException'));
    await expect(ensureStreamConsumer(options)).rejects.toMatchObject({ name: 'AccessDeniedException' });
  });

  it('finds the stream ARN from the stream name, and refuses an invalid consumer name', async () => {
    kinesis
      .on(DescribeStreamSummaryCommand)
      .resolves({ StreamDescriptionSummary: { StreamARN: STREAM_ARN } as never });
    kinesis.on(DescribeStreamConsumerCommand).resolves(description('ACTIVE'));
    await ensureStreamConsumer({ kinesisClient: client, streamName: 'orders', consumerName: 'orders-app' });
    expect(kinesis.commandCalls(DescribeStreamConsumerCommand)[0]!.args[0].input).toEqual({
      StreamARN: STREAM_ARN,
      ConsumerName: 'orders-app',
    });
    await expect(ensureStreamConsumer({ ...options, consumerName: 'bad name' })).rejects.toMatchObject({
      code: 'INVALID_OPTION',
    });
  });
});

describe('deregisterStreamConsumer', () => {
  it('deregisters by ARN, or by stream and name; false when there was nothing to deregister', async () => {
    kinesis
      .on(DeregisterStreamConsumerCommand)
      .resolvesOnce({})
      .rejects(awsError('ResourceNotFoundException'));
    await expect(
      deregisterStreamConsumer({ kinesisClient: client, consumerArn: CONSUMER_ARN }),
    ).resolves.toBe(true);
    await expect(
      deregisterStreamConsumer({ kinesisClient: client, streamArn: STREAM_ARN, consumerName: 'orders-app' }),
    ).resolves.toBe(false);
    expect(kinesis.commandCalls(DeregisterStreamConsumerCommand).map((call) => call.args[0].input)).toEqual([
      { ConsumerARN: CONSUMER_ARN },
      { StreamARN: STREAM_ARN, ConsumerName: 'orders-app' },
    ]);
  });
});
