/**
 * `PutRecords` bodies: the SDK's JSON codec against the producer's writer (`putRecordsSerializer`
 * 'sdk' and 'kinesis-ts'), CPU per request of serializing, building and signing, side by side.
 *
 * The requests are real ones: those a producer makes for a burst of 200,000 × 100-byte records over
 * 64 shards (three requests of up to 10 MiB of 50 KiB aggregates), captured from a client answered
 * at once (instant-kinesis.ts); plus 500 raw 100-byte entries (no aggregation) and one 9.5 MiB
 * record. Each is sent through a real SDK client whose middleware answers once the request is signed
 * (no HTTP). Each writer runs in its own child process, the two alternating, so that one's garbage
 * and JIT state do not colour the other's figures (they did when both ran in one process).
 *
 * `pnpm bench put-records-body` (after a build); BENCH_ROUNDS child processes per writer (3).
 */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { KinesisClient, PutRecordsCommand, type PutRecordsCommandInput } from '@aws-sdk/client-kinesis';
import { writePutRecordsBodyOf } from '@kinesis-ts/core';
import { KinesisProducer } from '@kinesis-ts/producer';
import { machineLine } from './harness.js';
import { instantKinesisClient } from './instant-kinesis.js';
import { giveBurst } from './producer-burst.js';

type Writer = 'sdk' | 'kinesis-ts';
type Workload = 'burst' | 'raw' | 'large';

const WORKLOADS: Record<Workload, string> = {
  burst: "a producer's burst: 200,000 × 100 B as 50 KiB aggregates, 3 requests, 21 MB of data",
  raw: '500 raw entries of 100 B (aggregation off), 1 request',
  large: 'one 9.5 MiB record, 1 request',
};

/** The `PutRecords` inputs of a workload (the burst's are captured from a producer). */
async function inputsOf(workload: Workload): Promise<PutRecordsCommandInput[]> {
  if (workload === 'raw') {
    const payload = Buffer.alloc(100, 'x');
    const Records = Array.from({ length: 500 }, (_, i) => ({ Data: payload, PartitionKey: `device-${i}` }));
    return [{ StreamName: 'bench', Records }];
  }
  if (workload === 'large') {
    return [
      { StreamName: 'bench', Records: [{ Data: Buffer.alloc(9.5 * 2 ** 20, 7), PartitionKey: 'large' }] },
    ];
  }
  const { client } = instantKinesisClient(64);
  const inputs: PutRecordsCommandInput[] = [];
  const send = client.send.bind(client) as (command: unknown, ...rest: unknown[]) => Promise<unknown>;
  (client as { send: unknown }).send = (command: { input: PutRecordsCommandInput }, ...rest: unknown[]) => {
    if (command.input.Records !== undefined) inputs.push(command.input);
    return send(command, ...rest);
  };
  const payload = Buffer.alloc(100, 'x');
  const records = Array.from({ length: 200_000 }, (_, i) => ({
    partitionKey: `device-${i % 1000}`,
    data: payload,
  }));
  const producer = new KinesisProducer({ streamName: 'bench', client });
  await giveBurst(producer, records, 'putMany');
  await producer.close();
  return inputs;
}

/** A client that answers `PutRecords` itself once the request is signed. */
function signingClient(): KinesisClient {
  const client = new KinesisClient({
    region: 'us-east-1',
    credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
    maxAttempts: 1,
  });
  client.middlewareStack.add(
    () => async () =>
      ({ output: { $metadata: {}, FailedRecordCount: 0, Records: [] }, response: {} }) as never,
    { step: 'finalizeRequest', priority: 'low', name: 'answerAfterSigning' },
  );
  return client;
}

// ---- one writer, in a child process ---------------------------------------------------------

if (process.argv[2] === 'measure') {
  const writer = process.argv[3] as Writer;
  const workload = process.argv[4] as Workload;
  const inputs = await inputsOf(workload);
  const client = signingClient();
  const perRound: number[] = [];
  for (let round = 0; round < 12; round++) {
    global.gc?.();
    const cpu = process.cpuUsage();
    for (const input of inputs) {
      const command = new PutRecordsCommand(input);
      if (writer === 'kinesis-ts') writePutRecordsBodyOf(command);
      await client.send(command);
    }
    const used = process.cpuUsage(cpu);
    if (round >= 2) perRound.push((used.user + used.system) / 1000 / inputs.length); // after warm-up
  }
  if (process.send) process.send(median(perRound));
  else console.log(`${writer} ${workload}: ${median(perRound).toFixed(2)} ms per request`);
  process.exit(0);
}

function median(values: number[]): number {
  return [...values].sort((a, b) => a - b)[values.length >> 1]!;
}

function measureInChild(writer: Writer, workload: Workload): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = fork(fileURLToPath(import.meta.url), ['measure', writer, workload], {
      execArgv: ['--import', 'tsx', '--expose-gc'],
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    });
    child.once('message', (message) => resolve(message as number));
    child.once('error', reject);
  });
}

console.log('# PutRecords bodies: the SDK JSON codec against the producer writer');
console.log(`\nMachine: ${machineLine()}\n`);
const processes = Number(process.env.BENCH_ROUNDS ?? 3);
console.log(
  `CPU per request of serializing, building and signing (no HTTP), ms; median over ${processes} child processes per writer (each the median of 10 rounds), the writers alternating.\n`,
);
console.log("| requests | SDK codec ('sdk') | producer ('kinesis-ts') | ratio |");
console.log('| --- | ---: | ---: | ---: |');
for (const workload of Object.keys(WORKLOADS) as Workload[]) {
  const figures: Record<Writer, number[]> = { sdk: [], 'kinesis-ts': [] };
  for (let round = 0; round < processes; round++) {
    figures.sdk.push(await measureInChild('sdk', workload));
    figures['kinesis-ts'].push(await measureInChild('kinesis-ts', workload));
  }
  const sdk = median(figures.sdk);
  const ours = median(figures['kinesis-ts']);
  console.log(
    `| ${WORKLOADS[workload]} | ${sdk.toFixed(2)} | ${ours.toFixed(2)} | ${(ours / sdk).toFixed(2)} |`,
  );
}
