/**
 * The snippets of docs/testing.md, "Under the service's limits": the producer and the consumer
 * against a local stack that refuses what Kinesis refuses (`enforceLimits`). They live here, not in
 * @kinesis-ts/local, which must not depend on the producer and the consumer (they depend on it).
 */
import { DeleteTableCommand } from '@aws-sdk/client-dynamodb';
import { type ConsumerRecord, KinesisConsumer } from '@kinesis-ts/consumer';
import { type LocalStack, startLocalStack, uniqueName } from '@kinesis-ts/local';
import { KinesisProducer } from '@kinesis-ts/producer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/** Waits for `condition`; on timeout, the error says what `describe` reports (what was seen so far). */
async function waitFor(
  condition: () => boolean,
  timeoutMs: number,
  describe: () => string = () => '',
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms ${describe()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const encode = (text: string) => new TextEncoder().encode(text);
const decode = (record: ConsumerRecord) => new TextDecoder().decode(record.data);

describe('under the service limits', () => {
  let stack: LocalStack;
  beforeAll(async () => {
    stack = await startLocalStack({ enforceLimits: true }); // a stack of its own: 1 MiB/s per shard…
  });
  afterAll(() => stack?.stop());
  const events = new Map<string, number>();
  const count = (event: string) => events.set(event, (events.get(event) ?? 0) + 1);

  /** A polling application reading `streamName` from the start into `seen`, a read every `idleTimeBetweenReadsMs`. */
  function application(
    streamName: string,
    seen: string[],
    problems: string[],
    idleTimeBetweenReadsMs = 200,
  ): KinesisConsumer {
    const applicationName = uniqueName('app');
    const consumer = new KinesisConsumer({
      streamName,
      applicationName,
      kinesisClient: stack.kinesisClient(),
      dynamoDbClient: stack.dynamoDbClient(),
      initialPosition: 'TRIM_HORIZON',
      retrieval: { mode: 'polling', idleTimeBetweenReadsMs },
      handler: async (records) => {
        seen.push(...records.map(decode));
      },
    });
    consumer.on('processing:error', ({ error }) => problems.push(`processing: ${String(error)}`));
    consumer.on('shard:failed', ({ error }) => problems.push(`shard failed: ${String(error)}`));
    // what each application went through, for the message of a test that times out
    consumer.on('lease:taken', () => count(`${applicationName} lease:taken`));
    consumer.on('shard:started', () => count(`${applicationName} shard:started`));
    consumer.on('retrieval:error', ({ operation, error }) =>
      count(`${applicationName} ${operation} ${error instanceof Error ? error.name : String(error)}`),
    );
    afterAll(async () => {
      await consumer.stop();
      await stack
        .dynamoDbClient()
        .send(new DeleteTableCommand({ TableName: applicationName }))
        .catch(() => {});
    });
    return consumer;
  }

  it("a producer at 3 times one shard's capacity delivers everything, through throttling, with no loss", async () => {
    const streamName = uniqueName('hot');
    await stack.createStream(streamName, 1);
    const producer = new KinesisProducer({ streamName, client: stack.kinesisClient() });
    const payload = 'x'.repeat(1_000);
    // 3 MiB in one second: 3,000 records of 1 KB, in ten bursts 100 ms apart
    const puts: Promise<unknown>[] = [];
    for (let burst = 0; burst < 10; burst++) {
      for (let index = 0; index < 300; index++) {
        const id = burst * 300 + index;
        puts.push(producer.put({ partitionKey: `device-${id % 100}`, data: encode(`${id}:${payload}`) }));
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await Promise.all(puts); // every record acknowledged: none failed
    await producer.close();
    const { limits } = await stack.kinesisFrontStats();
    expect(limits.refusedEntries).toBeGreaterThan(0); // the shard did throttle the producer
    expect(producer.metrics().stream.RetriesPerRecord.sum).toBeGreaterThan(0);

    const seen: string[] = [];
    const problems: string[] = [];
    await application(streamName, seen, problems).start();
    await waitFor(
      () => seen.length >= 3_000,
      30_000,
      () => `with ${seen.length} records seen, problems: ${problems.join('; ')}`,
    );
    expect(new Set(seen.map((data) => data.split(':')[0])).size).toBe(3_000);
    expect(problems).toEqual([]);
  });

  it('two polling applications asking for more than a shard’s 5 reads a second share them, without an error reaching a handler', async () => {
    const streamName = uniqueName('shared');
    await stack.createStream(streamName, 1);
    const producer = new KinesisProducer({ streamName, client: stack.kinesisClient() });
    const sent = Array.from({ length: 200 }, (_, index) => `order-${index}`);
    const refusedBefore = (await stack.kinesisFrontStats()).limits.refusedCalls.GetRecords ?? 0;

    const first: string[] = [];
    const second: string[] = [];
    const problems: string[] = [];
    // A read every 300 ms each: 6.7 reads a second together, more than the shard's 5, so some are
    // refused; but each alone leaves room for the other's retries (two at 5 a second could starve one).
    await Promise.all([
      application(streamName, first, problems, 300).start(),
      application(streamName, second, problems, 300).start(),
    ]);
    for (let batch = 0; batch < 4; batch++) {
      await producer.putMany(
        sent.slice(batch * 50, (batch + 1) * 50).map((id) => ({ partitionKey: id, data: encode(id) })),
      );
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    await producer.close();
    await waitFor(
      () => first.length >= 200 && second.length >= 200,
      30_000,
      () =>
        `with ${first.length} and ${second.length} records seen, problems: ${problems.join('; ')}, ` +
        `events: ${[...events].map(([event, n]) => `${event} × ${n}`).join(', ')}`,
    );

    expect(first).toEqual(sent); // one shard: in order, each record once
    expect(second).toEqual(sent);
    expect(problems).toEqual([]);
    // the two applications did ask for more than the shard's 5 reads a second
    const refused = (await stack.kinesisFrontStats()).limits.refusedCalls.GetRecords ?? 0;
    expect(refused).toBeGreaterThan(refusedBefore);
  }, 60_000); // the wait for delivery above is bounded at 30 s: the test's own limit must be above it
});

describe('subscriptions that end every 3 seconds', () => {
  let stack: LocalStack;
  beforeAll(async () => {
    // the service ends a subscription after 5 minutes; here after 3 s, to see renewals in a test
    stack = await startLocalStack({ enforceLimits: true, limits: { subscriptionLifetimeMs: 3_000 } });
  });
  afterAll(() => stack?.stop());

  it('an enhanced fan-out application renews them and misses nothing', async () => {
    const streamName = uniqueName('renewed');
    await stack.createStream(streamName, 1);
    const seen: string[] = [];
    const problems: string[] = [];
    const applicationName = uniqueName('fan-out-app');
    const consumer = new KinesisConsumer({
      streamName,
      applicationName,
      kinesisClient: stack.kinesisClient(),
      dynamoDbClient: stack.dynamoDbClient(),
      initialPosition: 'TRIM_HORIZON',
      retrieval: { mode: 'fan-out', subscribeClient: stack.kinesisClient({ transport: 'http2' }) },
      handler: async (records) => {
        seen.push(...records.map(decode));
      },
    });
    consumer.on('processing:error', ({ error }) => problems.push(`processing: ${String(error)}`));
    consumer.on('shard:failed', ({ error }) => problems.push(`shard failed: ${String(error)}`));
    try {
      await consumer.start();
      const producer = new KinesisProducer({ streamName, client: stack.kinesisClient() });
      const sent = Array.from({ length: 100 }, (_, index) => `view-${index}`);
      for (let batch = 0; batch < 4; batch++) {
        await producer.putMany(
          sent.slice(batch * 25, (batch + 1) * 25).map((id) => ({ partitionKey: id, data: encode(id) })),
        );
        await new Promise((resolve) => setTimeout(resolve, 2_000));
      }
      await producer.close();
      await waitFor(() => seen.length >= 100, 30_000);
      expect(seen).toEqual(sent);
      // Each renewal waits until the emulator has let go of the ended subscription (up to 3 s), so a
      // cycle is 3 to 6 s: wait for the second end rather than count them after a fixed time.
      let ended = 0;
      for (const deadline = Date.now() + 20_000; Date.now() < deadline; ) {
        ended = (await stack.kinesisFrontStats()).limits.subscriptionsEnded;
        if (ended >= 2) break;
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
      expect(ended).toBeGreaterThanOrEqual(2);
      expect(problems).toEqual([]);
    } finally {
      await consumer.stop();
      await stack
        .dynamoDbClient()
        .send(new DeleteTableCommand({ TableName: applicationName }))
        .catch(() => {});
    }
  }, 60_000);
});
