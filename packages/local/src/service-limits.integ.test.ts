import {
  DescribeStreamConsumerCommand,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type KinesisClient,
  LimitExceededException,
  ListStreamsCommand,
  ProvisionedThroughputExceededException,
  PutRecordCommand,
  PutRecordsCommand,
  type PutRecordsRequestEntry,
  RegisterStreamConsumerCommand,
  SubscribeToShardCommand,
} from '@aws-sdk/client-kinesis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KINESIS_TRANSPORTS } from './clients';
import { uniqueName } from './connection';
import { type LocalStack, startLocalStack } from './local-stack';
import { useLocalStack } from './vitest';

// A stack of its own with the service's limits on, and a lifetime of 3 s for subscriptions; the
// run's shared stack (limits off) for what must not change by default.

const LIFETIME_MS = 3_000;
const encode = (value: string) => new TextEncoder().encode(value);
const decode = (data: Uint8Array | undefined) => new TextDecoder().decode(data);

function entries(count: number, prefix: string): PutRecordsRequestEntry[] {
  return Array.from({ length: count }, (_, index) => ({
    PartitionKey: `key-${index % 50}`,
    Data: encode(`${prefix}-${index}`),
  }));
}

/** Every record of a one-shard stream, read from the start. */
async function readAll(kinesis: KinesisClient, streamName: string): Promise<string[]> {
  let iterator = (
    await kinesis.send(
      new GetShardIteratorCommand({
        StreamName: streamName,
        ShardId: 'shardId-000000000000',
        ShardIteratorType: 'TRIM_HORIZON',
      }),
    )
  ).ShardIterator;
  const read: string[] = [];
  for (let empty = 0; iterator && empty < 2; ) {
    const output = await kinesis.send(new GetRecordsCommand({ ShardIterator: iterator }));
    read.push(...(output.Records ?? []).map((record) => decode(record.Data)));
    empty = (output.Records ?? []).length === 0 ? empty + 1 : 0;
    iterator = output.NextShardIterator;
    await new Promise((resolve) => setTimeout(resolve, 250)); // 4 calls a second: under the limit
  }
  return read;
}

async function activeConsumer(kinesis: KinesisClient, streamArn: string): Promise<string> {
  const { Consumer } = await kinesis.send(
    new RegisterStreamConsumerCommand({ StreamARN: streamArn, ConsumerName: uniqueName('c') }),
  );
  for (let status = Consumer!.ConsumerStatus; status !== 'ACTIVE'; ) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    const described = await kinesis.send(
      new DescribeStreamConsumerCommand({ ConsumerARN: Consumer!.ConsumerARN }),
    );
    status = described.ConsumerDescription?.ConsumerStatus;
  }
  return Consumer!.ConsumerARN!;
}

describe('a stack with enforceLimits', () => {
  let stack: LocalStack;
  beforeAll(async () => {
    stack = await startLocalStack({ enforceLimits: true, limits: { subscriptionLifetimeMs: LIFETIME_MS } });
  });
  afterAll(() => stack?.stop());

  it('fails the PutRecords entries over 1,000 records/s to one shard, at their positions, and writes exactly the others', async () => {
    const streamName = uniqueName('writes');
    await stack.createStream(streamName, 1);
    const kinesis = stack.kinesisClient();
    // 1,500 entries to one shard at once: three requests of 500, sent together
    const requests = [0, 1, 2].map((call) => entries(500, `call${call}`));
    const outputs = await Promise.all(
      requests.map((Records) => kinesis.send(new PutRecordsCommand({ StreamName: streamName, Records }))),
    );

    const failed = outputs.flatMap((output) => (output.Records ?? []).filter((record) => record.ErrorCode));
    expect(failed.length).toBeGreaterThanOrEqual(500);
    for (const record of failed) {
      expect(record).toEqual({
        ErrorCode: 'ProvisionedThroughputExceededException',
        ErrorMessage: `Rate exceeded for shard shardId-000000000000 in stream ${streamName} under account 000000000000.`,
      });
    }
    const written: string[] = [];
    outputs.forEach((output, call) => {
      expect(output.Records).toHaveLength(500);
      expect(output.FailedRecordCount).toBe(
        (output.Records ?? []).filter((record) => record.ErrorCode).length,
      );
      // Same-sized entries: once the shard's second is full, every later entry of the call fails.
      const firstFailure = (output.Records ?? []).findIndex((record) => record.ErrorCode);
      if (firstFailure >= 0) {
        expect((output.Records ?? []).slice(firstFailure).every((record) => record.ErrorCode)).toBe(true);
      }
      (output.Records ?? []).forEach((record, index) => {
        if (!record.ErrorCode) {
          expect(record.ShardId).toBe('shardId-000000000000');
          written.push(decode(requests[call]![index]!.Data));
        }
      });
    });
    expect(written.length).toBe(1_500 - failed.length);
    expect(written.length).toBeLessThanOrEqual(1_000);
    expect((await readAll(kinesis, streamName)).sort()).toEqual(written.sort());
    expect((await stack.kinesisFrontStats()).limits.refusedEntries).toBeGreaterThanOrEqual(500);
  });

  it('fails a whole PutRecord over the shard limit with ProvisionedThroughputExceededException', async () => {
    const streamName = uniqueName('put-record');
    await stack.createStream(streamName, 1);
    const kinesis = stack.kinesisClient({ maxAttempts: 1 }); // the SDK would retry the throttled call
    // two records of 600 KB at once: one shard takes 1 MiB a second, so the second one is refused
    const put = () =>
      kinesis.send(
        new PutRecordCommand({ StreamName: streamName, PartitionKey: 'k', Data: new Uint8Array(600_000) }),
      );
    const outcomes = await Promise.allSettled([put(), put()]);
    const refused = outcomes.filter((outcome) => outcome.status === 'rejected');
    expect(refused).toHaveLength(1);
    const error = (refused[0] as PromiseRejectedResult).reason as Error;
    expect(error).toBeInstanceOf(ProvisionedThroughputExceededException);
    expect(error.message).toBe(
      `Rate exceeded for shard shardId-000000000000 in stream ${streamName} under account 000000000000.`,
    );
    expect((await stack.kinesisFrontStats()).limits.refusedCalls.PutRecord).toBeGreaterThanOrEqual(1);
  });

  it('refuses the sixth GetRecords on a shard within a second', async () => {
    const streamName = uniqueName('reads');
    await stack.createStream(streamName, 1);
    const kinesis = stack.kinesisClient({ maxAttempts: 1 }); // the SDK would retry the throttled call
    const { ShardIterator } = await kinesis.send(
      new GetShardIteratorCommand({
        StreamName: streamName,
        ShardId: 'shardId-000000000000',
        ShardIteratorType: 'TRIM_HORIZON',
      }),
    );
    const outcomes = await Promise.allSettled(
      Array.from({ length: 6 }, () => kinesis.send(new GetRecordsCommand({ ShardIterator }))),
    );
    const refused = outcomes.filter((outcome) => outcome.status === 'rejected');
    expect(refused).toHaveLength(1);
    const reason = (refused[0] as PromiseRejectedResult).reason as Error;
    expect(reason).toBeInstanceOf(ProvisionedThroughputExceededException);
    expect(reason.message).toBe(`Rate exceeded for Shard - 000000000000/${streamName}/shardId-000000000000`);
  });

  it('refuses the sixth ListStreams of the account within a second with LimitExceededException', async () => {
    const kinesis = stack.kinesisClient({ maxAttempts: 1 });
    const outcomes = await Promise.allSettled(
      Array.from({ length: 6 }, () => kinesis.send(new ListStreamsCommand({}))),
    );
    const refused = outcomes.filter((outcome) => outcome.status === 'rejected');
    expect(refused).toHaveLength(1);
    expect((refused[0] as PromiseRejectedResult).reason).toBeInstanceOf(LimitExceededException);
  });

  it("still lets the stack's helpers create and delete twelve streams at once (CreateStream: 5 a second)", async () => {
    const names = Array.from({ length: 12 }, () => uniqueName('many'));
    await Promise.all(names.map((name) => stack.createStream(name, 1)));
    await Promise.all(names.map((name) => stack.deleteStream(name)));
    const refused = (await stack.kinesisFrontStats()).limits.refusedCalls;
    expect((refused.CreateStream ?? 0) + (refused.DescribeStreamSummary ?? 0)).toBeGreaterThan(0);
  });

  describe.each(KINESIS_TRANSPORTS)('SubscribeToShard over %s', (transport) => {
    it('refuses a second subscription of a consumer to a shard within a second with LimitExceededException', async () => {
      const streamName = uniqueName('subscribe');
      const { StreamARN } = await stack.createStream(streamName, 1);
      const kinesis = stack.kinesisClient({ transport, maxAttempts: 1 });
      const consumerArn = await activeConsumer(kinesis, StreamARN!);
      const abort = new AbortController();
      const subscribe = () =>
        kinesis.send(
          new SubscribeToShardCommand({
            ConsumerARN: consumerArn,
            ShardId: 'shardId-000000000000',
            StartingPosition: { Type: 'LATEST' },
          }),
          { abortSignal: abort.signal },
        );
      try {
        // Two calls at once: whichever the front takes first subscribes, the other is refused.
        const outcomes = await Promise.allSettled([subscribe(), subscribe()]);
        const refused = outcomes.filter((outcome) => outcome.status === 'rejected');
        expect(refused).toHaveLength(1);
        const error = (refused[0] as PromiseRejectedResult).reason as Error;
        expect(error).toBeInstanceOf(LimitExceededException);
        expect(error.message).toContain(consumerArn);
        const subscribed = outcomes.find((outcome) => outcome.status === 'fulfilled');
        expect(subscribed?.value.EventStream).toBeDefined();
      } finally {
        abort.abort();
      }
    });

    it('ends a subscription after the configured lifetime, between two events, as the service does', async () => {
      const streamName = uniqueName('lifetime');
      const { StreamARN } = await stack.createStream(streamName, 1);
      const kinesis = stack.kinesisClient({ transport });
      const consumerArn = await activeConsumer(kinesis, StreamARN!);
      const before = (await stack.kinesisFrontStats()).limits.subscriptionsEnded;
      const started = performance.now();
      const output = await kinesis.send(
        new SubscribeToShardCommand({
          ConsumerARN: consumerArn,
          ShardId: 'shardId-000000000000',
          StartingPosition: { Type: 'TRIM_HORIZON' },
        }),
      );
      const put = kinesis.send(
        new PutRecordCommand({ StreamName: streamName, PartitionKey: 'k', Data: encode('live') }),
      );
      let events = 0;
      const records: string[] = [];
      // The iteration ends without an error: the stream simply ends.
      for await (const event of output.EventStream!) {
        events += 1;
        records.push(...(event.SubscribeToShardEvent?.Records ?? []).map((record) => decode(record.Data)));
      }
      const lastedMs = performance.now() - started;
      await put;
      expect(lastedMs).toBeGreaterThanOrEqual(LIFETIME_MS - 100);
      expect(lastedMs).toBeLessThan(LIFETIME_MS + 5_000);
      expect(events).toBeGreaterThan(0);
      expect(records).toEqual(['live']);
      expect((await stack.kinesisFrontStats()).limits.subscriptionsEnded).toBe(before + 1);

      // Renewed at once, as a consumer does: a new subscription, not a ResourceInUseException
      const abort = new AbortController();
      try {
        const renewed = await kinesis.send(
          new SubscribeToShardCommand({
            ConsumerARN: consumerArn,
            ShardId: 'shardId-000000000000',
            StartingPosition: { Type: 'LATEST' },
          }),
          { abortSignal: abort.signal },
        );
        for await (const event of renewed.EventStream!) {
          expect(event.SubscribeToShardEvent).toBeDefined();
          break;
        }
      } finally {
        abort.abort();
      }
    });
  });
});

describe('the shared stack (limits off, the default)', () => {
  const local = useLocalStack();

  it('refuses nothing: 1,500 entries to one shard at once, six GetRecords and six ListStreams at once', async () => {
    const streamName = uniqueName('unlimited');
    await local.createStream(streamName, 1);
    const kinesis = local.kinesisClient({ maxAttempts: 1 });
    const outputs = await Promise.all(
      [0, 1, 2].map((call) =>
        kinesis.send(new PutRecordsCommand({ StreamName: streamName, Records: entries(500, `c${call}`) })),
      ),
    );
    expect(outputs.map((output) => output.FailedRecordCount)).toEqual([0, 0, 0]);
    const { ShardIterator } = await kinesis.send(
      new GetShardIteratorCommand({
        StreamName: streamName,
        ShardId: 'shardId-000000000000',
        ShardIteratorType: 'TRIM_HORIZON',
      }),
    );
    await Promise.all(
      Array.from({ length: 6 }, () => kinesis.send(new GetRecordsCommand({ ShardIterator }))),
    );
    await Promise.all(Array.from({ length: 6 }, () => kinesis.send(new ListStreamsCommand({}))));
    const stats = await local.kinesisFrontStats();
    expect(stats.limits).toEqual({
      enforced: false,
      refusedEntries: 0,
      refusedCalls: {},
      subscriptionsEnded: 0,
    });
    await local.deleteStream(streamName);
  });
});
