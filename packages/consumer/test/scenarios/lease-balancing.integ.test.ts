import { uniqueName } from '@kinesis-ts/local';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type Checkpointer,
  KinesisConsumer,
  type KinesisConsumerOptions,
  LeaseLostError,
} from '../../src/index.js';
import { putRecords, readLeases, useLocalStack, useTestStreams, waitFor } from '../local-stack.js';
import { startWorkerProcess, type WorkerProcess } from '../worker-process-handle.js';

const FAILOVER_MS = 2_000;
const local = useLocalStack();
const createStream = useTestStreams(local);
const kinesis = local.kinesisClient();
const dynamoDb = local.dynamoDbClient();
const workers: KinesisConsumer[] = [];
const processes: WorkerProcess[] = [];

afterEach(async () => {
  await Promise.all(processes.splice(0).map((p) => p.kill()));
  await Promise.all(workers.splice(0).map((w) => w.stop()));
});

function worker(
  streamName: string,
  applicationName: string,
  workerId: string,
  extra: Partial<KinesisConsumerOptions> = {},
) {
  const created = new KinesisConsumer({
    streamName,
    applicationName,
    workerId,
    kinesisClient: kinesis,
    dynamoDbClient: dynamoDb,
    initialPosition: 'TRIM_HORIZON',
    failoverTimeMs: FAILOVER_MS,
    idleTimeBetweenReadsMs: 500,
    handler: async () => {},
    ...extra,
  } as KinesisConsumerOptions);
  workers.push(created);
  return created;
}

/** Lease counts per worker, from the table (owned leases only). */
async function ownerCounts(applicationName: string): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const lease of (await readLeases(dynamoDb, applicationName)).values()) {
    if (lease.leaseOwner) counts[lease.leaseOwner] = (counts[lease.leaseOwner] ?? 0) + 1;
  }
  return counts;
}

function balanced(consumers: KinesisConsumer[], each: number, total: number): boolean {
  const held = consumers.map((c) => c.heldLeaseKeys());
  return held.every((keys) => keys.length === each) && new Set(held.flat()).size === total;
}

describe('several workers sharing a stream', () => {
  it('settles 10 shards over 5 workers at exactly 2 leases each, every shard with one owner', async () => {
    const streamName = uniqueName('balance');
    const app = uniqueName('app');
    await createStream(streamName, 10);
    const consumers = ['w1', 'w2', 'w3', 'w4', 'w5'].map((id) => worker(streamName, app, id));
    await Promise.all(consumers.map((c) => c.start()));
    const settledInMs = await waitFor(() => balanced(consumers, 2, 10), '2 leases per worker', 40_000, 100);
    expect(await ownerCounts(app)).toEqual({ w1: 2, w2: 2, w3: 2, w4: 2, w5: 2 });
    // Stable: a few more taker runs change nothing.
    await new Promise((resolve) => setTimeout(resolve, 3 * (FAILOVER_MS / 2)));
    expect(balanced(consumers, 2, 10)).toBe(true);
    console.log(`10 shards / 5 workers settled at 2 each in ${settledInMs} ms (failover ${FAILOVER_MS} ms)`);
  });

  it('rebalances when workers join, and the previous owner of a moved shard can no longer checkpoint', async () => {
    const streamName = uniqueName('join');
    const app = uniqueName('app');
    await createStream(streamName, 10);
    await putRecords(kinesis, streamName, 200);
    const lateCheckpoints: unknown[] = [];
    const processor = () => {
      let checkpointer: Checkpointer | undefined;
      return {
        processRecords: async (input: { checkpointer: Checkpointer }) => {
          checkpointer = input.checkpointer;
          await input.checkpointer.checkpoint();
        },
        leaseLost: async () => {
          lateCheckpoints.push(await checkpointer?.checkpoint().catch((error: unknown) => error));
        },
      };
    };
    // Stealing (the KCL 2.x move): handoffs are covered in lease-handoff.integ.test.ts.
    const a = worker(streamName, app, 'a', { handler: undefined, processor, gracefulLeaseHandoff: false });
    const b = worker(streamName, app, 'b', { handler: undefined, processor, gracefulLeaseHandoff: false });
    await Promise.all([a.start(), b.start()]);
    await waitFor(() => balanced([a, b], 5, 10), '5 leases each', 30_000, 100);
    const lostBefore = a.metrics().LostLeases + b.metrics().LostLeases;
    const joiners = ['c', 'd', 'e'].map((id) =>
      worker(streamName, app, id, { handler: undefined, processor, gracefulLeaseHandoff: false }),
    );
    await Promise.all(joiners.map((c) => c.start()));
    const rebalancedInMs = await waitFor(
      () => balanced([a, b, ...joiners], 2, 10),
      '2 leases each',
      60_000,
      100,
    );
    expect(await ownerCounts(app)).toEqual({ a: 2, b: 2, c: 2, d: 2, e: 2 });
    // At least 6 leases had to move; the KCL's steal-one-at-a-time rule may move a few more while
    // the joiners do not yet see each other (they first aim at ceil(10 / 3) = 4).
    const moved = [a, b, ...joiners].reduce((sum, c) => sum + c.metrics().LostLeases, 0) - lostBefore;
    const stolenByJoiners = joiners.reduce((sum, c) => sum + c.metrics().StolenLeases, 0);
    expect(moved).toBeGreaterThanOrEqual(6);
    expect(stolenByJoiners).toBeGreaterThanOrEqual(6);
    const attempted = lateCheckpoints.filter((e) => e !== undefined);
    expect(attempted.length).toBeGreaterThan(0);
    for (const error of attempted) {
      expect(error).toBeInstanceOf(LeaseLostError);
      expect(error).toMatchObject({ code: 'LEASE_LOST' });
    }
    console.log(`2 → 5 workers rebalanced to 2 each in ${rebalancedInMs} ms, ${moved} leases moved`);
  });

  it("takes over a killed worker's shards within about 2 × the failover time, resuming from its checkpoints", async () => {
    const streamName = uniqueName('kill');
    const app = uniqueName('app');
    await createStream(streamName, 4);
    const ids = await putRecords(kinesis, streamName, 200);
    const victim = startWorkerProcess({
      ...local,
      streamName,
      applicationName: app,
      workerId: 'victim',
      failoverTimeMs: FAILOVER_MS,
    });
    processes.push(victim);
    await victim.started;
    await waitFor(() => victim.keys().length >= ids.length, 'the victim to process everything', 20_000);
    const survivorKeys: string[] = [];
    const survivorWorker = worker(streamName, app, 'survivor', {
      handler: async (records) => {
        survivorKeys.push(...records.map((r) => r.partitionKey));
      },
    });
    await survivorWorker.start();
    await waitFor(
      () => victim.held().length + survivorWorker.heldLeaseKeys().length === 4 && victim.held().length === 2,
      '2 + 2',
      30_000,
      100,
    );
    const victimLeases = [...victim.held()];
    const killedAt = Date.now();
    await victim.kill();
    const takeoverMs = await waitFor(
      () => survivorWorker.heldLeaseKeys().length === 4,
      'the survivor to hold every lease',
      6 * FAILOVER_MS,
      50,
    );
    const elapsed = Date.now() - killedAt;
    expect(elapsed).toBeLessThanOrEqual(2 * FAILOVER_MS + 1_000);
    // The survivor resumes the victim's shards from their checkpoints: new records arrive, and
    // nothing the victim checkpointed is delivered again.
    const later = await putRecords(kinesis, streamName, 100, 'later');
    await waitFor(() => later.every((key) => survivorKeys.includes(key)), 'the later records', 20_000);
    const redelivered = survivorKeys.filter((key) => victim.keys().includes(key));
    expect(redelivered).toEqual([]);
    const leases = await readLeases(dynamoDb, app);
    for (const key of victimLeases) expect(leases.get(key)?.leaseOwner).toBe('survivor');
    console.log(
      `killed worker's leases taken over after ${elapsed} ms (failover ${FAILOVER_MS} ms, wait ${takeoverMs} ms)`,
    );
  });

  it('on a graceful stop releases every lease so another worker takes them within seconds', async () => {
    const streamName = uniqueName('graceful');
    const app = uniqueName('app');
    await createStream(streamName, 4);
    const timers = { failoverTimeMs: 30_000, leaseRenewalIntervalMs: 500, leaseTakerIntervalMs: 1_000 };
    const leaving = worker(streamName, app, 'leaving', timers);
    const staying = worker(streamName, app, 'staying', timers);
    await leaving.start();
    await staying.start();
    await waitFor(() => balanced([leaving, staying], 2, 4), '2 leases each', 60_000, 100);
    const stoppedAt = Date.now();
    await leaving.stop();
    const leases = await readLeases(dynamoDb, app);
    expect([...leases.values()].filter((l) => l.leaseOwner === 'leaving')).toEqual([]);
    await waitFor(() => staying.heldLeaseKeys().length === 4, 'the other worker to take all 4', 10_000, 50);
    const handoverMs = Date.now() - stoppedAt;
    // Without the release it would take at least the failover time (30 s here).
    expect(handoverMs).toBeLessThan(5_000);
    console.log(`graceful stop handed 2 leases over in ${handoverMs} ms (failover 30000 ms)`);
  });
});
