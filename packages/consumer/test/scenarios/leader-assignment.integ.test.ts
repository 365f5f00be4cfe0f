import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { injectDynamoDbFaults, uniqueName } from '@kinesis-ts/local';
import { afterEach, describe, expect, it } from 'vitest';
import { KinesisConsumer, type KinesisConsumerOptions } from '../../src/index.js';
import { readLeases, useLocalStack, useTestStreams, waitFor } from '../local-stack.js';

const FAILOVER_MS = 2_000;
const LOCK_MS = 8_000;
const HEARTBEAT_MS = 1_000;
const local = useLocalStack();
const createStream = useTestStreams(local);
const kinesis = local.kinesisClient();
const reader = local.dynamoDbClient();
const workers: KinesisConsumer[] = [];

afterEach(async () => {
  await Promise.all(workers.splice(0).map((w) => w.stop()));
});

/** A worker with load-aware assignment and its own DynamoDB client (so faults can be injected on it alone). */
function worker(streamName: string, applicationName: string, workerId: string) {
  const dynamoDbClient = local.dynamoDbClient();
  const consumer = new KinesisConsumer({
    streamName,
    applicationName,
    workerId,
    kinesisClient: kinesis,
    dynamoDbClient,
    initialPosition: 'TRIM_HORIZON',
    failoverTimeMs: FAILOVER_MS,
    leaseAssignment: 'worker-utilization',
    leaderLockLeaseDurationMs: LOCK_MS,
    leaderLockHeartbeatPeriodMs: HEARTBEAT_MS,
    workerMetricsReportIntervalMs: 2_000,
    shutdownTimeoutMs: 2_000,
    handler: async () => {},
  } satisfies KinesisConsumerOptions);
  workers.push(consumer);
  const leadership: boolean[] = [];
  consumer.on('leadership:changed', ({ isLeader }) => leadership.push(isLeader));
  return { consumer, dynamoDbClient, workerId, leadership };
}

async function lockOwner(table: string): Promise<string | undefined> {
  const output = await reader.send(
    new GetItemCommand({ TableName: table, Key: { leaseKey: { S: 'Leader' } }, ConsistentRead: true }),
  );
  return output.Item?.isReleased ? undefined : output.Item?.ownerName?.S;
}

async function owners(table: string): Promise<Map<string, string | undefined>> {
  return new Map([...(await readLeases(reader, table)).values()].map((l) => [l.leaseKey, l.leaseOwner]));
}

describe('load-aware assignment with an elected leader', () => {
  it('assigns every shard from one leader, and when the leader dies the others take its leases and one of them leads', async () => {
    const streamName = uniqueName('leader');
    const app = uniqueName('app');
    await createStream(streamName, 4);
    const fleet = ['w1', 'w2', 'w3'].map((id) => worker(streamName, app, id));
    await Promise.all(fleet.map((w) => w.consumer.start()));
    await waitFor(
      async () => [...(await owners(app)).values()].every((o) => o !== undefined),
      'every shard assigned',
      30_000,
      200,
    );
    const leader = await lockOwner(app);
    expect(fleet.map((w) => w.workerId)).toContain(leader);
    // Each worker said whether it leads: the lock's owner last said yes, the others never did.
    for (const w of fleet) {
      if (w.workerId === leader) expect(w.leadership.at(-1), `${w.workerId} leads`).toBe(true);
      else expect(w.leadership, `${w.workerId} does not lead`).not.toContain(true);
    }
    // The lock row is not a lease: nobody processes it, the lease listing skips it.
    expect((await owners(app)).has('Leader')).toBe(false);
    expect([...(await owners(app)).keys()].sort()).toHaveLength(4);

    // The leader "dies": every DynamoDB call it makes is throttled from now on (renewals, heartbeats).
    const dead = fleet.find((w) => w.workerId === leader)!;
    injectDynamoDbFaults(dead.dynamoDbClient, {
      callErrors: [{ error: 'ProvisionedThroughputExceededException' }],
    });
    const diedAt = Date.now();
    let leasesRetakenAt: number | undefined;
    let newLeaderAt: number | undefined;
    let newLeader: string | undefined;
    await waitFor(
      async () => {
        const now = Date.now();
        if (leasesRetakenAt === undefined) {
          const current = await owners(app);
          if ([...current.values()].every((o) => o !== undefined && o !== leader)) leasesRetakenAt = now;
        }
        if (newLeaderAt === undefined) {
          const owner = await lockOwner(app);
          if (owner !== undefined && owner !== leader) {
            newLeaderAt = now;
            newLeader = owner;
          }
        }
        return leasesRetakenAt !== undefined && newLeaderAt !== undefined;
      },
      'the dead leader’s leases retaken and a new leader',
      2 * LOCK_MS + 20_000,
      200,
    );
    expect(newLeader).not.toBe(leader);
    expect(fleet.find((w) => w.workerId === newLeader)!.leadership).toContain(true);
    // The lock's promise: a new leader within about two lock lease durations.
    expect(newLeaderAt! - diedAt).toBeLessThanOrEqual(2 * LOCK_MS);
    // Assignment did not wait for the new leader: the expired leases were taken first.
    expect(leasesRetakenAt!).toBeLessThanOrEqual(newLeaderAt!);
    console.log(
      `leader died: leases retaken after ${leasesRetakenAt! - diedAt} ms, new leader after ${newLeaderAt! - diedAt} ms (lock ${LOCK_MS} ms, failover ${FAILOVER_MS} ms)`,
    );
  });

  it('elects one leader when a worker’s lock writes keep losing the race, and still gives that worker leases', async () => {
    const streamName = uniqueName('contend');
    const app = uniqueName('app');
    await createStream(streamName, 6);
    const fleet = ['c1', 'c2', 'c3'].map((id) => worker(streamName, app, id));
    // c1 contends for the lock but every one of its lock writes fails its condition.
    const faults = injectDynamoDbFaults(fleet[0]!.dynamoDbClient, {
      conditionalCheckFailures: {
        predicate: (input) =>
          (input.Key as { leaseKey?: { S?: string } } | undefined)?.leaseKey?.S === 'Leader',
      },
    });
    // c1 starts first, so that it does try for the free lock (once another worker holds the lock, a
    // contender only reads it) and loses; then the others.
    await fleet[0]!.consumer.start();
    await waitFor(
      () => faults.stats().conditionalCheckFailures > 0,
      'c1 losing the race for the lock',
      15_000,
      100,
    );
    await Promise.all(fleet.slice(1).map((w) => w.consumer.start()));
    await waitFor(
      async () => {
        const current = [...(await owners(app)).values()];
        return current.every((o) => o !== undefined) && current.includes('c1');
      },
      'every shard assigned, c1 included',
      30_000,
      200,
    );
    const leader = await lockOwner(app);
    expect(['c2', 'c3']).toContain(leader);
    // Renewals write each lease's throughput estimate (0 KB/s here: the stream is empty).
    await waitFor(
      async () => [...(await readLeases(reader, app)).values()].every((l) => l.throughputKBps === 0),
      'throughputKBps on every lease',
      10_000,
      200,
    );
    // Stable leadership: the lock keeps its owner over several heartbeats.
    await new Promise((resolve) => setTimeout(resolve, 4 * HEARTBEAT_MS));
    expect(await lockOwner(app)).toBe(leader);
    expect(faults.stats().conditionalCheckFailures).toBeGreaterThan(0);
  });
});
