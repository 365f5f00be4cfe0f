import {
  DescribeStreamConsumerCommand,
  DescribeStreamSummaryCommand,
  ListStreamConsumersCommand,
} from '@aws-sdk/client-kinesis';
import { KINESIS_TRANSPORTS, uniqueName } from '@kinesis-ts/local';
import { describe, expect, it } from 'vitest';
import {
  type ConsumerEvents,
  deregisterStreamConsumer,
  type KinesisConsumer,
  type ShardRecordProcessor,
} from '../../src/index.js';
import {
  putAggregated,
  putRecords,
  text,
  useLocalStack,
  useTestConsumers,
  useTestStreams,
  waitFor,
} from '../local-stack.js';
import { putRound, spreadKeys } from '../reshard-ops.js';
import { ReshardRecorder } from '../resharding.js';
import { faultySubscribeClient } from '../subscribe-faults.js';

const local = useLocalStack();
const createStream = useTestStreams(local);
const kinesis = local.kinesisClient();
const dynamoDb = local.dynamoDbClient();
async function streamArn(streamName: string): Promise<string> {
  const summary = await kinesis.send(new DescribeStreamSummaryCommand({ StreamName: streamName }));
  return summary.StreamDescriptionSummary!.StreamARN!;
}

function collect<E extends keyof ConsumerEvents>(worker: KinesisConsumer, event: E): ConsumerEvents[E][] {
  const seen: ConsumerEvents[E][] = [];
  worker.on(event, (payload) => seen.push(payload));
  return seen;
}

describe.each(KINESIS_TRANSPORTS)('over %s', (transport) => {
  const kinesis = local.kinesisClient({ transport });
  const consumer = useTestConsumers(kinesis, dynamoDb, {
    failoverTimeMs: 2_000,
    retrieval: { mode: 'fan-out', subscriptionIdleTimeoutMs: 10_000 },
  });
  describe('enhanced fan-out on the local stack', () => {
    it('registers one stream consumer for all workers and reads every shard through SubscribeToShard only', async () => {
      const streamName = uniqueName('efo');
      const applicationName = uniqueName('app');
      await createStream(streamName, 2);
      const ids = await putRecords(kinesis, streamName, 200);
      const seen: string[] = [];
      const options = {
        streamName,
        applicationName,
        handler: async (records: readonly { data: Uint8Array }[]) => {
          for (const record of records) seen.push(text(record.data));
        },
      };
      const workers = [consumer(options), consumer(options)];
      const subscriptions = workers.map((worker) => collect(worker, 'subscription:started'));
      await Promise.all(workers.map((worker) => worker.start()));
      await waitFor(() => seen.length >= ids.length, 'every record', 20_000);

      expect([...seen].sort()).toEqual([...ids].sort());
      const listed = await kinesis.send(
        new ListStreamConsumersCommand({ StreamARN: await streamArn(streamName) }),
      );
      expect(listed.Consumers?.map((c) => [c.ConsumerName, c.ConsumerStatus])).toEqual([
        [applicationName, 'ACTIVE'],
      ]);
      expect(new Set(subscriptions.flat().map((s) => s.shardId)).size).toBe(2);
      const shards = workers.flatMap((worker) => Object.values(worker.metrics().shards));
      expect(shards.reduce((sum, shard) => sum + shard.GetRecordsCalls, 0)).toBe(0);
    });

    it('renews a subscription that ends, fails or goes silent AFTER the last acknowledged continuation: no gap, no duplicate', async () => {
      const streamName = uniqueName('efo-renew');
      const applicationName = uniqueName('app');
      await createStream(streamName, 1);
      const keys = spreadKeys(4);
      const faults = faultySubscribeClient(kinesis, (index) =>
        index === 0
          ? { afterEvents: 2, action: 'end' }
          : index === 1
            ? { afterEvents: 1, action: 'fail' }
            : index === 2
              ? { afterEvents: 1, action: 'hang' }
              : undefined,
      );
      const recorder = new ReshardRecorder();
      const worker = consumer({
        streamName,
        applicationName,
        retrieval: { mode: 'fan-out', subscribeClient: faults.client, subscriptionIdleTimeoutMs: 4_000 },
        handler: async (records, { shardId }) => recorder.record(shardId, records),
      });
      const ended = collect(worker, 'subscription:ended');
      await worker.start();
      let round = 0;
      const producing = (async () => {
        while (faults.calls.filter((call) => call.error === undefined).length < 4 || round < 12) {
          await putRound(kinesis, streamName, keys, round++);
          await new Promise((resolve) => setTimeout(resolve, 250));
        }
      })();
      await producing;
      await waitFor(() => recorder.deliveries.length >= keys.length * round, 'every record', 20_000);

      recorder.expectEveryRecordOnceInOrder(keys, round);
      // (The emulator may also refuse a renewal with ResourceInUseException while it still holds the
      // previous subscription; the consumer then waits 5 s and tries again.)
      expect(
        ended
          .map((e) => e.reason)
          .filter((reason) => reason !== 'resource-in-use')
          .slice(0, 3),
      ).toEqual(['completed', 'error', 'idle-timeout']);
      expect(faults.calls[0]!.startingPosition).toEqual({ Type: 'TRIM_HORIZON', SequenceNumber: undefined });
      for (let i = 1; i < faults.calls.length; i++) {
        // Each renewal starts right after the last event delivered before it (and processed by the
        // handler): nothing skipped, nothing read twice.
        const delivered = faults.calls.slice(0, i).flatMap((call) => call.continuations);
        expect(faults.calls[i]!.startingPosition).toEqual({
          Type: 'AFTER_SEQUENCE_NUMBER',
          SequenceNumber: delivered.at(-1),
        });
      }
    }, 45_000);

    it('resumes from a checkpoint inside a KPL aggregate with AT_SEQUENCE_NUMBER and delivers only what follows it', async () => {
      const streamName = uniqueName('efo-resume');
      const applicationName = uniqueName('app');
      await createStream(streamName, 1);
      const ids = await putAggregated(kinesis, streamName, 3, 10);
      const first: string[] = [];
      const processor = (): ShardRecordProcessor => ({
        processRecords: async ({ records, checkpointer }) => {
          for (const record of records) {
            first.push(text(record.data));
            if (first.length === 15) await checkpointer.checkpoint(record); // inside the second aggregate
          }
        },
      });
      const before = consumer({ streamName, applicationName, processor });
      await before.start();
      await waitFor(() => first.length === 30, 'the first read');
      await before.stop();
      // The emulator holds an aborted subscription for about 2 s (a new one would get
      // ResourceInUseException and wait 5 s): let it go first.
      await new Promise((resolve) => setTimeout(resolve, 2_500));

      const second: string[] = [];
      const faults = faultySubscribeClient(kinesis, () => undefined);
      const after = consumer({
        streamName,
        applicationName,
        retrieval: { mode: 'fan-out', subscribeClient: faults.client },
        handler: async (records) => {
          for (const record of records) second.push(text(record.data));
        },
      });
      await after.start();
      await waitFor(() => second.length === 15, 'the records after the checkpoint');
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      expect(second).toEqual(ids.slice(15));
      expect(faults.calls[0]!.startingPosition.Type).toBe('AT_SEQUENCE_NUMBER');
    });

    it("ends the first worker's subscription cleanly when a second worker takes the shard, and loses nothing", async () => {
      const streamName = uniqueName('efo-steal');
      const applicationName = uniqueName('app');
      await createStream(streamName, 2);
      const keys = spreadKeys(8);
      const recorderA = new ReshardRecorder();
      const recorderB = new ReshardRecorder();
      const faultsA = faultySubscribeClient(kinesis, () => undefined);
      const a = consumer({
        streamName,
        applicationName,
        retrieval: { mode: 'fan-out', subscribeClient: faultsA.client },
        gracefulLeaseHandoff: false, // a steal (the KCL 2.x move): A learns of it as a loss
        handler: async (records, { shardId }) => recorderA.record(shardId, records),
      });
      const lostByA = collect(a, 'lease:lost');
      const endedOnA = collect(a, 'subscription:ended');
      const stoppedOnA = collect(a, 'shard:stopped');
      await a.start();
      await waitFor(() => a.heldLeaseKeys().length === 2, 'worker A holding both shards');
      let round = 0;
      let producing = true;
      const production = (async () => {
        while (producing) {
          await putRound(kinesis, streamName, keys, round++);
          await new Promise((resolve) => setTimeout(resolve, 200));
        }
      })();
      await waitFor(() => recorderA.deliveries.length >= keys.length * 3, 'A reading');

      const b = consumer({
        streamName,
        applicationName,
        gracefulLeaseHandoff: false,
        handler: async (records, { shardId }) => recorderB.record(shardId, records),
      });
      const failed = [...collect(a, 'shard:failed'), ...collect(b, 'shard:failed')];
      await b.start();
      await waitFor(
        () => b.heldLeaseKeys().length === 1 && a.heldLeaseKeys().length === 1,
        'the steal',
        10_000,
      );
      const stolen = b.heldLeaseKeys()[0]!;
      await waitFor(() => recorderB.deliveries.length >= 8, 'B reading the stolen shard', 20_000);
      producing = false;
      await production;
      await waitFor(
        () =>
          new Set([...recorderA.deliveries, ...recorderB.deliveries].map((d) => `${d.key}:${d.round}`))
            .size ===
          keys.length * round,
        'every record',
        20_000,
      );

      // A stopped the stolen shard because of the loss, closed its subscription, and never subscribed
      // to it again; nothing failed.
      expect(lostByA.map((l) => l.leaseKey)).toEqual([stolen]);
      expect(stoppedOnA).toEqual([{ shardId: stolen, reason: 'lease-lost', streamName }]);
      expect(endedOnA.filter((e) => e.shardId === stolen).at(-1)?.reason).toBe('closed');
      const lossIndex = faultsA.calls.filter((c) => c.shardId === stolen).length;
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      expect(faultsA.calls.filter((c) => c.shardId === stolen)).toHaveLength(lossIndex);
      expect(failed).toEqual([]);
      // Per key in put order on each worker; B started where A's last checkpoint was.
      for (const { key } of keys) {
        for (const recorder of [recorderA, recorderB]) {
          const rounds = recorder.deliveries.filter((d) => d.key === key).map((d) => d.round);
          expect(rounds).toEqual([...rounds].sort((x, y) => x - y));
        }
      }
    });

    it('keeps two fan-out applications apart: one stalled does not slow the other, and misses nothing (SC-28)', async () => {
      const streamName = uniqueName('efo-isolation');
      await createStream(streamName, 1);
      const keys = spreadKeys(2);
      let release!: () => void;
      const stalled = new Promise<void>((resolve) => {
        release = resolve;
      });
      const slow = new ReshardRecorder();
      const fast = new ReshardRecorder();
      let slowBatches = 0;
      const putAt = new Map<number, number>();
      const a = consumer({
        streamName,
        applicationName: uniqueName('slow-app'),
        handler: async (records, { shardId }) => {
          slowBatches++;
          slow.record(shardId, records);
          await stalled; // the whole application is stuck on its first batch
        },
      });
      const b = consumer({
        streamName,
        applicationName: uniqueName('fast-app'),
        handler: async (records, { shardId }) => fast.record(shardId, records),
      });
      await Promise.all([a.start(), b.start()]);
      const rounds = 6;
      try {
        for (let round = 0; round < rounds; round++) {
          putAt.set(round, performance.now());
          await putRound(kinesis, streamName, keys, round);
          await new Promise((resolve) => setTimeout(resolve, 400));
        }
        await waitFor(() => fast.deliveries.length === keys.length * rounds, 'the fast application', 10_000);
        expect(slowBatches).toBe(1); // still on its first batch
        for (const delivery of fast.deliveries) {
          expect(delivery.at - putAt.get(delivery.round)!, `round ${delivery.round}`).toBeLessThan(3_000);
        }
      } finally {
        release();
      }
      await waitFor(
        () => slow.deliveries.length === keys.length * rounds,
        'the slow application to catch up',
        10_000,
      );
      slow.expectEveryRecordOnceInOrder(keys, rounds);
      fast.expectEveryRecordOnceInOrder(keys, rounds);
    });

    it('leaves the stream consumer registered on stop; deregisterStreamConsumer removes it', async () => {
      const streamName = uniqueName('efo-dereg');
      const applicationName = uniqueName('app');
      await createStream(streamName, 1);
      const worker = consumer({ streamName, applicationName });
      await worker.start();
      await worker.stop();
      const arn = await streamArn(streamName);
      const described = await kinesis.send(
        new DescribeStreamConsumerCommand({ StreamARN: arn, ConsumerName: applicationName }),
      );
      expect(described.ConsumerDescription?.ConsumerStatus).toBe('ACTIVE');

      expect(
        await deregisterStreamConsumer({ kinesisClient: kinesis, streamName, consumerName: applicationName }),
      ).toBe(true);
      await waitFor(async () => {
        const listed = await kinesis.send(new ListStreamConsumersCommand({ StreamARN: arn }));
        return (listed.Consumers ?? []).length === 0;
      }, 'the consumer to be gone');
      expect(
        await deregisterStreamConsumer({
          kinesisClient: kinesis,
          consumerArn: described.ConsumerDescription!.ConsumerARN!,
        }),
      ).toBe(false);
    });
  });
});
