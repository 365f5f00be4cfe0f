/**
 * CPU per user record of several builds of the producer in one process (not part of `pnpm bench`):
 * each build's `dist/index.js` is imported by path, and rounds alternate between the builds, so a
 * shared machine's load falls on all of them alike. Each round gives 100,000 × 100-byte records at
 * once to a producer whose SDK client is answered in-process (instant-kinesis.ts).
 *
 *   PRODUCER_BUILDS="old=/path/to/old/packages/producer/dist/index.js,new=../packages/producer/dist/index.js" \
 *     node --import tsx --expose-gc src/compare-builds.ts putMany 100000 9
 *
 * BENCH_SHARDS sets the stream's shard count (64 by default), BENCH_KEYS the number of distinct
 * partition keys (1,000 by default).
 */
import { resolve } from 'node:path';
import { instantKinesisClient } from './instant-kinesis.js';
import { type BurstProducer, giveBurst } from './producer-burst.js';

type Api = 'put' | 'putMany';
const api = (process.argv[2] ?? 'putMany') as Api;
const count = Number(process.argv[3] ?? 100_000);
const rounds = Number(process.argv[4] ?? 9);
/** The stream's shards: 64 by default; a few make the shards' limits, not the CPU, set the pace (BENCH_SHARDS). */
const shards = Number(process.env.BENCH_SHARDS ?? 64);
/** How many distinct partition keys the records have: 1,000 by default (BENCH_KEYS; the count itself: each record its own). */
const keys = Number(process.env.BENCH_KEYS ?? 1000);
const payload = Buffer.alloc(100, 'x');

interface ProducerModule {
  KinesisProducer: new (options: object) => BurstProducer & { close(): Promise<void> };
}

const builds = new Map<string, ProducerModule>();
for (const spec of (process.env.PRODUCER_BUILDS ?? 'this=../packages/producer/dist/index.js').split(',')) {
  const [name, path] = spec.split('=') as [string, string];
  builds.set(name, (await import(resolve(path))) as ProducerModule);
}

async function round(build: ProducerModule): Promise<number> {
  const { client } = instantKinesisClient(shards);
  const producer = new build.KinesisProducer({ streamName: 'bench', client });
  await new Promise((r) => setTimeout(r, 20)); // the shard map
  const records = Array.from({ length: count }, (_, i) => ({
    partitionKey: `device-${i % keys}`,
    data: payload,
  }));
  global.gc?.();
  const cpu = process.cpuUsage();
  await giveBurst(producer, records, api);
  const used = process.cpuUsage(cpu);
  await producer.close();
  return (used.user + used.system) / count;
}

const names = [...builds.keys()];
const samples = new Map(names.map((name) => [name, [] as number[]]));
for (const name of names) await round(builds.get(name)!); // warm-up
for (let i = 0; i < rounds; i++) {
  for (const name of i % 2 === 0 ? names : [...names].reverse())
    samples.get(name)!.push(await round(builds.get(name)!));
}
const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1]!;
console.log(`| build | µs of CPU per record (${api}, median of ${rounds}) | single rounds |`);
console.log('| --- | ---: | --- |');
for (const name of names) {
  const values = samples.get(name)!;
  console.log(`| ${name} | ${median(values).toFixed(2)} | ${values.map((v) => v.toFixed(1)).join(', ')} |`);
}
process.exit(0);
