/**
 * Consumer benchmarks, against in-process fakes of Kinesis and DynamoDB (consumer-fakes.ts) so that
 * the consumer's own cost is measured, not the emulators' (kinesis-local serves about 4,500
 * records/s, far below what the consumer handles):
 *
 * 1. records/s from GetRecords to a no-op handler, KPL-aggregated input, on one Node thread, with the
 *    handler path's checkpoint after every batch;
 * 2. DynamoDB writes per lease per minute at the default failover time (10 s), idle and busy;
 * 3. time from a worker's death (and from a graceful stop) to another worker holding its leases, at
 *    the default failover time.
 *
 * Run with `npx -y pnpm@10 bench consumer`; the figures go to docs/benchmarks.md.
 */
import { KinesisConsumer, type KinesisConsumerOptions } from '@kinesis-ts/consumer';
import { FakeDynamoDb, FakeKinesis } from './consumer-fakes.js';
import { machineLine } from './harness.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function consumer(
  kinesis: FakeKinesis,
  dynamoDb: FakeDynamoDb,
  options: Partial<KinesisConsumerOptions> & Pick<KinesisConsumerOptions, 'applicationName'>,
): KinesisConsumer {
  return new KinesisConsumer({
    streamName: 'bench',
    kinesisClient: kinesis as never,
    dynamoDbClient: dynamoDb as never,
    initialPosition: 'TRIM_HORIZON',
    handler: () => {},
    ...options,
  } as KinesisConsumerOptions);
}

async function waitUntil(condition: () => boolean, timeoutMs: number): Promise<number> {
  const started = performance.now();
  while (!condition()) {
    if (performance.now() - started > timeoutMs) throw new Error('timed out');
    await sleep(20);
  }
  return performance.now() - started;
}

// 1. Throughput ------------------------------------------------------------------------------------

async function throughput(
  title: string,
  shardCount: number,
  recordsPerAggregate: number,
  aggregatesPerCall: number,
  aggregated: boolean,
) {
  const recordBytes = 100;
  const kinesis = new FakeKinesis(
    shardCount,
    recordsPerAggregate,
    recordBytes,
    aggregatesPerCall,
    aggregated,
  );
  const dynamoDb = new FakeDynamoDb();
  let records = 0;
  const worker = consumer(kinesis, dynamoDb, {
    applicationName: 'throughput',
    retrieval: { mode: 'polling', idleTimeBetweenReadsMs: 200 },
    handler: (batch) => {
      records += batch.length;
    },
  });
  await worker.start();
  await sleep(2_000);
  const rounds: { recordsPerSecond: number; cpu: number }[] = [];
  for (let round = 0; round < 5; round++) {
    const startRecords = records;
    const startCpu = process.cpuUsage();
    const startTime = performance.now();
    await sleep(1_500);
    const seconds = (performance.now() - startTime) / 1000;
    const cpu = process.cpuUsage(startCpu);
    rounds.push({
      recordsPerSecond: (records - startRecords) / seconds,
      cpu: (cpu.user + cpu.system) / 1e6 / seconds,
    });
  }
  await worker.stop();
  rounds.sort((a, b) => a.recordsPerSecond - b.recordsPerSecond);
  const median = rounds[2]!;
  const pacingCap = (shardCount * 5 * aggregatesPerCall * recordsPerAggregate).toLocaleString('en-US');
  console.log(
    `| ${title} | ${Math.round(median.recordsPerSecond).toLocaleString('en-US')} | ${((median.recordsPerSecond * recordBytes) / 1e6).toFixed(1)} | ${(median.cpu * 100).toFixed(0)} % | ${pacingCap} |`,
  );
}

// 2. DynamoDB writes per lease per minute ------------------------------------------------------------

async function writesPerLease(
  title: string,
  aggregatesPerCall: number,
  options: Partial<KinesisConsumerOptions>,
) {
  const shards = 4;
  const kinesis = new FakeKinesis(shards, 10, 100, aggregatesPerCall);
  const dynamoDb = new FakeDynamoDb();
  const worker = consumer(kinesis, dynamoDb, { applicationName: 'writes', ...options });
  await worker.start();
  await sleep(5_000);
  const before = dynamoDb.writeCount('writes');
  const checkpointsBefore = worker.metrics().Checkpoints;
  const windowMs = 30_000;
  await sleep(windowMs);
  const writes = dynamoDb.writeCount('writes') - before;
  const checkpoints = worker.metrics().Checkpoints - checkpointsBefore;
  await worker.stop();
  const perMinute = (count: number) => (count / shards / (windowMs / 60_000)).toFixed(1);
  return `| ${title} | ${perMinute(writes)} | ${perMinute(checkpoints)} |`;
}

// 3. Takeover -----------------------------------------------------------------------------------------

async function takeover(release: boolean): Promise<number> {
  const kinesis = new FakeKinesis(4, 10, 100, 0);
  const dynamoDb = new FakeDynamoDb();
  const a = consumer(kinesis, dynamoDb, {
    applicationName: 'takeover',
    workerId: 'a',
    releaseLeasesOnStop: release,
  });
  const b = consumer(kinesis, dynamoDb, { applicationName: 'takeover', workerId: 'b' });
  await a.start();
  await b.start();
  await waitUntil(() => a.heldLeaseKeys().length === 2 && b.heldLeaseKeys().length === 2, 120_000);
  await sleep(Math.random() * 5_000); // a death at a random moment of the renewal and taker cycles
  // Death: a stops renewing and never releases (releaseLeasesOnStop false); or a graceful stop.
  await a.stop();
  const elapsed = await waitUntil(() => b.heldLeaseKeys().length === 4, 120_000);
  await b.stop();
  return elapsed;
}

function summary(values: number[]): string {
  const sorted = [...values].sort((x, y) => x - y);
  const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  return `${s(sorted[Math.floor(sorted.length / 2)]!)} | ${s(sorted[0]!)} | ${s(sorted.at(-1)!)}`;
}

console.log('# Consumer benchmark');
console.log(`\nMachine: ${machineLine()}`);
console.log(
  '\n## Records/s from GetRecords to a no-op handler (one Node thread, in-process fake Kinesis and DynamoDB)\n',
);
console.log('| input | user records/s | MB/s of payload | CPU | pacing cap (5 GetRecords/s/shard) |');
console.log('| --- | ---: | ---: | ---: | ---: |');
await throughput(
  '16 shards, KPL aggregates of 300 × 100-byte records, 100 aggregates per GetRecords',
  16,
  300,
  100,
  true,
);
await throughput(
  '32 shards, plain 100-byte records (no aggregation), 10 000 per GetRecords',
  32,
  1,
  10_000,
  false,
);

console.log(
  '\n## DynamoDB writes per lease per minute, default failover time (10 s), 4 shards, 30 s window\n',
);
console.log('| workload | writes per lease per minute | of which checkpoints |');
console.log('| --- | ---: | ---: |');
const trials = 3;
const [idle, busy, busySpaced, deaths, graceful] = await Promise.all([
  writesPerLease('idle shards (renewals only)', 0, {}),
  writesPerLease('busy shards, handler, checkpoint after every batch (1 GetRecords/s)', 1, {}),
  writesPerLease('busy shards, handler, checkpointIntervalMs: 60000', 1, { checkpointIntervalMs: 60_000 }),
  Promise.all(Array.from({ length: trials }, () => takeover(false))),
  Promise.all(Array.from({ length: trials }, () => takeover(true))),
]);
console.log([idle, busy, busySpaced].join('\n'));
console.log(`\n## Takeover at the default failover time (10 s), 2 workers × 2 leases, ${trials} trials\n`);
console.log('| event | median | min | max |');
console.log('| --- | ---: | ---: | ---: |');
console.log(
  `| worker dies (stops renewing, releases nothing) → the other holds all 4 leases | ${summary(deaths)} |`,
);
console.log(
  `| worker stops gracefully (releases its leases) → the other holds all 4 leases | ${summary(graceful)} |`,
);
