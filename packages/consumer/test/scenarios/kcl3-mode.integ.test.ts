import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { uniqueName } from '@kinesis-ts/local';
import { afterEach, describe, expect, it } from 'vitest';
import { KinesisConsumer, type KinesisConsumerOptions } from '../../src/index.js';
import { putRecords, readLeases, useLocalStack, useTestStreams, waitFor } from '../local-stack.js';

const FAILOVER_MS = 2_000;
const local = useLocalStack();
const createStream = useTestStreams(local);
const kinesis = local.kinesisClient();
const reader = local.dynamoDbClient();
const workers: KinesisConsumer[] = [];

afterEach(async () => {
  await Promise.all(workers.splice(0).map((w) => w.stop()));
});

interface Worker {
  readonly workerId: string;
  readonly consumer: KinesisConsumer;
  /** DynamoDB calls by command name, since the last reset. */
  readonly calls: Map<string, number>;
  /** Leader writes seen starting a graceful handoff (`SET leaseOwner = <new>, checkpointOwner = <old>`). */
  readonly handoffsStarted: string[];
  /** When set, the CPU this worker's metrics rows report (a busy worker, to make the leader rebalance). */
  cpuPercent: number | undefined;
}

/** A 'worker-utilization' worker with its own DynamoDB client, whose calls are counted. */
function worker(
  streamName: string,
  applicationName: string,
  workerId: string,
  delivered: Map<string, number>,
): Worker {
  const dynamoDbClient = local.dynamoDbClient();
  const self: Worker = {
    workerId,
    consumer: undefined as unknown as KinesisConsumer,
    calls: new Map(),
    handoffsStarted: [],
    cpuPercent: undefined,
  };
  dynamoDbClient.middlewareStack.add(
    (next, context) => async (args) => {
      const name = context.commandName ?? 'unknown';
      self.calls.set(name, (self.calls.get(name) ?? 0) + 1);
      const input = args.input as {
        Key?: { leaseKey?: { S?: string } };
        UpdateExpression?: string;
        ExpressionAttributeValues?: Record<string, { L?: unknown[]; M?: Record<string, { L?: unknown[] }> }>;
      };
      if (name === 'UpdateItemCommand') {
        const values = input.ExpressionAttributeValues;
        const cpu = values?.[':sts']?.M?.C;
        if (self.cpuPercent !== undefined && input.Key?.leaseKey?.S === workerId && cpu?.L) {
          cpu.L = cpu.L.map(() => ({ N: String(self.cpuPercent) }));
        }
        if (input.UpdateExpression?.includes('#checkpointOwner = :old') && input.Key?.leaseKey?.S) {
          self.handoffsStarted.push(input.Key.leaseKey.S);
        }
      }
      return next(args);
    },
    { step: 'initialize', name: `count-${workerId}` },
  );
  const consumer = new KinesisConsumer({
    streamName,
    applicationName,
    workerId,
    kinesisClient: kinesis,
    dynamoDbClient,
    initialPosition: 'TRIM_HORIZON',
    failoverTimeMs: FAILOVER_MS,
    leaseAssignment: 'worker-utilization',
    // Rounds every second (a rebalance every third), so the busy worker sheds within seconds.
    leaseAssignmentIntervalMs: 1_000,
    leaderLockLeaseDurationMs: 8_000,
    leaderLockHeartbeatPeriodMs: 1_000,
    workerMetricsReportIntervalMs: 1_000,
    gracefulLeaseHandoffTimeoutMs: 10_000,
    shutdownTimeoutMs: 2_000,
    handler: async (records, { shardId }) => {
      for (const record of records) {
        const key = `${shardId}/${record.sequenceNumber}`;
        delivered.set(key, (delivered.get(key) ?? 0) + 1);
      }
    },
  } satisfies KinesisConsumerOptions);
  workers.push(consumer);
  Object.assign(self, { consumer });
  return self;
}

async function lockOwner(table: string): Promise<string | undefined> {
  const output = await reader.send(
    new GetItemCommand({ TableName: table, Key: { leaseKey: { S: 'Leader' } }, ConsistentRead: true }),
  );
  return output.Item?.isReleased ? undefined : output.Item?.ownerName?.S;
}

describe("the KCL 3.x mode: 'worker-utilization' with the LeaseOwnerToLeaseKeyIndex", () => {
  it('lets only the leader scan while the others Query the index, and moves a busy worker’s lease by graceful handoff without delivering a record twice', async () => {
    const streamName = uniqueName('kcl3mode');
    const app = uniqueName('app');
    await createStream(streamName, 6);
    await putRecords(kinesis, streamName, 60);
    const delivered = new Map<string, number>();
    const fleet = ['w1', 'w2', 'w3'].map((id) => worker(streamName, app, id, delivered));
    await Promise.all(fleet.map((w) => w.consumer.start()));
    await waitFor(
      async () => {
        const leases = [...(await readLeases(reader, app)).values()];
        return leases.length === 6 && fleet.reduce((n, w) => n + w.consumer.heldLeaseKeys().length, 0) === 6;
      },
      'every shard assigned and held',
      30_000,
      200,
    );
    const leader = await lockOwner(app);
    expect(fleet.map((w) => w.workerId)).toContain(leader);

    // Discovery: over a few taker intervals, only the leader scans; the others Query the index.
    for (const w of fleet) w.calls.clear();
    await new Promise((resolve) => setTimeout(resolve, 3 * FAILOVER_MS));
    for (const w of fleet) {
      if (w.workerId === leader) {
        expect(w.calls.get('ScanCommand') ?? 0, `${w.workerId} (leader) scans`).toBeGreaterThan(0);
      } else {
        expect(w.calls.get('ScanCommand') ?? 0, `${w.workerId} does not scan`).toBe(0);
        expect(w.calls.get('QueryCommand') ?? 0, `${w.workerId} queries the index`).toBeGreaterThan(0);
      }
    }

    // A busy worker: its metrics rows say 90 % CPU, the others 10 %; the leader moves some of its
    // leases away, by graceful handoff (the owner checkpoints and transfers), not by a counter bump.
    // It must hold two leases or more: the leader never moves a worker's only lease (the receiver
    // would only become as busy). The busiest non-leader, unless the first assignment came out
    // uneven (a worker that started late, under load) and no non-leader holds two: then the leader,
    // which hands its own lease off the same way.
    const byLeases = [...fleet].sort(
      (a, b) => b.consumer.heldLeaseKeys().length - a.consumer.heldLeaseKeys().length,
    );
    const busy =
      byLeases.find((w) => w.workerId !== leader && w.consumer.heldLeaseKeys().length >= 2) ?? byLeases[0]!;
    expect(busy.consumer.heldLeaseKeys().length).toBeGreaterThanOrEqual(2);
    for (const w of fleet) w.cpuPercent = w === busy ? 90 : 10;
    const busyLeases = new Set(busy.consumer.heldLeaseKeys());
    const movedTo = new Map<string, string>();
    for (const w of fleet) {
      if (w === busy) continue;
      w.consumer.on('lease:taken', ({ leaseKey }) => {
        if (busyLeases.has(leaseKey)) movedTo.set(leaseKey, w.workerId);
      });
    }
    const released: string[] = [];
    busy.consumer.on('lease:released', ({ leaseKey, written }) => {
      if (written) released.push(leaseKey);
    });
    // Records keep flowing, so the leases carry throughput (what the leader moves is measured in KB/s).
    let put = 0;
    let feeding = true;
    const feeder = (async () => {
      while (feeding) {
        await putRecords(kinesis, streamName, 30, `f${put}`);
        put += 30;
        await new Promise((resolve) => setTimeout(resolve, 300));
      }
    })();
    try {
      await waitFor(
        () => movedTo.size > 0,
        `a lease moved off the busy worker ${busy.workerId} (when it was made busy: leader ${leader}, leases held ${fleet
          .map((w) => `${w.workerId} ${w.consumer.heldLeaseKeys().length}`)
          .join(', ')})`,
        60_000,
        200,
      );
    } finally {
      feeding = false;
      await feeder;
    }
    const movedKey = [...movedTo.keys()][0]!;
    const leaderWorker = fleet.find((w) => w.workerId === leader)!;
    expect(leaderWorker.handoffsStarted).toContain(movedKey);
    // The old owner transferred the lease itself (checkpointOwner removed by its write).
    expect(released).toContain(movedKey);
    const row = (await readLeases(reader, app)).get(movedKey);
    expect(row?.leaseOwner).toBe(movedTo.get(movedKey));
    expect(row?.checkpointOwner).toBeUndefined();

    // More records after the move: the new owner resumes from the old owner's checkpoint.
    await putRecords(kinesis, streamName, 60, 's');
    await waitFor(() => delivered.size >= 120 + put, 'every record delivered', 30_000, 200);
    const twice = [...delivered].filter(([, n]) => n > 1).map(([key]) => key);
    expect(twice).toEqual([]);
  }, 150_000);
});
