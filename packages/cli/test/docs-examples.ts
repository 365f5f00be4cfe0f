/**
 * The code snippets of docs/operations.md and packages/cli/README.md, kept here so that the type
 * checker sees every one of them (`pnpm typecheck`). Each function is one snippet; none is run by
 * the tests (the behaviour they show is tested in src/**).
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KinesisClient } from '@aws-sdk/client-kinesis';
import {
  capacityPlan,
  decideScaling,
  diagnoseLag,
  HotKeyCollector,
  hotKeyReport,
  initialAutoscalerState,
  lagFromConsumerMetrics,
  listShards,
  mergeShards,
  planSplit,
  StreamAutoscaler,
  scaleStream,
  splitShard,
  writeLoadFromProducerMetrics,
} from '@kinesis-ts/cli';
import { KinesisConsumer, LeaseAdmin, LeaseAdminError } from '@kinesis-ts/consumer';
import type { KinesisProducer } from '@kinesis-ts/producer';

declare function saveOrder(data: Uint8Array): Promise<void>;
declare function cloudWatchWriteLoad(): Promise<{ incomingBytes: number; incomingRecords: number }>;

/** List an application's leases with lag. */
export async function listLeases(): Promise<void> {
  const admin = new LeaseAdmin({
    applicationName: 'orders-app',
    dynamoDbClient: new DynamoDBClient({}),
    kinesisClient: new KinesisClient({}), // only for lag and for timestamp/sequence targets
    streamName: 'orders',
  });
  for (const lease of await admin.listLeases({ includeLag: true })) {
    console.log(lease.shardId, lease.state, lease.leaseOwner, lease.checkpoint.sequenceNumber, lease.lagMs);
  }
}

/** Rewind an application to a timestamp: dry run, then for real. */
export async function rewind(): Promise<void> {
  const admin = new LeaseAdmin({
    applicationName: 'orders-app',
    dynamoDbClient: new DynamoDBClient({}),
    kinesisClient: new KinesisClient({}),
    streamName: 'orders',
  });
  const target = { timestamp: new Date('2026-05-01T09:30:00Z') };
  const plan = await admin.resetCheckpoints({ target, dryRun: true });
  for (const change of plan.changes) console.log(change.leaseKey, change.from, '→', change.to);
  try {
    await admin.resetCheckpoints({ target });
  } catch (error) {
    if (LeaseAdminError.isInstance(error) && error.code === 'ADMIN_LEASES_HELD') {
      console.error('Stop the workers first:', error.issues);
    }
    throw error;
  }
}

/** One shard back to a record, inclusive. */
export async function rewindOneShard(admin: LeaseAdmin): Promise<void> {
  await admin.resetCheckpoints({
    target: { atSequenceNumber: '49631577401484660731866404223772970925544731690085361266' },
    shardIds: ['shardId-000000000003'],
  });
}

/** A replay through a separate application: its own lease table, the main one untouched. */
export async function replayApplication(): Promise<void> {
  const replay = new KinesisConsumer({
    streamName: 'orders',
    applicationName: 'orders-replay', // its own lease table, named orders-replay
    kinesisClient: new KinesisClient({}),
    dynamoDbClient: new DynamoDBClient({}),
    initialPosition: { timestamp: new Date('2026-05-01T09:30:00Z') },
    handler: async (records) => {
      for (const record of records) await saveOrder(record.data);
    },
  });
  await replay.start();
}

/** Split a hot shard at its midpoint; merge two cold neighbours; scale uniformly. */
export async function reshard(): Promise<void> {
  const kinesis = new KinesisClient({});
  const stream = { streamName: 'orders' };
  const plan = planSplit(await listShards(kinesis, stream), 'shardId-000000000001'); // pure: check first
  console.log(plan.newStartingHashKey);
  const split = await splitShard(kinesis, stream, 'shardId-000000000001');
  console.log(split.newShards.map((shard) => shard.shardId));
  await mergeShards(kinesis, stream, 'shardId-000000000004', 'shardId-000000000005');
  await scaleStream(kinesis, stream, 8, { maxShards: 16 });
}

/** The autoscaler: one decision per period, from CloudWatch's IncomingBytes/IncomingRecords. */
export async function autoscale(): Promise<void> {
  const autoscaler = new StreamAutoscaler({
    kinesisClient: new KinesisClient({}),
    stream: { streamName: 'orders' },
    minShards: 2,
    maxShards: 64,
    cooldownMs: 10 * 60_000,
  });
  const load = await cloudWatchWriteLoad(); // Sum over the last minute
  const decision = await autoscaler.evaluate({ periodSeconds: 60, ...load });
  console.log(decision.action, decision.targetShardCount, decision.reason);
}

/** The pure decision, for a scheduled Lambda that keeps its state in a table. */
export function decideOnly(): void {
  const decision = decideScaling(
    {
      nowMs: Date.now(),
      openShardCount: 4,
      sample: { periodSeconds: 60, incomingBytes: 230_000_000, incomingRecords: 150_000 },
    },
    initialAutoscalerState,
    { maxShards: 32 },
  );
  console.log(decision); // { action: 'scale-up', targetShardCount: 7, reason: 'utilization 91% above 80% …' }
}

/** Lag triage from the consumers' own metrics. */
export function triage(consumers: KinesisConsumer[]): void {
  const diagnosis = diagnoseLag(lagFromConsumerMetrics(consumers.map((consumer) => consumer.metrics())));
  console.log(diagnosis.verdict, diagnosis.summary, diagnosis.advice);
}

/** A hot-key report from a producer, and its write load for the autoscaler. */
export async function hotKeys(producer: KinesisProducer): Promise<void> {
  const collector = new HotKeyCollector(producer); // listens to 'hot-key' and 'hot-shard'
  const before = producer.metrics();
  await new Promise((resolve) => setTimeout(resolve, 60_000));
  const after = producer.metrics();
  const report = hotKeyReport(after, collector.hotKeys());
  console.log(report.hotShards, report.hotKeys);
  console.log(writeLoadFromProducerMetrics(before, after, 60_000));
  collector.stop();
}

/** The capacity calculator. */
export function capacity(): void {
  const plan = capacityPlan({
    recordsPerSecond: 100_000,
    recordBytes: 1000,
    headroom: 0.2,
    pollingApplications: 2,
  });
  console.log(plan.requiredShards, plan.read.exceeded); // 120 false
}
