/**
 * The producer's put path (issue 16), each table's cases side by side in the same run:
 *
 * a. a burst: 200,000 × 100-byte records given to the producer all at once (twice its default
 *    buffer), through a real SDK `KinesisClient` over HTTP/1.1 to the fast fake Kinesis in a child
 *    process; `put`, `putMany` and hand-written 500-entry `PutRecords` batches, the producer's
 *    request bodies written by itself and by the SDK (`putRecordsSerializer`) side by side;
 * b. CPU per record: the same SDK client, answered at once by a middleware (no network, no
 *    serialization: benchmarks/src/instant-kinesis.ts), 100,000 records per round within the buffer,
 *    next to the floor of any API with a promise per record (bare promises, no producer), and a
 *    steady flow (at most 10,000 records in flight, in chunks of 500); every shape's rounds in turn
 *    in one process, each round after a forced full collection and counted from its start to its
 *    end; then (b') the bursts in processes that do nothing else, no collection forced, the whole
 *    process's CPU over all rounds counted (BENCH_WHOLE_PROCESS_ROUNDS, 15 by default);
 * c. memory while every entry is throttled (BENCH_THROTTLE_SECONDS, 30 by default; 120 for the
 *    two minutes of issue 16), the application offering 50,000 records/s and awaiting
 *    `waitForCapacity`;
 * d. a trickle over many shards (10 records a millisecond, 64 and 1,024 shards): requests per
 *    second and CPU per record while each shard's lane falls due at its own moment.
 *
 * `pnpm bench put-path` (after a build); BENCH_PUT_PATH_ONLY=a|b|c|d runs one table,
 * BENCH_PUT_PATH_APIS=putMany (or put) runs table b for one API alone.
 */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { KinesisClient } from '@aws-sdk/client-kinesis';
import { KinesisProducer, type PutRecordsSerializer } from '@kinesis-ts/producer';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { startFakeKinesis } from './fake-kinesis-server.js';
import { HandWrittenBatches } from './hand-written-batches.js';
import { machineLine } from './harness.js';
import { instantKinesisClient } from './instant-kinesis.js';
import { giveBurst } from './producer-burst.js';

const KEYS = 1000;
const payload = Buffer.alloc(100, 'x');
const makeRecords = (count: number) =>
  Array.from({ length: count }, (_, i) => ({ partitionKey: `device-${i % KEYS}`, data: payload }));
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1]!;
const only = process.env.BENCH_PUT_PATH_ONLY;
/**
 * The APIs table b runs (BENCH_PUT_PATH_APIS, `put,putMany` by default): one of them alone is quicker,
 * and its figures then come without the other API's rounds run in between (see docs/benchmarks.md,
 * fifth pass: what ran before in a process moves the figures).
 */
const tableBApis = (process.env.BENCH_PUT_PATH_APIS ?? 'put,putMany').split(',') as Api[];

function httpClient(endpoint: string): KinesisClient {
  return new KinesisClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
    maxAttempts: 1,
    requestHandler: new NodeHttpHandler({ httpAgent: { keepAlive: true, maxSockets: 64 } }),
  });
}

type Api = 'put' | 'putMany';

/** Gives the producer every record at once and waits until all are written; returns records/s. */
async function burst(
  client: KinesisClient,
  records: readonly { partitionKey: string; data: Buffer }[],
  api: Api,
  putRecordsSerializer: PutRecordsSerializer = 'kinesis-ts',
): Promise<Rate> {
  const producer = new KinesisProducer({ streamName: 'bench', client, putRecordsSerializer });
  const started = performance.now();
  const cpu = process.cpuUsage();
  let written = 0;
  if (api === 'put') {
    const results = await Promise.all(records.map((record) => producer.put(record)));
    written = results.length;
  } else {
    const batches: Promise<{ status: string }[]>[] = [];
    for (let i = 0; i < records.length; i += 500) batches.push(producer.putMany(records.slice(i, i + 500)));
    for (const results of await Promise.all(batches)) {
      written += results.filter((result) => result.status === 'fulfilled').length;
    }
  }
  await producer.close();
  const rate = rateOf(records.length, started, cpu);
  if (written !== records.length) throw new Error(`${api} wrote ${written} of ${records.length}`);
  return rate;
}

/** Records per second of wall time, and this process's CPU per record (the fake runs in another). */
interface Rate {
  readonly perSecond: number;
  readonly cpuMicrosPerRecord: number;
}

function rateOf(count: number, started: number, cpu: NodeJS.CpuUsage): Rate {
  const used = process.cpuUsage(cpu);
  return {
    perSecond: count / ((performance.now() - started) / 1000),
    cpuMicrosPerRecord: (used.user + used.system) / count,
  };
}

async function handWritten(
  client: KinesisClient,
  records: readonly { partitionKey: string; data: Buffer }[],
): Promise<Rate> {
  const writer = new HandWrittenBatches(client);
  const started = performance.now();
  const cpu = process.cpuUsage();
  for (const { partitionKey, data } of records) await writer.add({ PartitionKey: partitionKey, Data: data });
  await writer.drain();
  const rate = rateOf(records.length, started, cpu);
  if (writer.delivered !== records.length) throw new Error(`hand-written delivered ${writer.delivered}`);
  return rate;
}

// ---- b'. CPU per record in a process that does nothing else, in a child process -----------------

/** What a child of table b' measured. */
interface WholeProcessFigures {
  /** User records per second of the process's CPU from the first measured round to the end of the last. */
  readonly wholeRunPerCpuSecond: number;
  /** The median round's user records per second of CPU, counted from its start to its end. */
  readonly medianRoundPerCpuSecond: number;
}

if (process.argv[2] === 'whole-process') {
  const api = process.argv[3] as Api;
  const rounds = Number(process.argv[4]);
  const COUNT = 100_000;
  const records = makeRecords(COUNT);
  const burstRound = async (): Promise<number> => {
    const { client } = instantKinesisClient(64);
    const producer = new KinesisProducer({ streamName: 'bench', client });
    await new Promise((r) => setTimeout(r, 10)); // the shard map
    const cpu = process.cpuUsage();
    await giveBurst(producer, records, api);
    const used = process.cpuUsage(cpu);
    await producer.close();
    return COUNT / ((used.user + used.system) / 1e6);
  };
  for (let i = 0; i < 3; i++) await burstRound(); // the JIT's work, not counted
  const cpu = process.cpuUsage();
  const perRound: number[] = [];
  for (let i = 0; i < rounds; i++) perRound.push(await burstRound());
  const used = process.cpuUsage(cpu);
  const figures: WholeProcessFigures = {
    wholeRunPerCpuSecond: (COUNT * rounds) / ((used.user + used.system) / 1e6),
    medianRoundPerCpuSecond: median(perRound),
  };
  process.send?.(figures);
  process.exit(0);
}

/**
 * Runs this script in a child process with `args` (a table's child mode) and resolves with the one
 * message it sends back.
 */
function inChildProcess<T>(args: string[], execArgv: string[]): Promise<T> {
  return new Promise((resolve, reject) => {
    const child = fork(fileURLToPath(import.meta.url), args, {
      execArgv,
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    });
    child.once('message', (message) => resolve(message as T));
    child.once('error', reject);
  });
}

/** Runs `rounds` bursts of `api` in a child process of their own (table b'). */
function wholeProcessRun(api: Api, rounds: number): Promise<WholeProcessFigures> {
  return inChildProcess(['whole-process', api, String(rounds)], ['--import', 'tsx']);
}

// ---- c. memory while throttled, in a child process -------------------------------------------

if (process.argv[2] === 'memory') {
  const seconds = Number(process.argv[3]);
  const server = await startFakeKinesis(2, 'throttle-all');
  const client = httpClient(server.endpoint);
  const producer = new KinesisProducer({ streamName: 'bench', client, recordTtlMs: 600_000 });
  global.gc?.();
  const base = process.memoryUsage();
  const start = performance.now();
  const deadline = start + seconds * 1000;
  const samples: { at: number; mib: number }[] = [];
  const sampler = setInterval(() => {
    const now = process.memoryUsage();
    samples.push({
      at: (performance.now() - start) / 1000,
      mib: (now.heapUsed + now.arrayBuffers - base.heapUsed - base.arrayBuffers) / 2 ** 20,
    });
  }, 250);
  let i = 0;
  while (performance.now() < deadline) {
    for (let j = 0; j < 500 && performance.now() < deadline; j++) {
      const room = producer.waitForCapacity();
      const timeout = new Promise((r) => setTimeout(r, Math.max(0, deadline - performance.now())));
      await Promise.race([room, timeout]);
      if (performance.now() >= deadline) break;
      producer
        .put({ partitionKey: `device-${i++ % KEYS}`, data: Buffer.from(payload) })
        .catch(() => undefined);
    }
    await new Promise((r) => setTimeout(r, 10));
  }
  clearInterval(sampler);
  process.send?.({ samples, outstanding: producer.outstandingRecords });
  await server.stop();
  process.exit(0);
}

console.log('# Put path benchmark (issue 16)');
console.log(`\nMachine: ${machineLine()}\n`);

if (only === undefined || only === 'a') {
  const COUNT = 200_000;
  const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
  const server = await startFakeKinesis(64, 'unlimited');
  const client = httpClient(server.endpoint);
  const records = makeRecords(COUNT);
  const warm = makeRecords(20_000);
  await handWritten(client, warm);
  await burst(client, warm, 'put');
  await burst(client, warm, 'putMany');
  const figures: Record<string, Rate[]> = { hand: [], put: [], putMany: [], putSdk: [], putManySdk: [] };
  for (let round = 0; round < rounds; round++) {
    figures.hand!.push(await handWritten(client, records));
    // What ran before moves a case's figures (see the fifth pass in docs/benchmarks.md): the two
    // writers of bodies take turns at going first.
    const writers: PutRecordsSerializer[] = round % 2 === 0 ? ['kinesis-ts', 'sdk'] : ['sdk', 'kinesis-ts'];
    for (const writer of writers) {
      const suffix = writer === 'sdk' ? 'Sdk' : '';
      figures[`put${suffix}`]!.push(await burst(client, records, 'put', writer));
      figures[`putMany${suffix}`]!.push(await burst(client, records, 'putMany', writer));
    }
  }
  client.destroy();
  await server.stop();
  const hand = median(figures.hand!.map((rate) => rate.perSecond));
  console.log(
    `## a. ${fmt(COUNT)} × 100 B given at once (default buffer 100,000), SDK over HTTP/1.1 to the fake (64 shards), median of ${rounds}\n`,
  );
  console.log(
    "Bodies written by the producer (`putRecordsSerializer: 'kinesis-ts'`, the default) or by the SDK's JSON codec (`'sdk'`). CPU: this process's, per record (the fake runs in another).\n",
  );
  console.log('| producer | user records/s | vs. hand-written | CPU µs/record | single rounds |');
  console.log('| --- | ---: | ---: | ---: | --- |');
  const row = (name: string, rates: Rate[]) => {
    const perSecond = median(rates.map((rate) => rate.perSecond));
    const cpu = median(rates.map((rate) => rate.cpuMicrosPerRecord));
    console.log(
      `| ${name} | ${fmt(perSecond)} | ${(perSecond / hand).toFixed(2)}× | ${cpu.toFixed(2)} | ${rates.map((rate) => fmt(rate.perSecond)).join(', ')} |`,
    );
  };
  row('hand-written 500-entry PutRecords batches (p-limit 24)', figures.hand!);
  row('kinesis-ts `put`, every record at once', figures.put!);
  row('kinesis-ts `putMany`, batches of 500, all at once', figures.putMany!);
  row("kinesis-ts `put`, bodies by the SDK ('sdk')", figures.putSdk!);
  row("kinesis-ts `putMany`, bodies by the SDK ('sdk')", figures.putManySdk!);
  console.log('');
}

/** Issue 16's targets for table b: user records per second of one core's CPU. */
const CPU_PER_RECORD_TARGETS = [
  ['put', 300_000],
  ['putMany', 600_000],
] as const;

if (only === undefined || only === 'b') {
  const COUNT = 100_000;
  const rounds = Number(process.env.BENCH_ROUNDS ?? 9);
  const records = makeRecords(COUNT);
  /**
   * Runs `give` (which puts `count` records) on a fresh producer whose client is answered at once,
   * and measures it: CPU time of the process (garbage collector included) and wall time.
   */
  const measured = async (
    count: number,
    give: (producer: KinesisProducer) => Promise<unknown>,
    shards = 64,
    throttleEvery = 0,
  ) => {
    const { client, counts } = instantKinesisClient(shards, throttleEvery);
    const producer = new KinesisProducer({ streamName: 'bench', client });
    await new Promise((r) => setTimeout(r, 10)); // the shard map
    global.gc?.();
    const cpu = process.cpuUsage();
    const started = performance.now();
    await give(producer);
    const wall = (performance.now() - started) / 1000;
    const used = process.cpuUsage(cpu);
    await producer.close();
    return {
      cpuPerSecond: count / ((used.user + used.system) / 1e6),
      wallPerSecond: count / wall,
      recordsPerEntry: count / counts.entries,
    };
  };
  // A burst: every record given at once, then flush().
  const round = (api: Api) => measured(COUNT, (producer) => giveBurst(producer, records, api));
  // A steady flow instead of a burst: the application keeps at most STEADY_IN_FLIGHT records in
  // flight, in chunks of 500 (`putMany(chunk)` or `Promise.all(chunk.map(put))`), waiting for its
  // oldest chunk before it puts another; STEADY_COUNT records per round.
  const STEADY_COUNT = 200_000;
  const STEADY_IN_FLIGHT = 10_000;
  const steadyRecords = makeRecords(STEADY_COUNT);
  const steadyRound = (api: Api) =>
    measured(STEADY_COUNT, async (producer) => {
      const inFlight: Promise<unknown>[] = [];
      for (let i = 0; i < STEADY_COUNT; i += 500) {
        const chunk = steadyRecords.slice(i, i + 500);
        inFlight.push(
          api === 'put' ? Promise.all(chunk.map((record) => producer.put(record))) : producer.putMany(chunk),
        );
        if (inFlight.length * 500 >= STEADY_IN_FLIGHT) await inFlight.shift();
      }
      await Promise.all(inFlight);
    });
  // A burst into a stream too small for it: 2 shards, whose limits (the producer's rate limiter,
  // at its default 150 % of 1 MiB/s each) set the pace, so most records wait for tokens.
  const SATURATED_COUNT = 40_000;
  const saturatedRecords = makeRecords(SATURATED_COUNT);
  const saturatedRound = (api: Api) =>
    measured(SATURATED_COUNT, (producer) => giveBurst(producer, saturatedRecords, api), 2);
  // The burst again, with one entry in three refused as throttled (retried after the shard's backoff,
  // re-packed with the records behind it): what retries cost per record.
  const throttledRound = () => measured(COUNT, (producer) => giveBurst(producer, records, 'putMany'), 64, 3);
  // The floor of any API with a promise per record, measured the same way: a bare promise per
  // record (its resolvers kept, as a producer must), all awaited with Promise.all, each resolved
  // on the next turn with a small result object; no producer at all.
  const promiseFloor = async () => {
    global.gc?.();
    const cpu = process.cpuUsage();
    const started = performance.now();
    const resolvers: ((result: { shardId: string; sequenceNumber: string }) => void)[] = [];
    const all = Promise.all(records.map(() => new Promise<unknown>((resolve) => resolvers.push(resolve))));
    await new Promise((r) => setImmediate(r));
    for (const resolve of resolvers) resolve({ shardId: 'shardId-000000000000', sequenceNumber: '1' });
    await all;
    const wall = (performance.now() - started) / 1000;
    const used = process.cpuUsage(cpu);
    return {
      cpuPerSecond: COUNT / ((used.user + used.system) / 1e6),
      wallPerSecond: COUNT / wall,
      recordsPerEntry: Number.NaN,
    };
  };
  type Case =
    | Api
    | 'floor'
    | 'steady put'
    | 'steady putMany'
    | 'saturated put'
    | 'saturated putMany'
    | 'throttled putMany';
  const figures: Record<Case, { cpuPerSecond: number; wallPerSecond: number; recordsPerEntry: number }[]> = {
    put: [],
    putMany: [],
    floor: [],
    'steady put': [],
    'steady putMany': [],
    'saturated put': [],
    'saturated putMany': [],
    'throttled putMany': [],
  };
  const saturatedRounds = Number(process.env.BENCH_SATURATED_ROUNDS ?? 5);
  const inTurn = (i: number) => (i % 2 === 0 ? tableBApis : [...tableBApis].reverse());
  for (const api of tableBApis) await round(api);
  await promiseFloor();
  for (let i = 0; i < rounds; i++) {
    for (const api of inTurn(i)) {
      figures[api].push(await round(api));
    }
    figures.floor.push(await promiseFloor());
    for (const api of inTurn(i)) {
      figures[`steady ${api}`].push(await steadyRound(api));
      if (i < saturatedRounds) figures[`saturated ${api}`].push(await saturatedRound(api));
    }
    if (i < saturatedRounds && tableBApis.includes('putMany'))
      figures['throttled putMany'].push(await throttledRound());
  }
  console.log(
    `## b. CPU per record: ${fmt(COUNT)} × 100 B per round, SDK client answered at once by a middleware (no network), median of ${rounds}\n`,
  );
  console.log('| API | user records per CPU second | µs of CPU per record | records/s (wall) | target |');
  console.log('| --- | ---: | ---: | ---: | ---: |');
  for (const [api, target] of CPU_PER_RECORD_TARGETS) {
    if (!tableBApis.includes(api)) continue;
    const cpu = median(figures[api].map((f) => f.cpuPerSecond));
    const wall = median(figures[api].map((f) => f.wallPerSecond));
    console.log(`| \`${api}\` | ${fmt(cpu)} | ${(1e6 / cpu).toFixed(2)} | ${fmt(wall)} | ${fmt(target)} |`);
  }
  const floorCpu = median(figures.floor.map((f) => f.cpuPerSecond));
  const floorWall = median(figures.floor.map((f) => f.wallPerSecond));
  console.log(
    `| floor of a promise per record (no producer: a bare promise each, Promise.all, resolved by hand) | ${fmt(floorCpu)} | ${(1e6 / floorCpu).toFixed(2)} | ${fmt(floorWall)} | |`,
  );
  for (const [api, target] of CPU_PER_RECORD_TARGETS) {
    if (!tableBApis.includes(api)) continue;
    const rows = figures[`steady ${api}`];
    const cpu = median(rows.map((f) => f.cpuPerSecond));
    const wall = median(rows.map((f) => f.wallPerSecond));
    console.log(
      `| steady flow, \`${api}\`: ${fmt(STEADY_IN_FLIGHT)} records in flight at most, ${fmt(STEADY_COUNT)} per round | ${fmt(cpu)} | ${(1e6 / cpu).toFixed(2)} | ${fmt(wall)} | ${fmt(target)} |`,
    );
  }
  for (const api of tableBApis) {
    const rows = figures[`saturated ${api}`];
    const cpu = median(rows.map((f) => f.cpuPerSecond));
    const wall = median(rows.map((f) => f.wallPerSecond));
    const perEntry = median(rows.map((f) => f.recordsPerEntry));
    console.log(
      `| saturated shards, \`${api}\`: ${fmt(SATURATED_COUNT)} at once into 2 shards (their limits set the pace; ${perEntry.toFixed(0)} records per entry), median of ${rows.length} | ${fmt(cpu)} | ${(1e6 / cpu).toFixed(2)} | ${fmt(wall)} | |`,
    );
  }
  if (tableBApis.includes('putMany')) {
    const rows = figures['throttled putMany'];
    const cpu = median(rows.map((f) => f.cpuPerSecond));
    const wall = median(rows.map((f) => f.wallPerSecond));
    console.log(
      `| throttled, \`putMany\`: the burst with one entry in three refused as throttled and retried, median of ${rows.length} | ${fmt(cpu)} | ${(1e6 / cpu).toFixed(2)} | ${fmt(wall)} | |`,
    );
  }
  console.log('');

  // b'. The bursts again, each API in processes that do nothing else, with no collection forced
  // between rounds: every microsecond of the process from the first measured round to the end of the
  // last is counted (collections, closing each producer, the wait for its shard map), as a service
  // that puts all day pays it. Two processes per API, taking turns.
  const wholeRounds = Number(process.env.BENCH_WHOLE_PROCESS_ROUNDS ?? 15);
  const runs: Record<Api, WholeProcessFigures[]> = { put: [], putMany: [] };
  for (const api of [...tableBApis, ...[...tableBApis].reverse()]) {
    runs[api].push(await wholeProcessRun(api, wholeRounds));
  }
  console.log(
    `## b'. The same bursts in a process that does nothing else: ${wholeRounds} rounds after 3 of warm-up, no collection forced, the whole process's CPU from the first round to the end of the last; two processes per API\n`,
  );
  console.log(
    '| API | user records per CPU second, whole run | µs of CPU per record | median round alone | target |',
  );
  console.log('| --- | ---: | ---: | ---: | ---: |');
  for (const [api, target] of CPU_PER_RECORD_TARGETS) {
    if (!tableBApis.includes(api)) continue;
    const whole = runs[api].map((run) => run.wholeRunPerCpuSecond);
    const roundMedians = runs[api].map((run) => run.medianRoundPerCpuSecond);
    console.log(
      `| \`${api}\` | ${whole.map(fmt).join(' / ')} | ${whole.map((w) => (1e6 / w).toFixed(2)).join(' / ')} | ${roundMedians.map(fmt).join(' / ')} | ${fmt(target)} |`,
    );
  }
  console.log('');
}

if (only === undefined || only === 'c') {
  const seconds = Number(process.env.BENCH_THROTTLE_SECONDS ?? 30);
  const readings = await inChildProcess<{ samples: { at: number; mib: number }[]; outstanding: number }>(
    ['memory', String(seconds)],
    ['--import', 'tsx', '--expose-gc'],
  );
  const marks = [5, 10, 20, 30, 60, 90, 120].filter((mark) => mark <= seconds);
  const at = (mark: number) => readings.samples.find((sample) => sample.at >= mark - 0.3)?.mib ?? Number.NaN;
  const peak = Math.max(...readings.samples.map((sample) => sample.mib));
  console.log(
    `## c. Memory while every entry is throttled for ${seconds} s (heap + array buffers over the start, MiB; defaults, recordTtlMs 10 min)\n`,
  );
  console.log(
    `| ${marks.map((mark) => `after ${mark} s`).join(' | ')} | peak | records buffered at the end |`,
  );
  console.log(`| ${marks.map(() => '---:').join(' | ')} | ---: | ---: |`);
  console.log(
    `| ${marks.map((mark) => at(mark).toFixed(0)).join(' | ')} | ${peak.toFixed(0)} | ${fmt(readings.outstanding)} |`,
  );
}

if (only === undefined || only === 'd') {
  // A trickle over many shards: 10 records every millisecond (about 7,000 a second once the timer's
  // own lag is counted), each to its own partition key, for 5 s after a 2 s warm-up trickle (so that
  // the JIT compiling the code on V8's worker threads is not counted); defaults (maxBufferedTimeMs
  // 100). Each shard's lane falls due at its own moment: what matters is how many requests that
  // makes, and the CPU per record it costs.
  const SECONDS = 5;
  // The loop alone, making the same chunks without a producer: what of the CPU per record is the
  // benchmark's own (a timer a millisecond, mostly).
  const loopAlone = async () => {
    const cpu = process.cpuUsage();
    const started = performance.now();
    let n = 0;
    const chunks: unknown[] = [];
    while (performance.now() - started < SECONDS * 1000) {
      chunks.push(Array.from({ length: 10 }, () => ({ partitionKey: `device-${n++}`, data: payload })));
      await new Promise((r) => setTimeout(r, 1));
    }
    const used = process.cpuUsage(cpu);
    return (used.user + used.system) / n;
  };
  const trickle = async (shards: number, seconds = SECONDS) => {
    const { client, counts } = instantKinesisClient(shards);
    const producer = new KinesisProducer({ streamName: 'bench', client });
    await new Promise((r) => setTimeout(r, 50)); // the shard map
    const cpu = process.cpuUsage();
    const started = performance.now();
    let n = 0;
    const batches: Promise<unknown>[] = [];
    while (performance.now() - started < seconds * 1000) {
      const chunk = Array.from({ length: 10 }, () => ({ partitionKey: `device-${n++}`, data: payload }));
      batches.push(producer.putMany(chunk));
      await new Promise((r) => setTimeout(r, 1));
    }
    await producer.flush();
    await Promise.all(batches);
    const used = process.cpuUsage(cpu);
    const elapsedSeconds = (performance.now() - started) / 1000;
    await producer.close();
    return {
      shards,
      records: n,
      cpuUsPerRecord: (used.user + used.system) / n,
      requestsPerSecond: counts.putRecordsCalls / elapsedSeconds,
      recordsPerRequest: n / counts.putRecordsCalls,
    };
  };
  console.log(
    `## d. A trickle over many shards: 10 records a millisecond for ${SECONDS} s, \`putMany\`, defaults\n`,
  );
  console.log(
    '| shards | records | µs of CPU per record (the timer loop included) | PutRecords calls/s | records per call |',
  );
  console.log('| ---: | ---: | ---: | ---: | ---: |');
  await trickle(64, 2); // warm-up
  for (const shards of [64, 1024]) {
    const row = await trickle(shards);
    console.log(
      `| ${fmt(row.shards)} | ${fmt(row.records)} | ${row.cpuUsPerRecord.toFixed(1)} | ${fmt(row.requestsPerSecond)} | ${row.recordsPerRequest.toFixed(0)} |`,
    );
  }
  console.log(`| no producer: the loop alone | | ${(await loopAlone()).toFixed(1)} | | |`);
  console.log('');
}
process.exit(0);
