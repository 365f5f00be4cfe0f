import { DeleteItemCommand } from '@aws-sdk/client-dynamodb';
import { KINESIS_TRANSPORTS, uniqueName } from '@kinesis-ts/local';
import { afterEach, describe, expect, it } from 'vitest';
import {
  KinesisConsumer,
  type KinesisConsumerOptions,
  type RetrievalConfig,
  type ShardRecordProcessor,
} from '../../src/index.js';
import { putRecords, readLeases, text, useLocalStack, useTestStreams, waitFor } from '../local-stack.js';
import { listShards, mergeShards, putRound, splitShard, spreadKeys } from '../reshard-ops.js';
import { ReshardRecorder } from '../resharding.js';

const local = useLocalStack();
const createStream = useTestStreams(local);
const kinesis = local.kinesisClient();
const dynamoDb = local.dynamoDbClient();
const consumers: KinesisConsumer[] = [];

afterEach(async () => {
  await Promise.all(consumers.splice(0).map((consumer) => consumer.stop()));
});

const KEYS = spreadKeys(16);
const ROUNDS_PER_PHASE = 4;

interface Mode {
  readonly name: string;
  readonly retrieval: RetrievalConfig;
  readonly delivery: 'handler' | 'processor';
}

const MODES: Mode[] = [
  { name: 'polling, processor path', retrieval: { mode: 'polling' }, delivery: 'processor' },
  {
    name: 'fan-out, handler path',
    // The emulator never sends the final event of a closed shard: the consumer notices the silence
    // (after 1 s here), sees the shard closed in ListShards and confirms the end with GetRecords.
    retrieval: { mode: 'fan-out', shardEndCheckAfterMs: 1_000, subscriptionIdleTimeoutMs: 10_000 },
    delivery: 'handler',
  },
];

describe.each(KINESIS_TRANSPORTS)('over %s', (transport) => {
  const kinesis = local.kinesisClient({ transport });
  describe.each(MODES)('resharding while consuming ($name)', (mode) => {
    const { retrieval, delivery } = mode;
    it('delivers every record once, per key in put order, parents before children, through a split and a merge, then cleans up the finished leases', async () => {
      const streamName = uniqueName('reshard');
      const applicationName = uniqueName('app');
      await createStream(streamName, 2);
      const recorder = new ReshardRecorder();
      const shardEndedCalls: string[] = [];
      const processor = (shardId: string): ShardRecordProcessor => ({
        processRecords: async ({ records, checkpointer }) => {
          recorder.record(shardId, records);
          await checkpointer.checkpoint();
        },
        shardEnded: async ({ checkpointer }) => {
          shardEndedCalls.push(shardId);
          await checkpointer.checkpoint();
        },
      });
      const worker = new KinesisConsumer({
        streamName,
        applicationName,
        kinesisClient: kinesis,
        dynamoDbClient: dynamoDb,
        initialPosition: 'TRIM_HORIZON',
        failoverTimeMs: 2_000,
        idleTimeBetweenReadsMs: 200,
        leaseCleanupIntervalMs: 0,
        retrieval,
        ...(delivery === 'handler'
          ? { handler: async (records, { shardId }) => recorder.record(shardId, records) }
          : { processor }),
      } satisfies KinesisConsumerOptions);
      consumers.push(worker);
      recorder.watch(worker);
      const deleted: string[] = [];
      worker.on('lease:deleted', ({ leaseKey }) => deleted.push(leaseKey));
      await worker.start();

      let round = 0;
      const putPhase = async () => {
        for (let i = 0; i < ROUNDS_PER_PHASE; i++) await putRound(kinesis, streamName, KEYS, round++);
      };
      const [first, second] = (await listShards(kinesis, streamName)).map((s) => s.ShardId!);
      await putPhase();
      await waitFor(() => recorder.deliveries.length >= KEYS.length * 2, 'some records before the split');

      // Split the first shard while records keep coming, then merge its upper child with the second.
      const [lower, upper] = await splitShard(kinesis, streamName, first!);
      await putPhase();
      const merged = await mergeShards(kinesis, streamName, upper!, second!);
      await putPhase();
      await waitFor(() => recorder.deliveries.length >= KEYS.length * round, 'every record', 30_000);

      recorder.expectEveryRecordOnceInOrder(KEYS, round);
      const waits = recorder.expectParentsFirst(
        new Map([
          [lower!, [first!]],
          [upper!, [first!]],
          [merged, [upper!, second!]],
        ]),
      );
      // Children start at once when their parents end on this worker (no 10 s poll as in the KCL).
      for (const [child, waitedMs] of waits) expect(waitedMs, `${child} waited`).toBeLessThan(1_000);
      if (process.env.KINESIS_TS_REPORT) {
        console.log(`[report] ${mode.name}: child waits after parents ended (ms)`, Object.fromEntries(waits));
      }
      if (delivery === 'processor') expect(shardEndedCalls.sort()).toEqual([first, second, upper].sort());

      // The finished leases go once their children have started, parents before children.
      await waitFor(async () => deleted.length === 3, 'the finished leases to be deleted', 15_000);
      expect([...deleted].sort()).toEqual([first, second, upper].sort());
      expect(deleted.indexOf(first!)).toBeLessThan(deleted.indexOf(upper!));
      const leases = await readLeases(dynamoDb, applicationName);
      expect([...leases.keys()].sort()).toEqual([lower, merged].sort());
      expect([...(leases.get(merged)?.parentShardIds ?? [])].sort()).toEqual([upper, second].sort());
    });
  });
});

describe('shard sync after the start', () => {
  it('recreates a lease that disappeared once the same hash-range hole shows in 3 scans, and reads its shard again', async () => {
    const streamName = uniqueName('holes');
    const applicationName = uniqueName('app');
    await createStream(streamName, 2);
    const ids = await putRecords(kinesis, streamName, 40);
    const seen: string[] = [];
    const worker = new KinesisConsumer({
      streamName,
      applicationName,
      kinesisClient: kinesis,
      dynamoDbClient: dynamoDb,
      initialPosition: 'TRIM_HORIZON',
      failoverTimeMs: 2_000,
      idleTimeBetweenReadsMs: 200,
      handler: async (records) => {
        for (const record of records) seen.push(text(record.data));
      },
    });
    consumers.push(worker);
    const lost: string[] = [];
    worker.on('lease:lost', ({ leaseKey }) => lost.push(leaseKey));
    await worker.start();
    await waitFor(() => seen.length === ids.length, 'every record');
    const [, second] = (await listShards(kinesis, streamName)).map((s) => s.ShardId!);
    const before = seen.length;

    // An operator deletes a lease row by hand: the worker loses the lease, and no lease covers the
    // shard's hash range any more. The next scans see the same hole, and a shard sync fills it.
    const deletedAt = Date.now();
    await dynamoDb.send(
      new DeleteItemCommand({ TableName: applicationName, Key: { leaseKey: { S: second! } } }),
    );
    await waitFor(() => lost.includes(second!), 'the loss of the deleted lease');
    await waitFor(
      async () => (await readLeases(dynamoDb, applicationName)).has(second!),
      'the lease to be created again',
      15_000,
    );
    const recreatedAfterMs = Date.now() - deletedAt;
    // The shard has no checkpoint any more: it is read again from the initial position.
    await waitFor(() => seen.length > before, 'the shard read again');
    expect(recreatedAfterMs).toBeGreaterThanOrEqual(1_500); // not at the first scan: 3 scans, 1 s apart
    expect(recreatedAfterMs).toBeLessThan(10_000); // long before the 60 s shard-sync interval
    expect(worker.heldLeaseKeys()).toContain(second);
  });
});
