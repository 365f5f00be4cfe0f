import { DeleteTableCommand } from '@aws-sdk/client-dynamodb';
import { deregisterStreamConsumer, LeaseAdmin } from '@kinesis-ts/consumer';
import { uniqueName } from '@kinesis-ts/local';
import { useLocalStack } from '@kinesis-ts/local/vitest';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from './config.js';
import { createPageViewConsumer } from './page-view-consumer.js';
import type { PageViewSink } from './page-view-counter.js';
import { PAGES, putSamplePageViews } from './sample-page-views.js';

const local = useLocalStack();
const kinesisClient = local.kinesisClient();
// SubscribeToShard through the SDK's default HTTP/2 client, as on AWS.
const subscribeClient = local.kinesisClient({ transport: 'http2' });
const dynamoDbClient = local.dynamoDbClient();
const cleanup: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const step of cleanup) await step().catch(() => {});
});

async function waitFor(condition: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** A sink that adds up what it is given. */
function countingSink(): PageViewSink & { totals: Map<string, number>; total(): number } {
  const totals = new Map<string, number>();
  return {
    totals,
    total: () => [...totals.values()].reduce((sum, count) => sum + count, 0),
    async write(_shardId, counts) {
      for (const [page, count] of counts) totals.set(page, (totals.get(page) ?? 0) + count);
    },
  };
}

describe('the page view counter on enhanced fan-out', () => {
  it('counts every view once, checkpoints after its flushes, and a restart resumes after the checkpoints', async () => {
    const config = loadConfig({
      STREAM_NAME: uniqueName('page-views'),
      APPLICATION_NAME: uniqueName('page-view-counter'),
      FLUSH_EVERY_RECORDS: '25',
    });
    await local.createStream(config.streamName, 2);
    cleanup.push(
      () =>
        deregisterStreamConsumer({
          kinesisClient,
          streamName: config.streamName,
          consumerName: config.consumerName,
        }),
      () => local.deleteStream(config.streamName),
      () => dynamoDbClient.send(new DeleteTableCommand({ TableName: config.applicationName })),
    );
    await putSamplePageViews(kinesisClient, config.streamName, 100);

    const sink = countingSink();
    const start = async () => {
      const consumer = createPageViewConsumer({
        config,
        kinesisClient,
        subscribeClient,
        dynamoDbClient,
        sink,
      });
      await consumer.start();
      return consumer;
    };

    const first = await start();
    const checkpoints: string[] = [];
    first.on('checkpoint', ({ shardId }) => checkpoints.push(shardId));
    await waitFor(() => sink.total() >= 75); // 50 per shard: two flushes of 25 on each, or close
    await first.stop(); // shutdownRequested flushes the rest and checkpoints it
    expect(sink.total()).toBe(100);
    for (const page of PAGES) expect(sink.totals.get(page)).toBe(20);
    expect(checkpoints.length).toBeGreaterThan(0);

    const admin = new LeaseAdmin({ applicationName: config.applicationName, dynamoDbClient });
    for (const lease of await admin.listLeases()) {
      expect(lease.checkpoint.sequenceNumber).toMatch(/^\d+$/); // a position, not TRIM_HORIZON
      expect(lease.leaseOwner).toBeUndefined();
    }

    await putSamplePageViews(kinesisClient, config.streamName, 10);
    const second = await start();
    await waitFor(() => sink.total() >= 110);
    await second.stop();
    expect(sink.total()).toBe(110); // nothing counted twice: the new worker started after the checkpoints
    // The restart waits out the emulator's hold on the stopped worker's subscriptions (about 3 s, then
    // ResourceInUseException and a 5 s wait).
  }, 45_000);
});
