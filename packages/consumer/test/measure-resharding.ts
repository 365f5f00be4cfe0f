/**
 * Measures how long child shards wait after their parents end, on the local emulator, with the
 * consumer's default timings (failover 10 s, parent poll 1 s, GetRecords every 1 s, fan-out
 * shard-end check after 10 s), for the figures in docs/consumer.md:
 *
 * - one worker, polling and fan-out: a split, then a merge; each child's `shard:started` minus its
 *   last parent's `shard:ended` (both parents and children on the same worker);
 * - two workers, the merge's parents on different workers: the child waits for the parent the other
 *   worker finishes (seen by polling its lease every `parentShardPollIntervalMs`);
 * - how long after the split the parent is read to its end (polling: the next GetRecords; fan-out on
 *   the emulator: the silent-shard check).
 *
 * Run: `npx tsx --conditions kinesis-ts-source test/measure-resharding.ts [trials]` in packages/consumer.
 * Prints one table; starts and stops its own local stack.
 */
import { startLocalStack, uniqueName } from '@kinesis-ts/local';
import { KinesisConsumer, type KinesisConsumerOptions, type RetrievalConfig } from '../src/index.js';
import {
  listShards,
  mergeShards,
  putRound,
  splitShard,
  spreadKeys,
  waitUntil as waitFor,
} from './reshard-ops.js';

const trials = Number(process.argv[2] ?? 5);
const stack = await startLocalStack({ shardLimit: 200 });
const kinesis = stack.kinesisClient();
const dynamoDb = stack.dynamoDbClient();
const keys = spreadKeys(8);

interface Timeline {
  readonly started: Map<string, number>;
  readonly ended: Map<string, number>;
}

function watch(consumer: KinesisConsumer, timeline: Timeline): void {
  consumer.on('shard:started', ({ shardId }) => {
    if (!timeline.started.has(shardId)) timeline.started.set(shardId, performance.now());
  });
  consumer.on('shard:ended', ({ shardId }) => {
    if (!timeline.ended.has(shardId)) timeline.ended.set(shardId, performance.now());
  });
}

function newConsumer(
  streamName: string,
  applicationName: string,
  retrieval: RetrievalConfig,
  extra: Partial<KinesisConsumerOptions> = {},
): KinesisConsumer {
  return new KinesisConsumer({
    streamName,
    applicationName,
    kinesisClient: kinesis,
    dynamoDbClient: dynamoDb,
    initialPosition: 'TRIM_HORIZON',
    retrieval,
    handler: async () => {},
    ...extra,
  } as KinesisConsumerOptions);
}

const waitAfterParents = (timeline: Timeline, child: string, parents: string[]) =>
  timeline.started.get(child)! - Math.max(...parents.map((p) => timeline.ended.get(p)!));

/** One worker: split shard 0, then merge its upper child with shard 1. */
async function oneWorker(retrieval: RetrievalConfig): Promise<{ waits: number[]; parentEnd: number }> {
  const streamName = uniqueName('measure');
  await stack.createStream(streamName, 2);
  const timeline: Timeline = { started: new Map(), ended: new Map() };
  const consumer = newConsumer(streamName, uniqueName('app'), retrieval);
  watch(consumer, timeline);
  try {
    await consumer.start();
    const [first, second] = (await listShards(kinesis, streamName)).map((s) => s.ShardId!);
    await putRound(kinesis, streamName, keys, 0);
    await waitFor(() => timeline.started.size === 2, 'both shards started', 60_000);
    const [lower, upper] = await splitShard(kinesis, streamName, first!);
    const splitAt = performance.now();
    await putRound(kinesis, streamName, keys, 1);
    await waitFor(() => timeline.started.has(lower!) && timeline.started.has(upper!), 'the children', 60_000);
    const merged = await mergeShards(kinesis, streamName, upper!, second!);
    await putRound(kinesis, streamName, keys, 2);
    await waitFor(() => timeline.started.has(merged), 'the merged child', 60_000);
    return {
      waits: [
        waitAfterParents(timeline, lower!, [first!]),
        waitAfterParents(timeline, upper!, [first!]),
        waitAfterParents(timeline, merged, [upper!, second!]),
      ],
      parentEnd: timeline.ended.get(first!)! - splitAt,
    };
  } finally {
    await consumer.stop();
    await stack.deleteStream(streamName);
  }
}

/** Two workers, one parent each: the merged child waits for the parent the other worker finishes. */
async function twoWorkers(retrieval: RetrievalConfig): Promise<number> {
  const streamName = uniqueName('measure2');
  const applicationName = uniqueName('app');
  await stack.createStream(streamName, 2);
  const timeline: Timeline = { started: new Map(), ended: new Map() };
  const a = newConsumer(streamName, applicationName, retrieval);
  const b = newConsumer(streamName, applicationName, retrieval);
  watch(a, timeline);
  watch(b, timeline);
  try {
    await a.start();
    await b.start();
    await waitFor(
      () => a.heldLeaseKeys().length === 1 && b.heldLeaseKeys().length === 1,
      'one shard each',
      60_000,
    );
    const [first, second] = (await listShards(kinesis, streamName)).map((s) => s.ShardId!);
    await waitFor(() => timeline.started.size === 2, 'both shards started', 60_000);
    const merged = await mergeShards(kinesis, streamName, first!, second!);
    await putRound(kinesis, streamName, keys, 0);
    await waitFor(() => timeline.started.has(merged), 'the merged child', 60_000);
    return waitAfterParents(timeline, merged, [first!, second!]);
  } finally {
    await Promise.all([a.stop(), b.stop()]);
    await stack.deleteStream(streamName);
  }
}

function summary(values: number[]): string {
  const sorted = [...values].sort((x, y) => x - y);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  return `${at(0).toFixed(0)} / ${at(0.5).toFixed(0)} / ${sorted.at(-1)!.toFixed(0)} ms (n=${sorted.length})`;
}

try {
  const polling: RetrievalConfig = { mode: 'polling' };
  const fanOut: RetrievalConfig = { mode: 'fan-out' };
  const rows: [string, string][] = [];
  for (const [name, retrieval] of [
    ['polling', polling],
    ['fan-out', fanOut],
  ] as const) {
    const waits: number[] = [];
    const parentEnds: number[] = [];
    for (let i = 0; i < trials; i++) {
      const result = await oneWorker(retrieval);
      waits.push(...result.waits);
      parentEnds.push(result.parentEnd);
    }
    rows.push([`${name}, one worker: child start after its last parent's SHARD_END`, summary(waits)]);
    rows.push([`${name}, one worker: split parent read to its end, after the split`, summary(parentEnds)]);
    const remote: number[] = [];
    for (let i = 0; i < trials; i++) remote.push(await twoWorkers(retrieval));
    rows.push([
      `${name}, two workers: merged child start after the other worker's parent SHARD_END`,
      summary(remote),
    ]);
  }
  process.stdout.write('| measurement | min / median / max |\n| --- | --- |\n');
  for (const [name, value] of rows) process.stdout.write(`| ${name} | ${value} |\n`);
} finally {
  kinesis.destroy();
  dynamoDb.destroy();
  await stack.stop();
}
