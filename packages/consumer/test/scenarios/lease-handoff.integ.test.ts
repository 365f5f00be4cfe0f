import {
  type AttributeValue,
  GetItemCommand,
  PutItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { injectDynamoDbFaults, uniqueName } from '@kinesis-ts/local';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type Checkpointer,
  KinesisConsumer,
  type KinesisConsumerOptions,
  LeaseLostError,
} from '../../src/index.js';
import { LeaseTable } from '../../src/leases/dynamodb/lease-table.js';
import { putRecords, readLeases, text, useLocalStack, useTestStreams, waitFor } from '../local-stack.js';

const FAILOVER_MS = 2_000;
const HANDOFF_TIMEOUT_MS = 3_000;
const local = useLocalStack();
const createStream = useTestStreams(local);
const kinesis = local.kinesisClient();
const dynamoDb = local.dynamoDbClient();
const workers: KinesisConsumer[] = [];
const cleanups: (() => void)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) cleanup();
  await Promise.all(workers.splice(0).map((w) => w.stop()));
});

function worker(
  streamName: string,
  applicationName: string,
  workerId: string,
  extra: Partial<KinesisConsumerOptions>,
) {
  const created = new KinesisConsumer({
    streamName,
    applicationName,
    workerId,
    kinesisClient: kinesis,
    dynamoDbClient: dynamoDb,
    initialPosition: 'TRIM_HORIZON',
    failoverTimeMs: FAILOVER_MS,
    gracefulLeaseHandoffTimeoutMs: HANDOFF_TIMEOUT_MS,
    retrieval: { mode: 'polling', idleTimeBetweenReadsMs: 200 },
    ...extra,
  } as KinesisConsumerOptions);
  workers.push(created);
  return created;
}

interface Delivery {
  readonly workerId: string;
  readonly shardId: string;
  readonly ids: string[];
  readonly at: number;
}

/** A processor that checkpoints only when asked to shut down: a move that skips that step re-delivers everything. */
function checkpointOnShutdownOnly(workerId: string, deliveries: Delivery[], events: string[]) {
  return (shardId: string) => {
    return {
      processRecords: async (input: { records: readonly { data: Uint8Array }[] }) => {
        if (input.records.length === 0) return;
        deliveries.push({ workerId, shardId, ids: input.records.map((r) => text(r.data)), at: Date.now() });
      },
      shutdownRequested: async (input: { checkpointer: Checkpointer }) => {
        events.push(`${workerId} shutdownRequested ${shardId}`);
        await input.checkpointer.checkpoint();
      },
      leaseLost: async () => {
        events.push(`${workerId} leaseLost ${shardId}`);
      },
    };
  };
}

function duplicatesAndMissing(deliveries: readonly Delivery[], expected: number, prefix: string) {
  const seen = new Map<string, number>();
  for (const d of deliveries) for (const id of d.ids) seen.set(id, (seen.get(id) ?? 0) + 1);
  let duplicates = 0;
  for (const count of seen.values()) duplicates += count - 1;
  let missing = 0;
  for (let i = 0; i < expected; i++) if (!seen.has(`${prefix}-${i}`)) missing++;
  return { duplicates, missing };
}

/** A KCL 2.x-protocol peer: renews the leases it holds on the counter alone, never looks at checkpointOwner. */
function kcl2Peer(table: string, workerId: string, leaseKeys: string[]) {
  const held = new Set(leaseKeys);
  const timer = setInterval(async () => {
    for (const leaseKey of [...held]) {
      const row = (
        await dynamoDb.send(new GetItemCommand({ TableName: table, Key: { leaseKey: { S: leaseKey } } }))
      ).Item;
      try {
        await dynamoDb.send(
          new UpdateItemCommand({
            TableName: table,
            Key: { leaseKey: { S: leaseKey } },
            UpdateExpression: 'SET leaseCounter = :next',
            ConditionExpression: 'leaseCounter = :seen',
            ExpressionAttributeValues: {
              ':next': { N: String(Number(row?.leaseCounter?.N) + 1) },
              ':seen': row!.leaseCounter!,
            },
          }),
        );
        // A KCL 2.x worker believes it still owns the lease as long as the counter is its own.
        if (row?.leaseOwner?.S !== workerId && row?.checkpointOwner?.S !== workerId) held.delete(leaseKey);
      } catch {
        held.delete(leaseKey);
      }
    }
  }, 400);
  cleanups.push(() => clearInterval(timer));
  return held;
}

describe('graceful lease handoff between workers', () => {
  it('moves a lease to a joining worker by handoff: the old owner checkpoints, the new one resumes there, nothing twice', async () => {
    const streamName = uniqueName('handoff');
    const app = uniqueName('app');
    await createStream(streamName, 2);
    const deliveries: Delivery[] = [];
    const events: string[] = [];
    const a = worker(streamName, app, 'a', { processor: checkpointOnShutdownOnly('a', deliveries, events) });
    await a.start();
    await putRecords(kinesis, streamName, 100, 'first');
    await waitFor(
      () => duplicatesAndMissing(deliveries, 100, 'first').missing === 0,
      'A reading 100 records',
    );
    const b = worker(streamName, app, 'b', { processor: checkpointOnShutdownOnly('b', deliveries, events) });
    await b.start();
    await waitFor(
      () => a.heldLeaseKeys().length === 1 && b.heldLeaseKeys().length === 1,
      'one lease each',
      30_000,
    );
    await putRecords(kinesis, streamName, 100, 'second');
    await waitFor(
      () => duplicatesAndMissing(deliveries, 100, 'second').missing === 0,
      'the second 100',
      20_000,
    );
    expect(duplicatesAndMissing(deliveries, 100, 'first')).toEqual({ duplicates: 0, missing: 0 });
    expect(duplicatesAndMissing(deliveries, 100, 'second')).toEqual({ duplicates: 0, missing: 0 });
    const moved = b.heldLeaseKeys()[0]!;
    expect(events).toEqual([`a shutdownRequested ${moved}`]);
    expect(a.metrics().LostLeases).toBe(0);
    const row = (await readLeases(dynamoDb, app)).get(moved)!;
    expect(row).toMatchObject({ leaseOwner: 'b', checkpointOwner: undefined });
  });

  it('hands over a lease whose handler never returns after gracefulLeaseHandoffTimeoutMs, and the stuck handler can no longer checkpoint', async () => {
    const streamName = uniqueName('stuck');
    const app = uniqueName('app');
    await createStream(streamName, 2);
    const deliveries: Delivery[] = [];
    let stuck = false;
    let unblock: () => void = () => {};
    const blocked = new Promise<void>((resolve) => {
      unblock = resolve;
    });
    cleanups.push(() => unblock());
    const lateCheckpoints: { shardId: string; result: unknown }[] = [];
    const a = worker(streamName, app, 'a', {
      handler: async (records, { shardId, checkpointer }) => {
        if (records.length === 0) return;
        deliveries.push({ workerId: 'a', shardId, ids: records.map((r) => text(r.data)), at: Date.now() });
        if (!stuck) return;
        await blocked;
        lateCheckpoints.push({
          shardId,
          result: await checkpointer.checkpoint().catch((error: unknown) => error),
        });
      },
    });
    await a.start();
    await putRecords(kinesis, streamName, 40, 'first');
    await waitFor(() => duplicatesAndMissing(deliveries, 40, 'first').missing === 0, 'A reading');
    await waitFor(async () => {
      const rows = [...(await readLeases(dynamoDb, app)).values()];
      return rows.every((l) => l.checkpoint.sequenceNumber !== 'TRIM_HORIZON');
    }, 'A checkpointing');
    stuck = true;
    await putRecords(kinesis, streamName, 40, 'second');
    await waitFor(
      () => deliveries.filter((d) => d.ids[0]?.startsWith('second')).length === 2,
      'A stuck on both shards',
    );
    const b = worker(streamName, app, 'b', {
      handler: async (records, { shardId }) => {
        if (records.length > 0)
          deliveries.push({ workerId: 'b', shardId, ids: records.map((r) => text(r.data)), at: Date.now() });
      },
    });
    const handoffStarted = Date.now();
    await b.start();
    await waitFor(() => b.heldLeaseKeys().length === 1, 'B taking one lease', HANDOFF_TIMEOUT_MS + 20_000);
    const tookMs = Date.now() - handoffStarted;
    const moved = b.heldLeaseKeys()[0]!;
    await waitFor(() => duplicatesAndMissing(deliveries, 40, 'second').missing === 0, 'every record', 20_000);
    const firstOnB = Math.min(...deliveries.filter((d) => d.workerId === 'b').map((d) => d.at));
    unblock();
    await waitFor(() => lateCheckpoints.some((c) => c.shardId === moved), 'the stuck handler returning');
    // The moved shard's stuck batch cannot be checkpointed by A, and A delivered nothing of it after B began.
    expect(lateCheckpoints.find((c) => c.shardId === moved)?.result).toBeInstanceOf(LeaseLostError);
    expect(deliveries.filter((d) => d.workerId === 'a' && d.shardId === moved && d.at >= firstOnB)).toEqual(
      [],
    );
    expect(tookMs).toBeGreaterThanOrEqual(HANDOFF_TIMEOUT_MS - 500);
  });

  it('does not strand a lease whose old owner stops renewing in the middle of a handoff', async () => {
    const streamName = uniqueName('dying');
    const app = uniqueName('app');
    await createStream(streamName, 2);
    const aDynamoDb = local.dynamoDbClient();
    const deliveries: Delivery[] = [];
    let stuck = false;
    let unblock: () => void = () => {};
    const blocked = new Promise<void>((resolve) => {
      unblock = resolve;
    });
    cleanups.push(() => unblock());
    const a = worker(streamName, app, 'a', {
      dynamoDbClient: aDynamoDb,
      gracefulLeaseHandoffTimeoutMs: 60_000, // A would wait a minute before handing over anyway
      handler: async (records, { shardId }) => {
        if (records.length === 0) return;
        deliveries.push({ workerId: 'a', shardId, ids: records.map((r) => text(r.data)), at: Date.now() });
        if (stuck) await blocked;
      },
    });
    await a.start();
    stuck = true;
    await putRecords(kinesis, streamName, 40, 'r');
    await waitFor(() => new Set(deliveries.map((d) => d.shardId)).size === 2, 'A stuck on both shards');
    const b = worker(streamName, app, 'b', {
      handler: async (records, { shardId }) => {
        if (records.length > 0)
          deliveries.push({ workerId: 'b', shardId, ids: records.map((r) => text(r.data)), at: Date.now() });
      },
    });
    await b.start();
    await waitFor(async () => {
      const rows = [...(await readLeases(dynamoDb, app)).values()];
      return rows.some((l) => l.checkpointOwner === 'a' && l.leaseOwner === 'b');
    }, 'a handoff from A to B');
    // A dies mid-handoff: none of its DynamoDB calls go through any more.
    injectDynamoDbFaults(aDynamoDb, { callErrors: [{ error: 'InternalServerError' }] });
    await waitFor(() => b.heldLeaseKeys().length >= 1, 'B taking the lease', 30_000);
    const moved = b.heldLeaseKeys();
    await waitFor(
      () => deliveries.some((d) => d.workerId === 'b' && moved.includes(d.shardId)),
      "B reading the moved shard from A's checkpoint",
      20_000,
    );
    const row = (await readLeases(dynamoDb, app)).get(moved[0]!)!;
    expect(row).toMatchObject({ leaseOwner: 'b', checkpointOwner: undefined });
  });

  it('falls back to taking the lease after gracefulLeaseHandoffTimeoutMs from a KCL 2.x peer that ignores checkpointOwner', async () => {
    const streamName = uniqueName('kcl2');
    const app = uniqueName('app');
    await createStream(streamName, 2);
    const table = new LeaseTable({ client: dynamoDb, tableName: app, requestTimeoutMs: 5_000 });
    await table.create();
    await table.waitUntilActive(10_000, 100);
    const keys = ['shardId-000000000000', 'shardId-000000000001'];
    for (const leaseKey of keys) {
      await table.createLeaseIfNotExists({
        leaseKey,
        leaseOwner: 'kcl2-peer',
        leaseCounter: 1,
        checkpoint: { sequenceNumber: 'TRIM_HORIZON', subSequenceNumber: 0 },
        ownerSwitchesSinceCheckpoint: 0,
        parentShardIds: [],
        childShardIds: [],
      });
    }
    const peer = kcl2Peer(app, 'kcl2-peer', keys);
    const b = worker(streamName, app, 'b', { handler: async () => {} });
    await b.start();
    let handoffSeenAt = 0;
    await waitFor(async () => {
      const rows = [...(await readLeases(dynamoDb, app)).values()];
      handoffSeenAt = Date.now();
      return rows.some((l) => l.checkpointOwner === 'kcl2-peer' && l.leaseOwner === 'b');
    }, 'a handoff from the peer to B');
    // The peer keeps renewing (it ignores checkpointOwner), so B waits for the timeout, then takes the lease.
    await new Promise((resolve) => setTimeout(resolve, HANDOFF_TIMEOUT_MS / 2));
    expect(b.heldLeaseKeys()).toEqual([]);
    await waitFor(() => b.heldLeaseKeys().length === 1, 'B taking the lease', 20_000);
    expect(Date.now() - handoffSeenAt).toBeGreaterThanOrEqual(HANDOFF_TIMEOUT_MS - 500);
    // The peer's next renewal of that lease fails on the counter: it lets it go.
    await waitFor(() => peer.size === 1, 'the peer dropping the lease');
    const row = (await readLeases(dynamoDb, app)).get(b.heldLeaseKeys()[0]!)!;
    expect(row).toMatchObject({ leaseOwner: 'b', checkpointOwner: undefined });
  });
});

describe('interop with a Java KCL 3.x fleet', () => {
  it('honours a handoff written exactly as initiateGracefulLeaseHandoff sends it: checkpoints, transfers within one renewal interval, never checkpoints again', async () => {
    const streamName = uniqueName('java');
    const app = uniqueName('app');
    await createStream(streamName, 1);
    const deliveries: Delivery[] = [];
    const events: string[] = [];
    const renewalIntervalMs = Math.floor(FAILOVER_MS / 3) - 25;
    const a = worker(streamName, app, 'ts-worker', {
      processor: checkpointOnShutdownOnly('ts-worker', deliveries, events),
    });
    await a.start();
    const golden = javaKcl3Rows();
    for (const item of golden) await dynamoDb.send(new PutItemCommand({ TableName: app, Item: item }));
    await putRecords(kinesis, streamName, 30, 'r');
    await waitFor(() => duplicatesAndMissing(deliveries, 30, 'r').missing === 0, 'the worker reading');
    const leaseKey = 'shardId-000000000000';
    // The Java KCL 3.x leader's UpdateItem (legacy Expected/AttributeUpdates form, ReturnValues ALL_NEW).
    const sentAt = Date.now();
    await dynamoDb.send(
      new UpdateItemCommand({
        TableName: app,
        Key: { leaseKey: { S: leaseKey } },
        AttributeUpdates: {
          leaseOwner: { Value: { S: 'java-worker-1' }, Action: 'PUT' },
          checkpointOwner: { Value: { S: 'ts-worker' }, Action: 'PUT' },
        },
        Expected: {
          leaseOwner: { Value: { S: 'ts-worker' } },
          checkpointOwner: { Exists: false },
          leaseKey: { Value: { S: leaseKey } },
        },
        ReturnValues: 'ALL_NEW',
      }),
    );
    await waitFor(
      async () => {
        const row = (await readLeases(dynamoDb, app)).get(leaseKey);
        return row?.checkpointOwner === undefined && row?.leaseOwner === 'java-worker-1';
      },
      'the transfer',
      10_000,
      20,
    );
    const transferMs = Date.now() - sentAt;
    // The Java worker now owns it and renews it.
    const java = kcl2Peer(app, 'java-worker-1', [leaseKey]);
    const row = (await readLeases(dynamoDb, app)).get(leaseKey)!;
    const lastDelivered = deliveries.at(-1)!;
    expect(events).toEqual([`ts-worker shutdownRequested ${leaseKey}`]);
    expect(row.checkpoint.sequenceNumber).not.toBe('TRIM_HORIZON');
    expect(a.heldLeaseKeys()).toEqual([]);
    // Never checkpoints that lease again, and reads nothing more of it while the Java worker holds it.
    await putRecords(kinesis, streamName, 10, 'later');
    await new Promise((resolve) => setTimeout(resolve, 3 * FAILOVER_MS));
    expect(java.size).toBe(1);
    const after = (await readLeases(dynamoDb, app)).get(leaseKey)!;
    expect(after.checkpoint).toEqual(row.checkpoint);
    expect(after.leaseOwner).toBe('java-worker-1');
    expect(deliveries.at(-1)).toBe(lastDelivered);
    expect(a.heldLeaseKeys()).toEqual([]);
    // The Java rows next to the leases are untouched.
    for (const item of golden) {
      const stored = (
        await dynamoDb.send(new GetItemCommand({ TableName: app, Key: { leaseKey: item.leaseKey! } }))
      ).Item;
      expect(stored).toEqual(item);
    }
    console.log(
      `handoff noticed, checkpointed and transferred in ${transferMs} ms (renewal interval ${renewalIntervalMs} ms)`,
    );
    expect(transferMs).toBeLessThan(renewalIntervalMs + 1_000);
  });
});

/** The non-lease rows a Java KCL 3.5 worker keeps in the lease table (single-table layout). */
function javaKcl3Rows(): Record<string, AttributeValue>[] {
  const now = String(Math.floor(Date.now() / 1000));
  return [
    {
      leaseKey: { S: 'Leader' },
      ownerName: { S: 'java-worker-1' },
      leaseDuration: { S: '120000' },
      recordVersionNumber: { S: '2d6f8c5e-3b0e-4d5a-9f0a-0c1f6e7b2a11' },
      entityType: { S: 'LEADER' },
    },
    {
      leaseKey: { S: 'Migration3.0' },
      cv: { S: 'CLIENT_VERSION_3X' },
      mb: { S: 'java-worker-1' },
      mts: { N: now },
      h: { L: [] },
      entityType: { S: 'CLIENT_VERSION_MIGRATION' },
    },
    {
      leaseKey: { S: 'java-worker-1' },
      lut: { N: now },
      sts: { M: { CPU: { L: [{ N: '12.5' }, { N: '14' }] } } },
      opr: { M: { CPU: { L: [{ N: '100' }] } } },
      entityType: { S: 'WORKER_METRIC_STATS' },
    },
  ];
}
