/**
 * Duplicates on scale-out: 3 workers share 10 shards under 1,000 records/s, then 2 more join and
 * take their share. Each record is counted where it is delivered; a record delivered twice is one
 * that a moved lease made the new owner read again. Run twice in the same run, on the same local
 * stack: leases moved by the KCL 3.x graceful handoff (the default) and by stealing (the KCL 2.x move,
 * `gracefulLeaseHandoff: false`). Handlers take 20 ms a batch and checkpoint after each (the handler
 * path), so they always finish within the handoff timeout.
 *
 * Run with `npx -y pnpm@10 bench handoff`; the figures go to docs/benchmarks.md.
 */
import { PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { KinesisConsumer } from '@kinesis-ts/consumer';
import { startLocalStack } from '@kinesis-ts/local';
import { machineLine } from './harness.js';

const SHARDS = 10;
const RATE_PER_SECOND = 1_000;
const FAILOVER_MS = 3_000;
const BEFORE_JOIN_MS = 8_000;
const AFTER_BALANCE_MS = 8_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface ModeResult {
  mode: string;
  produced: number;
  deliveredTwice: number;
  missing: number;
  moves: number;
  balancedInMs: number;
  /** Records the stream accepted per second (the local emulator may accept fewer than offered). */
  acceptedPerSecond: number;
}

async function scaleOut(
  stack: Awaited<ReturnType<typeof startLocalStack>>,
  mode: 'handoff' | 'steal',
): Promise<ModeResult> {
  const streamName = `scaleout-${mode}`;
  const kinesis = stack.kinesisClient();
  const dynamoDb = stack.dynamoDbClient();
  const seen = new Map<string, number>();
  const workers: KinesisConsumer[] = [];
  const start = (id: string) => {
    const worker = new KinesisConsumer({
      streamName,
      applicationName: `scaleout-${mode}`,
      workerId: id,
      kinesisClient: kinesis,
      dynamoDbClient: dynamoDb,
      initialPosition: 'TRIM_HORIZON',
      failoverTimeMs: FAILOVER_MS,
      gracefulLeaseHandoff: mode === 'handoff',
      retrieval: { mode: 'polling', idleTimeBetweenReadsMs: 200 },
      handler: async (records) => {
        for (const record of records) {
          const id = new TextDecoder().decode(record.data);
          seen.set(id, (seen.get(id) ?? 0) + 1);
        }
        await sleep(20);
      },
    });
    workers.push(worker);
    return worker.start();
  };
  await Promise.all(['w1', 'w2', 'w3'].map(start));

  let produced = 0;
  let producing = true;
  const producingSince = Date.now();
  const production = (async () => {
    const started = Date.now();
    while (producing) {
      const due = Math.floor(((Date.now() - started) / 1_000) * RATE_PER_SECOND) - produced;
      for (let offset = 0; offset < due; offset += 500) {
        const count = Math.min(500, due - offset);
        const first = produced;
        produced += count;
        await kinesis.send(
          new PutRecordsCommand({
            StreamName: streamName,
            Records: Array.from({ length: count }, (_, i) => ({
              Data: new TextEncoder().encode(`${mode}-${first + i}`),
              PartitionKey: `k${(first + i) % 997}`,
            })),
          }),
        );
      }
      await sleep(100);
    }
  })();

  await sleep(BEFORE_JOIN_MS);
  const joinedAt = Date.now();
  await Promise.all(['w4', 'w5'].map(start));
  const balanced = () => workers.every((w) => w.heldLeaseKeys().length === 2);
  while (!balanced() && Date.now() - joinedAt < 120_000) await sleep(50);
  const balancedInMs = Date.now() - joinedAt;
  await sleep(AFTER_BALANCE_MS);
  producing = false;
  await production;
  const acceptedPerSecond = produced / ((Date.now() - producingSince) / 1_000);
  const drainedBy = Date.now() + 30_000;
  while (seen.size < produced && Date.now() < drainedBy) await sleep(100);
  const moves = workers.reduce((sum, w) => sum + w.metrics().TakenLeases, 0) - SHARDS;
  await Promise.all(workers.map((w) => w.stop()));
  let deliveredTwice = 0;
  for (const count of seen.values()) if (count > 1) deliveredTwice += count - 1;
  return {
    mode,
    produced,
    deliveredTwice,
    missing: produced - seen.size,
    moves,
    balancedInMs,
    acceptedPerSecond,
  };
}

const stack = await startLocalStack({
  streams: [
    { name: 'scaleout-handoff', shardCount: SHARDS },
    { name: 'scaleout-steal', shardCount: SHARDS },
  ],
});
try {
  const results = [await scaleOut(stack, 'handoff'), await scaleOut(stack, 'steal')];
  console.log(
    `\n## Duplicates on scale-out (3 → 5 workers, ${SHARDS} shards, ${RATE_PER_SECOND} records/s)\n`,
  );
  console.log(machineLine());
  console.log(`failover ${FAILOVER_MS} ms; handlers 20 ms a batch, checkpointed after each\n`);
  console.log(
    '| leases moved by | records (accepted/s) | delivered twice | missing | lease moves | balanced after join |',
  );
  console.log('| --- | ---: | ---: | ---: | ---: | ---: |');
  for (const r of results) {
    const label =
      r.mode === 'handoff' ? 'graceful handoff (default)' : 'stealing (`gracefulLeaseHandoff: false`)';
    console.log(
      `| ${label} | ${r.produced} (${Math.round(r.acceptedPerSecond)}/s) | ${r.deliveredTwice} | ${r.missing} | ${r.moves} | ${(r.balancedInMs / 1_000).toFixed(1)} s |`,
    );
  }
} finally {
  await stack.stop();
}
