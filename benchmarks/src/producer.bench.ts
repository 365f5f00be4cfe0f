/**
 * Producer throughput and memory, kinesis-ts next to hand-written `PutRecords` batches in the same
 * run, against a fast fake Kinesis in a child process (benchmarks/src/fake-kinesis-server.ts):
 *
 * 1. user records/s on one core with no service limits (library overhead);
 * 2. user records/s delivered to a 2-shard stream that enforces the real per-shard limits
 *    (1,000 records/s and 1 MiB/s): aggregation lifts the records cap;
 * 3. peak memory while the stream throttles every entry for a while, the application producing as
 *    fast as it is let.
 *
 * Run with `pnpm bench producer`; the figures go to docs/benchmarks.md.
 */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { KinesisClient } from '@aws-sdk/client-kinesis';
import { KinesisProducer } from '@kinesis-ts/producer';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { type FakeKinesisMode, startFakeKinesis } from './fake-kinesis-server.js';
import { CONCURRENCY, HandWrittenBatches } from './hand-written-batches.js';
import { machineLine } from './harness.js';

const RECORD_BYTES = 100;
const KEYS = 1000;
const payload = Buffer.alloc(RECORD_BYTES, 'x');
const record = (i: number) => ({ partitionKey: `device-${i % KEYS}`, data: payload });

function clientFor(endpoint: string): KinesisClient {
  return new KinesisClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
    maxAttempts: 1,
    requestHandler: new NodeHttpHandler({ httpAgent: { keepAlive: true, maxSockets: 64 } }),
  });
}

async function withServer<T>(
  mode: FakeKinesisMode,
  shards: number,
  run: (endpoint: string) => Promise<T>,
): Promise<T> {
  const server = await startFakeKinesis(shards, mode);
  try {
    return await run(server.endpoint);
  } finally {
    await server.stop();
  }
}

// ---- 1. library overhead: no limits ------------------------------------------------------------

async function throughputHandWritten(endpoint: string, count: number): Promise<number> {
  const client = clientFor(endpoint);
  const writer = new HandWrittenBatches(client);
  const started = performance.now();
  for (let i = 0; i < count; i++) {
    const { partitionKey, data } = record(i);
    await writer.add({ PartitionKey: partitionKey, Data: data });
  }
  await writer.drain();
  const seconds = (performance.now() - started) / 1000;
  client.destroy();
  if (writer.delivered !== count) throw new Error(`hand-written delivered ${writer.delivered} of ${count}`);
  return count / seconds;
}

async function throughputKinesisTs(endpoint: string, count: number, api: 'put' | 'putMany'): Promise<number> {
  const client = clientFor(endpoint);
  const producer = new KinesisProducer({ streamName: 'bench', client });
  let delivered = 0;
  const started = performance.now();
  if (api === 'put') {
    for (let i = 0; i < count; i++) {
      if (producer.outstandingRecords >= 12_000) await producer.waitForCapacity();
      producer.put(record(i)).then(() => {
        delivered++;
      });
    }
  } else {
    const batches: Promise<unknown>[] = [];
    for (let i = 0; i < count; i += 500) {
      if (producer.outstandingRecords >= 12_000) await producer.waitForCapacity();
      const batch = Array.from({ length: Math.min(500, count - i) }, (_, j) => record(i + j));
      batches.push(
        producer.putMany(batch).then((results) => {
          delivered += results.filter((r) => r.status === 'fulfilled').length;
        }),
      );
    }
    await Promise.all(batches);
  }
  await producer.close();
  const seconds = (performance.now() - started) / 1000;
  client.destroy();
  if (delivered !== count) throw new Error(`kinesis-ts delivered ${delivered} of ${count}`);
  return count / seconds;
}

// ---- 2. delivery under real shard limits -------------------------------------------------------

async function deliveredHandWritten(endpoint: string, seconds: number): Promise<number> {
  const client = clientFor(endpoint);
  const writer = new HandWrittenBatches(client);
  const deadline = performance.now() + seconds * 1000;
  let i = 0;
  while (performance.now() < deadline) {
    const { partitionKey, data } = record(i++);
    // Keep a bounded backlog, as a real application must.
    if (writer.backlog > 20_000) await new Promise((r) => setTimeout(r, 5));
    await writer.add({ PartitionKey: partitionKey, Data: data });
  }
  const delivered = writer.delivered;
  client.destroy();
  return delivered / seconds;
}

async function deliveredKinesisTs(endpoint: string, seconds: number): Promise<number> {
  const client = clientFor(endpoint);
  const producer = new KinesisProducer({ streamName: 'bench', client, maxBufferedRecords: 20_000 });
  let delivered = 0;
  const deadline = performance.now() + seconds * 1000;
  let i = 0;
  while (performance.now() < deadline) {
    await producer.waitForCapacity();
    producer.put(record(i++)).then(
      () => {
        if (performance.now() <= deadline) delivered++;
      },
      () => undefined,
    );
  }
  const counted = delivered;
  await producer.close();
  client.destroy();
  return counted / seconds;
}

// ---- 3. memory while throttled -----------------------------------------------------------------

/** What one memory run measured: growth in MiB at each mark, and the highest growth sampled. */
interface MemoryReadings {
  readonly atMarks: number[];
  readonly peak: number;
}

/**
 * Heap (with buffers) growth in MiB at each of `marksSeconds`, and the peak over the whole run
 * (sampled every 20 ms), while `run` goes on until the last mark.
 */
async function memoryOverTime(
  run: (deadline: number) => Promise<void>,
  marksSeconds: readonly number[],
): Promise<MemoryReadings> {
  global.gc?.();
  const base = process.memoryUsage();
  const start = performance.now();
  const atMarks: number[] = [];
  let peak = 0;
  const sampler = setInterval(() => {
    const elapsed = (performance.now() - start) / 1000;
    const now = process.memoryUsage();
    const growth = (now.heapUsed + now.arrayBuffers - base.heapUsed - base.arrayBuffers) / 2 ** 20;
    peak = Math.max(peak, growth);
    if (atMarks.length < marksSeconds.length && elapsed >= marksSeconds[atMarks.length]!)
      atMarks.push(growth);
  }, 20);
  await run(start + marksSeconds.at(-1)! * 1000 + 100);
  clearInterval(sampler);
  return { atMarks, peak };
}

/** When memory is read in the throttling runs, in seconds from the start. */
const HAND_MARKS = [5, 10, 20];
const OURS_MARKS = [5, 10, 20, 60, 120];

/** The application's offered load while the stream throttles: records per second, each a fresh buffer. */
const OFFERED_PER_SECOND = 50_000;

async function throttledHandWritten(endpoint: string, deadline: number): Promise<void> {
  const client = clientFor(endpoint);
  const writer = new HandWrittenBatches(client);
  let i = 0;
  // Without a bounded buffer, what the stream refuses piles up while the application goes on.
  while (performance.now() < deadline) {
    for (let j = 0; j < OFFERED_PER_SECOND / 100; j++) {
      const { partitionKey, data } = record(i++);
      void writer.add({ PartitionKey: partitionKey, Data: Buffer.from(data) });
    }
    await new Promise((r) => setTimeout(r, 10));
  }
  client.destroy();
}

async function throttledKinesisTs(endpoint: string, deadline: number): Promise<void> {
  const client = clientFor(endpoint);
  const producer = new KinesisProducer({ streamName: 'bench', client, recordTtlMs: 600_000 });
  let i = 0;
  // The same offered load, but the application waits for room (the producer's backpressure).
  while (performance.now() < deadline) {
    for (let j = 0; j < OFFERED_PER_SECOND / 100 && performance.now() < deadline; j++) {
      const room = producer.waitForCapacity();
      const timeout = new Promise((r) => setTimeout(r, Math.max(0, deadline - performance.now())));
      await Promise.race([room, timeout]);
      if (performance.now() >= deadline) break;
      const { partitionKey, data } = record(i++);
      producer.put({ partitionKey, data: Buffer.from(data) }).catch(() => undefined);
    }
    await new Promise((r) => setTimeout(r, 10));
  }
  client.destroy();
}

// ---- run ---------------------------------------------------------------------------------------

/** Runs one memory scenario in a fresh Node process, so that neither inherits the other's heap. */
function memoryInChildProcess(variant: 'hand' | 'ours'): Promise<MemoryReadings> {
  return new Promise((resolve, reject) => {
    const child = fork(fileURLToPath(import.meta.url), ['memory', variant], {
      execArgv: ['--import', 'tsx', '--expose-gc'],
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    });
    child.once('message', (readings) => resolve(readings as MemoryReadings));
    child.once('error', reject);
  });
}

if (process.argv[2] === 'memory') {
  const variant = process.argv[3];
  const run = variant === 'hand' ? throttledHandWritten : throttledKinesisTs;
  // The hand-written queue grows without bound, so it stops at 20 s; the producer runs 2 minutes.
  const marks = variant === 'hand' ? HAND_MARKS : OURS_MARKS;
  const readings = await withServer('throttle-all', 2, (endpoint) =>
    memoryOverTime((deadline) => run(endpoint, deadline), marks),
  );
  process.send?.(readings);
  process.exit(0);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[sorted.length >> 1]!;
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

console.log('# Producer benchmark');
console.log(`\nMachine: ${machineLine()}`);
console.log(
  `Records: ${RECORD_BYTES}-byte payloads over ${KEYS} partition keys; fake Kinesis in a child process.\n`,
);

const COUNT = 200_000;
const rounds = 3;
const handWritten: number[] = [];
const ours: number[] = [];
const oursMany: number[] = [];
await withServer('unlimited', 64, async (endpoint) => {
  await throughputKinesisTs(endpoint, 50_000, 'put'); // warm-up
  await throughputKinesisTs(endpoint, 50_000, 'putMany');
  await throughputHandWritten(endpoint, 50_000);
  for (let round = 0; round < rounds; round++) {
    handWritten.push(await throughputHandWritten(endpoint, COUNT));
    ours.push(await throughputKinesisTs(endpoint, COUNT, 'put'));
    oursMany.push(await throughputKinesisTs(endpoint, COUNT, 'putMany'));
  }
});
console.log(
  `## 1. One core: ${COUNT.toLocaleString('en-US')} records to a 64-shard fake with no service limits, default options (median of ${rounds})\n`,
);
console.log('| producer | user records/s | vs. hand-written |');
console.log('| --- | ---: | ---: |');
console.log(
  `| hand-written 500-entry PutRecords batches (p-limit ${CONCURRENCY}) | ${fmt(median(handWritten))} | 1.00× |`,
);
console.log(
  `| kinesis-ts \`put\` (a promise per record) | ${fmt(median(ours))} | ${(median(ours) / median(handWritten)).toFixed(2)}× |`,
);
console.log(
  `| kinesis-ts \`putMany\` (batches of 500) | ${fmt(median(oursMany))} | ${(median(oursMany) / median(handWritten)).toFixed(2)}× |`,
);
// BENCH_PRODUCER_ONLY=throughput stops here (the throughput table alone, in about a minute).
if (process.env.BENCH_PRODUCER_ONLY === 'throughput') process.exit(0);

const SECONDS = 10;
const limitedHand = await withServer('shard-limits', 2, (endpoint) =>
  deliveredHandWritten(endpoint, SECONDS),
);
const limitedOurs = await withServer('shard-limits', 2, (endpoint) => deliveredKinesisTs(endpoint, SECONDS));
console.log(
  `\n## 2. Delivered to a 2-shard stream enforcing 1,000 records/s and 1 MiB/s per shard (${SECONDS} s each)\n`,
);
console.log('| producer | user records/s delivered | vs. hand-written |');
console.log('| --- | ---: | ---: |');
console.log(`| hand-written 500-entry PutRecords batches | ${fmt(limitedHand)} | 1.00× |`);
console.log(
  `| kinesis-ts KinesisProducer | ${fmt(limitedOurs)} | ${(limitedOurs / limitedHand).toFixed(2)}× |`,
);

const memoryHand = await memoryInChildProcess('hand');
const memoryOurs = await memoryInChildProcess('ours');
console.log(
  `\n## 3. Memory while every entry is throttled, the application offering ${OFFERED_PER_SECOND.toLocaleString('en-US')} records/s (each in a fresh process)\n`,
);
const cells = (readings: MemoryReadings) =>
  OURS_MARKS.map((_, i) => readings.atMarks[i]?.toFixed(0) ?? '(stopped)').join(' | ');
console.log(`| producer | ${OURS_MARKS.map((m) => `after ${m} s (MiB)`).join(' | ')} | peak (MiB) |`);
console.log(`| --- | ${OURS_MARKS.map(() => '---:').join(' | ')} | ---: |`);
console.log(
  `| hand-written batches, unbounded retry queue | ${cells(memoryHand)} | ${memoryHand.peak.toFixed(0)} (at 20 s) |`,
);
console.log(
  `| kinesis-ts KinesisProducer (defaults: 100,000 records / 64 MiB; the application awaits waitForCapacity) | ${cells(memoryOurs)} | ${memoryOurs.peak.toFixed(0)} |`,
);
process.exit(0);
