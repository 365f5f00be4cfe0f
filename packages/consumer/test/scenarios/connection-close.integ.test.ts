/**
 * The service closes the clients' connections while the consumer reads: a GOAWAY on every HTTP/2
 * session (HTTP/1.1 connections closed once idle), or every session and connection destroyed at
 * once, calls and subscriptions in flight included. Polling and fan-out, over HTTP/1.1 and HTTP/2:
 * every record is delivered once and in order, and no shard is left hanging. A stack of its own,
 * since closing sessions acts on every client of a stack.
 */
import { KINESIS_TRANSPORTS, type LocalStack, startLocalStack, uniqueName } from '@kinesis-ts/local';
import { afterAll, afterEach, beforeAll, describe, it } from 'vitest';
import { KinesisConsumer, type RetrievalConfig } from '../../src/index.js';
import { waitFor } from '../local-stack.js';
import { putRound, spreadKeys } from '../reshard-ops.js';
import { ReshardRecorder } from '../resharding.js';

let stack: LocalStack;
beforeAll(async () => {
  stack = await startLocalStack();
}, 60_000);
afterAll(async () => {
  await stack?.stop();
});
const consumers: KinesisConsumer[] = [];
afterEach(async () => {
  await Promise.all(consumers.splice(0).map((consumer) => consumer.stop()));
});

const RETRIEVALS: { name: string; retrieval: RetrievalConfig }[] = [
  { name: 'polling', retrieval: { mode: 'polling' } },
  { name: 'fan-out', retrieval: { mode: 'fan-out', subscriptionIdleTimeoutMs: 10_000 } },
];

describe.each(KINESIS_TRANSPORTS)('over %s', (transport) => {
  it.each(RETRIEVALS)(
    '$name: delivers every record once and in order while the service closes its connections, gracefully and at once',
    async ({ retrieval }) => {
      const streamName = uniqueName('goaway');
      await stack.createStream(streamName, 2);
      // The SDK's default client, as production runs it: for fan-out its HTTP/2 handler subscribes.
      const kinesis = stack.kinesisClient({ transport });
      const keys = spreadKeys(4);
      const recorder = new ReshardRecorder();
      const consumer = new KinesisConsumer({
        streamName,
        applicationName: uniqueName('app'),
        kinesisClient: kinesis,
        dynamoDbClient: stack.dynamoDbClient(),
        initialPosition: 'TRIM_HORIZON',
        failoverTimeMs: 2_000,
        idleTimeBetweenReadsMs: 200,
        retrieval: retrieval.mode === 'fan-out' ? { ...retrieval, subscribeClient: kinesis } : retrieval,
        handler: async (records, { shardId }) => recorder.record(shardId, records),
      });
      consumers.push(consumer);
      await consumer.start();
      await waitFor(() => consumer.heldLeaseKeys().length === 2, 'both leases');
      const rounds = 24;
      for (let round = 0; round < rounds; round++) {
        await putRound(kinesis, streamName, keys, round);
        if (round % 6 === 3) await stack.closeKinesisSessions({ mode: 'graceful' });
        if (round === 12) await stack.closeKinesisSessions({ mode: 'immediate' });
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
      await waitFor(() => recorder.deliveries.length >= keys.length * rounds, 'every record', 30_000);
      await new Promise((resolve) => setTimeout(resolve, 500)); // nothing delivered twice after that
      recorder.expectEveryRecordOnceInOrder(keys, rounds);
    },
    60_000,
  );
});
