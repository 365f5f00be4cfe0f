import { type ChildProcess, spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { uniqueName } from '@kinesis-ts/local';
import { afterEach, describe, expect, it } from 'vitest';
import { KinesisConsumer } from '../../src/index.js';
import { readMark, useIdempotencyTables } from '../idempotency-table.js';
import { effectsHandler, readEffects } from '../idempotent-effects.js';
import { useLocalStack, useTestStreams, waitFor } from '../local-stack.js';

const here = dirname(fileURLToPath(import.meta.url));
const FAILOVER_MS = 1_500;
const CLAIM_LEASE_MS = 4_000;
const local = useLocalStack();
const createStream = useTestStreams(local);
const createTable = useIdempotencyTables(local.dynamoDbClient());
const kinesis = local.kinesisClient();
const dynamoDb = local.dynamoDbClient();
const children: ChildProcess[] = [];
const consumers: KinesisConsumer[] = [];

afterEach(async () => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
  await Promise.all(consumers.splice(0).map((consumer) => consumer.stop()));
});

/** Starts test/idempotent-worker-process.ts; resolves the messages it reports, by type. */
function startWorker(config: object) {
  const child = spawn(
    process.execPath,
    [
      '--conditions=kinesis-ts-source',
      '--import',
      'tsx',
      join(here, '../idempotent-worker-process.ts'),
      JSON.stringify(config),
    ],
    { cwd: join(here, '../..'), stdio: ['ignore', 'pipe', 'pipe'] },
  );
  children.push(child);
  const messages: { type: string; eventId?: string; outcome?: string }[] = [];
  let buffer = '';
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  child.stdout?.on('data', (chunk: Buffer) => {
    buffer += chunk.toString();
    for (let newline = buffer.indexOf('\n'); newline !== -1; newline = buffer.indexOf('\n')) {
      messages.push(JSON.parse(buffer.slice(0, newline)));
      buffer = buffer.slice(newline + 1);
    }
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    messages,
    stderr: () => stderr,
    kill: async () => {
      child.kill('SIGKILL');
      await exited;
    },
  };
}

describe('an idempotent side effect across a worker crash', () => {
  it('a worker killed between claim and done leads to exactly one completed side effect after takeover', async () => {
    const streamName = uniqueName('takeover');
    const applicationName = uniqueName('app');
    await createStream(streamName, 1);
    const idempotencyTable = await createTable();
    const effectsTable = await createTable();
    const events = ['event-1', 'event-2', 'event-3'];
    await kinesis.send(
      new PutRecordsCommand({
        StreamName: streamName,
        Records: events.map((id) => ({ PartitionKey: 'one-key', Data: new TextEncoder().encode(id) })),
      }),
    );
    const common = {
      streamName,
      applicationName,
      failoverTimeMs: FAILOVER_MS,
      idempotencyTable,
      effectsTable,
      leaseDurationMs: CLAIM_LEASE_MS,
    };

    // Worker A completes event-1, claims event-2 and hangs in its side effect; then it is killed.
    const workerA = startWorker({ ...local, ...common, workerId: 'A', hangOn: 'event-2' });
    await waitFor(
      () => workerA.messages.some((m) => m.type === 'hanging'),
      `worker A to hang in event-2 (stderr: ${workerA.stderr().slice(-500)})`,
      30_000,
    );
    expect(await readMark(dynamoDb, idempotencyTable, 'event-2')).toMatchObject({ status: 'IN_PROGRESS' });
    expect(await readMark(dynamoDb, idempotencyTable, 'event-1')).toMatchObject({ status: 'DONE' });
    await workerA.kill();

    // Worker B takes the shard over after the failover time and gets the batch again from the checkpoint.
    const outcomes: string[] = [];
    const workerB = new KinesisConsumer({
      streamName,
      applicationName,
      workerId: 'B',
      kinesisClient: kinesis,
      dynamoDbClient: dynamoDb,
      initialPosition: 'TRIM_HORIZON',
      failoverTimeMs: FAILOVER_MS,
      idleTimeBetweenReadsMs: 200,
      handler: effectsHandler({
        dynamoDb,
        idempotencyTable,
        effectsTable,
        workerId: 'B',
        leaseDurationMs: CLAIM_LEASE_MS,
        onOutcome: (eventId, outcome) => outcomes.push(`${eventId} ${outcome}`),
      }),
    });
    consumers.push(workerB);
    await workerB.start();
    await waitFor(() => outcomes.includes('event-3 processed'), 'worker B to finish the batch', 30_000);

    expect(outcomes).toEqual(['event-1 duplicate', 'event-2 processed', 'event-3 processed']);
    const effects = await readEffects(dynamoDb, effectsTable);
    expect(Object.fromEntries(effects)).toEqual({ 'event-1': ['A'], 'event-2': ['B'], 'event-3': ['B'] });
    for (const id of events)
      expect(await readMark(dynamoDb, idempotencyTable, id)).toMatchObject({ status: 'DONE' });
  });
});
