/**
 * start() and stop() against AWS endpoints that accept connections and never answer, and stop()
 * against a DynamoDB that throttles the lease releases: both end, in state `stopped`, whatever the
 * network does.
 */
import { KINESIS_TRANSPORTS, uniqueName } from '@kinesis-ts/local';
import { describe, expect, it } from 'vitest';
import { ConsumerStartError } from '../../src/index.js';
import { outcomeWithin, useBlackHoles } from '../black-hole.js';
import { readLeases, useLocalStack, useTestConsumers, useTestStreams, waitFor } from '../local-stack.js';

const local = useLocalStack();
const createStream = useTestStreams(local);
const dynamoDb = local.dynamoDbClient();
const consumer = useTestConsumers(local.kinesisClient(), dynamoDb, {
  failoverTimeMs: 2_000,
  idleTimeBetweenReadsMs: 200,
});
const blackHole = useBlackHoles();

/** A generous guard: each of these ends in well under a second when it works, and never when it does not. */
const GUARD_MS = 10_000;

describe.each(KINESIS_TRANSPORTS)('over %s', (transport) => {
  const consumer = useTestConsumers(local.kinesisClient({ transport }), dynamoDb, {
    failoverTimeMs: 2_000,
    idleTimeBetweenReadsMs: 200,
  });
  describe('start() and stop() with a Kinesis endpoint that never answers', () => {
    it('start() rejects with a ConsumerStartError once its DescribeStreamSummary calls time out', async () => {
      const hole = await blackHole();
      const worker = consumer({
        streamName: uniqueName('hole'),
        applicationName: uniqueName('app'),
        kinesisClient: local.kinesisClient({ transport, endpoint: hole.endpoint }),
        kinesisRequestTimeoutMs: 200,
        random: () => 0, // no backoff between the start-up tries
      });
      const started = await outcomeWithin(worker.start(), GUARD_MS);
      expect(started.status).toBe('rejected');
      const error = (started as { error: unknown }).error;
      expect(error).toBeInstanceOf(ConsumerStartError);
      expect(error).toMatchObject({ code: 'START_FAILED', cause: { name: 'RequestTimeout' } });
      expect(worker.state).toBe('stopped');
      expect(hole.bytesReceived()).toBeGreaterThan(0);
    });

    it('stop() during a start that hangs on Kinesis aborts it, resolves and leaves the consumer stopped', async () => {
      const hole = await blackHole();
      const worker = consumer({
        streamName: uniqueName('hole'),
        applicationName: uniqueName('app'),
        kinesisClient: local.kinesisClient({ transport, endpoint: hole.endpoint }),
        kinesisRequestTimeoutMs: 60_000, // only the abort can end the call in time
      });
      const starting = worker.start();
      await waitFor(() => hole.bytesReceived() > 0, 'DescribeStreamSummary to be sent into the hole');
      const stopped = await outcomeWithin(worker.stop(), GUARD_MS);
      expect(stopped.status).toBe('resolved');
      expect(worker.state).toBe('stopped');
      const started = await outcomeWithin(starting, GUARD_MS);
      expect(started.status).toBe('rejected');
      expect((started as { error: unknown }).error).toBeInstanceOf(ConsumerStartError);
    });

    it("stop() while a periodic shard sync's ListShards hangs aborts it, releases the lease and resolves", async () => {
      const hole = await blackHole();
      const streamName = uniqueName('synchang');
      const applicationName = uniqueName('app');
      await createStream(streamName, 1);
      const kinesisClient = local.kinesisClient({ transport });
      let hang = false;
      // From `hang` on, ListShards goes into the hole; every other call reaches the emulator.
      kinesisClient.middlewareStack.add(
        (next, context) => async (args) => {
          if (hang && context.commandName === 'ListShardsCommand') {
            const request = args.request as { hostname: string; port?: number };
            request.hostname = '127.0.0.1';
            request.port = hole.port;
          }
          return next(args);
        },
        { step: 'finalizeRequest', priority: 'low', name: 'listShardsIntoTheHole' },
      );
      const worker = consumer({
        streamName,
        applicationName,
        kinesisClient,
        shardSyncIntervalMs: 1_000,
        kinesisRequestTimeoutMs: 60_000, // only the abort can end the listing in time
      });
      await worker.start();
      await waitFor(() => worker.heldLeaseKeys().length === 1, 'the lease');
      hang = true;
      await waitFor(() => hole.bytesReceived() > 0, 'a periodic ListShards to be sent into the hole');
      const stopped = await outcomeWithin(worker.stop(), GUARD_MS);
      expect(stopped.status).toBe('resolved');
      expect(worker.state).toBe('stopped');
      const lease = (await readLeases(dynamoDb, applicationName)).get('shardId-000000000000');
      expect(lease?.leaseOwner).toBeUndefined();
    });
  });
});

describe('lease releases on stop()', () => {
  it('retries a release that DynamoDB throttles, so the row ends up without an owner', async () => {
    const streamName = uniqueName('release');
    const applicationName = uniqueName('app');
    await createStream(streamName, 1);
    const throttledDynamoDb = local.dynamoDbClient();
    let throttled = 0;
    // The first two releases (UpdateItem … REMOVE leaseOwner) are throttled before they are sent.
    throttledDynamoDb.middlewareStack.add(
      (next, context) => async (args) => {
        const input = args.input as { UpdateExpression?: string };
        if (
          context.commandName === 'UpdateItemCommand' &&
          input.UpdateExpression?.includes('REMOVE #owner') &&
          throttled < 2
        ) {
          throttled++;
          throw Object.assign(new Error('The level of configured provisioned throughput was exceeded'), {
            name: 'ProvisionedThroughputExceededException',
            $metadata: { httpStatusCode: 400 },
          });
        }
        return next(args);
      },
      { step: 'initialize', name: 'throttleReleases' },
    );
    const worker = consumer({ streamName, applicationName, dynamoDbClient: throttledDynamoDb });
    const released: { leaseKey: string; written: boolean }[] = [];
    worker.on('lease:released', (event) => released.push(event));
    await worker.start();
    await waitFor(() => worker.heldLeaseKeys().length === 1, 'the lease');
    await worker.stop();
    expect(throttled).toBe(2);
    expect(released).toEqual([{ leaseKey: 'shardId-000000000000', written: true, streamName }]);
    const lease = (await readLeases(dynamoDb, applicationName)).get('shardId-000000000000');
    expect(lease?.leaseOwner).toBeUndefined();
  });

  it('releases 12 leases at once without Node warning of an EventTarget leak', async () => {
    const streamName = uniqueName('many');
    const applicationName = uniqueName('app');
    await createStream(streamName, 12);
    const warnings: string[] = [];
    const onWarning = (warning: Error) => warnings.push(`${warning.name}: ${warning.message}`);
    process.on('warning', onWarning);
    try {
      const worker = consumer({ streamName, applicationName });
      const released: string[] = [];
      worker.on('lease:released', ({ leaseKey }) => released.push(leaseKey));
      await worker.start();
      await waitFor(() => worker.heldLeaseKeys().length === 12, 'the 12 leases', 30_000);
      await worker.stop();
      await new Promise((resolve) => setImmediate(resolve)); // Node emits warnings on a later tick
      expect(released).toHaveLength(12); // one release each, all waiting on stop's cut-off signal
      expect(warnings.filter((warning) => warning.startsWith('MaxListenersExceededWarning'))).toEqual([]);
    } finally {
      process.off('warning', onWarning);
    }
  });
});
