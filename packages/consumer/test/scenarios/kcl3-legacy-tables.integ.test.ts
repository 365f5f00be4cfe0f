import {
  CreateTableCommand,
  GetItemCommand,
  PutItemCommand,
  ScanCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { uniqueName } from '@kinesis-ts/local';
import { describe, expect, it } from 'vitest';
import {
  putRecords,
  readLeases,
  text,
  useLocalStack,
  useTestConsumers,
  useTestStreams,
  waitFor,
} from '../local-stack.js';

const local = useLocalStack();
const createStream = useTestStreams(local);
const kinesis = local.kinesisClient();
const dynamoDb = local.dynamoDbClient();
const consumer = useTestConsumers(kinesis, dynamoDb, {
  failoverTimeMs: 2_000,
  leaderLockHeartbeatPeriodMs: 1_000,
  leaderLockLeaseDurationMs: 4_000,
  workerMetricsReportIntervalMs: 1_000,
  shutdownTimeoutMs: 2_000,
});

/**
 * The tables a Java KCL 3.0–3.4 application keeps beside its lease table, as its workers create them:
 * `<app>-CoordinatorState` (hash key `key`) holding the `Migration3.0` row, and `<app>-WorkerMetricStats`
 * (hash key `wid`).
 */
async function legacyFleetTables(app: string, clientVersion: string): Promise<void> {
  for (const [suffix, key] of [
    ['CoordinatorState', 'key'],
    ['WorkerMetricStats', 'wid'],
  ] as const) {
    await dynamoDb.send(
      new CreateTableCommand({
        TableName: `${app}-${suffix}`,
        KeySchema: [{ AttributeName: key, KeyType: 'HASH' }],
        AttributeDefinitions: [{ AttributeName: key, AttributeType: 'S' }],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
  }
  await waitFor(
    async () => {
      const scans = await Promise.all(
        ['CoordinatorState', 'WorkerMetricStats'].map((suffix) =>
          dynamoDb.send(new ScanCommand({ TableName: `${app}-${suffix}` })).then(
            () => true,
            () => false,
          ),
        ),
      );
      return scans.every(Boolean);
    },
    'the legacy tables',
    10_000,
    100,
  );
  await dynamoDb.send(
    new PutItemCommand({
      TableName: `${app}-CoordinatorState`,
      Item: {
        key: { S: 'Migration3.0' },
        cv: { S: clientVersion },
        mb: { S: 'java-worker-1' },
        mts: { N: String(Math.floor(Date.now() / 1000)) },
        h: { L: [] },
      },
    }),
  );
}

async function items(tableName: string) {
  return (await dynamoDb.send(new ScanCommand({ TableName: tableName, ConsistentRead: true }))).Items ?? [];
}

async function leaseTableRow(app: string, key: string) {
  return (
    await dynamoDb.send(
      new GetItemCommand({ TableName: app, Key: { leaseKey: { S: key } }, ConsistentRead: true }),
    )
  ).Item;
}

describe('a lease table shared with a Java KCL 3.0 to 3.4 fleet (coordinator state in its own tables)', () => {
  it('follows the fleet: the Leader lock in <app>-CoordinatorState, each worker’s metrics in <app>-WorkerMetricStats, every shard assigned', async () => {
    const streamName = uniqueName('kcl34');
    const app = uniqueName('app');
    await createStream(streamName, 4);
    await legacyFleetTables(app, 'CLIENT_VERSION_3X');
    const w1 = consumer({ streamName, applicationName: app, workerId: 'ts-1' });
    const w2 = consumer({ streamName, applicationName: app, workerId: 'ts-2' });
    await Promise.all([w1.start(), w2.start()]);
    await waitFor(
      async () => {
        const leases = [...(await readLeases(dynamoDb, app)).values()];
        return leases.length === 4 && leases.every((l) => l.leaseOwner === 'ts-1' || l.leaseOwner === 'ts-2');
      },
      'every shard assigned to our workers',
      30_000,
      200,
    );
    await waitFor(
      () => w1.heldLeaseKeys().length + w2.heldLeaseKeys().length === 4,
      'every lease held',
      30_000,
      200,
    );

    // One lock item, as the Java 3.0–3.4 lock client keeps it: keyed "key", no entityType; none in the lease table.
    const coordinatorState = await items(`${app}-CoordinatorState`);
    expect(coordinatorState.map((item) => item.key?.S).sort()).toEqual(['Leader', 'Migration3.0']);
    const lock = coordinatorState.find((item) => item.key?.S === 'Leader')!;
    expect(['ts-1', 'ts-2']).toContain(lock.ownerName?.S);
    expect(lock.recordVersionNumber?.S).toBeTruthy();
    expect(lock.leaseDuration?.S).toBe('4000');
    expect(lock.entityType).toBeUndefined();
    expect(await leaseTableRow(app, 'Leader')).toBeUndefined();

    // Each worker's metrics row, keyed "wid"; none in the lease table.
    const metrics = await items(`${app}-WorkerMetricStats`);
    expect(metrics.map((item) => item.wid?.S).sort()).toEqual(['ts-1', 'ts-2']);
    for (const row of metrics) {
      expect(Number(row.lut?.N)).toBeGreaterThan(0);
      expect(row.sts?.M).toBeDefined();
      expect(row.opr?.M).toBeDefined();
      expect(row.entityType).toBeUndefined();
    }
    expect(await leaseTableRow(app, 'ts-1')).toBeUndefined();
    expect(await leaseTableRow(app, 'ts-2')).toBeUndefined();

    // The Migration3.0 row is the fleet's: left as it was, and never copied to the lease table.
    const migration = coordinatorState.find((item) => item.key?.S === 'Migration3.0')!;
    expect(migration).toMatchObject({ cv: { S: 'CLIENT_VERSION_3X' }, mb: { S: 'java-worker-1' } });
    expect(Object.keys(migration).sort()).toEqual(['cv', 'h', 'key', 'mb', 'mts']);
    expect(await leaseTableRow(app, 'Migration3.0')).toBeUndefined();
  });

  it('follows a live Java leader: takes no lease by itself, processes the leases the leader assigns it', async () => {
    const streamName = uniqueName('kcl34');
    const app = uniqueName('app');
    await createStream(streamName, 4);
    await legacyFleetTables(app, 'CLIENT_VERSION_3X_WITH_ROLLBACK');
    // The Java leader's lock item (AmazonDynamoDBLockClient, KCL 3.0–3.4: no entityType), heartbeated
    // every 300 ms as its lock client does, with a lease far longer than the test.
    const lockKey = { key: { S: 'Leader' } };
    let version = 0;
    await dynamoDb.send(
      new PutItemCommand({
        TableName: `${app}-CoordinatorState`,
        Item: {
          ...lockKey,
          ownerName: { S: 'java-leader' },
          leaseDuration: { S: '600000' },
          recordVersionNumber: { S: `java-${version}` },
        },
      }),
    );
    let javaAlive = true;
    const heartbeats = (async () => {
      while (javaAlive) {
        version++;
        await dynamoDb.send(
          new UpdateItemCommand({
            TableName: `${app}-CoordinatorState`,
            Key: lockKey,
            UpdateExpression: 'SET recordVersionNumber = :v',
            ExpressionAttributeValues: { ':v': { S: `java-${version}` } },
          }),
        );
        await new Promise((resolve) => setTimeout(resolve, 300));
      }
    })();
    try {
      const received = new Map<string, Set<string>>();
      const handler = (workerId: string) => async (records: readonly { data: Uint8Array }[]) => {
        const seen = received.get(workerId) ?? new Set<string>();
        for (const record of records) seen.add(text(record.data));
        received.set(workerId, seen);
      };
      const w1 = consumer({ streamName, applicationName: app, workerId: 'ts-1', handler: handler('ts-1') });
      const w2 = consumer({ streamName, applicationName: app, workerId: 'ts-2', handler: handler('ts-2') });
      await Promise.all([w1.start(), w2.start()]);
      await waitFor(async () => (await readLeases(dynamoDb, app)).size === 4, 'the leases of the 4 shards');
      // Several heartbeat periods, taker runs and assignment intervals later: the Java worker still
      // leads, and nothing was taken by count.
      await new Promise((resolve) => setTimeout(resolve, 6_000));
      const lock = await dynamoDb.send(
        new GetItemCommand({ TableName: `${app}-CoordinatorState`, Key: lockKey, ConsistentRead: true }),
      );
      expect(lock.Item?.ownerName?.S).toBe('java-leader');
      expect([...(await readLeases(dynamoDb, app)).values()].map((l) => l.leaseOwner)).toEqual([
        undefined,
        undefined,
        undefined,
        undefined,
      ]);
      expect([...w1.heldLeaseKeys(), ...w2.heldLeaseKeys()]).toEqual([]);
      // Our workers report to the table the Java leader reads, so it can assign to them.
      const metrics = await items(`${app}-WorkerMetricStats`);
      expect(metrics.map((item) => item.wid?.S).sort()).toEqual(['ts-1', 'ts-2']);

      // The Java leader assigns: two shards to each of our workers, as its LeaseAssignmentManager writes.
      const shards = [...(await readLeases(dynamoDb, app)).keys()].sort();
      for (const [i, shard] of shards.entries()) {
        await dynamoDb.send(
          new UpdateItemCommand({
            TableName: app,
            Key: { leaseKey: { S: shard } },
            UpdateExpression:
              'SET leaseOwner = :owner ADD leaseCounter :one, ownerSwitchesSinceCheckpoint :one',
            ExpressionAttributeValues: { ':owner': { S: i < 2 ? 'ts-1' : 'ts-2' }, ':one': { N: '1' } },
          }),
        );
      }
      await waitFor(
        () => w1.heldLeaseKeys().length === 2 && w2.heldLeaseKeys().length === 2,
        'the assigned leases taken up',
        30_000,
        200,
      );
      expect(w1.heldLeaseKeys().sort()).toEqual(shards.slice(0, 2));
      expect(w2.heldLeaseKeys().sort()).toEqual(shards.slice(2));
      const ids = await putRecords(kinesis, streamName, 200, 'legacy');
      await waitFor(
        () => (received.get('ts-1')?.size ?? 0) + (received.get('ts-2')?.size ?? 0) === ids.length,
        'every record processed',
        30_000,
        200,
      );
      expect(received.get('ts-1')?.size).toBeGreaterThan(0);
      expect(received.get('ts-2')?.size).toBeGreaterThan(0);
      // Still the Java worker's lock.
      const after = await dynamoDb.send(
        new GetItemCommand({ TableName: `${app}-CoordinatorState`, Key: lockKey, ConsistentRead: true }),
      );
      expect(after.Item?.ownerName?.S).toBe('java-leader');
    } finally {
      javaAlive = false;
      await heartbeats;
    }
  });
});
