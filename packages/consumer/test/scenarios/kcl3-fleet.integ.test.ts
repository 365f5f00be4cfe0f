import {
  CreateTableCommand,
  DescribeTableCommand,
  GetItemCommand,
  PutItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { uniqueName } from '@kinesis-ts/local';
import { describe, expect, it } from 'vitest';
import { LeaseTable } from '../../src/leases/dynamodb/lease-table.js';
import { readLeases, useLocalStack, useTestConsumers, useTestStreams, waitFor } from '../local-stack.js';

const local = useLocalStack();
const createStream = useTestStreams(local);
const kinesis = local.kinesisClient();
const dynamoDb = local.dynamoDbClient();
const consumer = useTestConsumers(kinesis, dynamoDb, { failoverTimeMs: 2_000 });

async function leaseTableWith(app: string, clientVersion: string): Promise<void> {
  const table = new LeaseTable({ client: dynamoDb, tableName: app, requestTimeoutMs: 5_000 });
  await table.create();
  await table.waitUntilActive(10_000, 100);
  await dynamoDb.send(
    new PutItemCommand({
      TableName: app,
      Item: {
        leaseKey: { S: 'Migration3.0' },
        cv: { S: clientVersion },
        mb: { S: 'java-worker-1' },
        mts: { N: String(Math.floor(Date.now() / 1000)) },
        h: { L: [] },
        entityType: { S: 'CLIENT_VERSION_MIGRATION' },
      },
    }),
  );
}

describe('a lease table shared with a Java KCL 3.x fleet (the Migration3.0 row)', () => {
  it("refuses to start beside a fleet in 3.x mode when leaseAssignment: 'lease-count' was set, naming the row", async () => {
    const streamName = uniqueName('kcl3');
    const app = uniqueName('app');
    await createStream(streamName, 1);
    await leaseTableWith(app, 'CLIENT_VERSION_3X');
    const error = await consumer({ streamName, applicationName: app, leaseAssignment: 'lease-count' })
      .start()
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'KCL3_FLEET', retryable: false });
    expect((error as Error).message).toContain(`Migration3.0 row of table ${app} says CLIENT_VERSION_3X`);
    expect((error as Error).message).toContain("leaseAssignment: 'lease-count'");
  });

  it('finds the row in <app>-CoordinatorState too (KCL 3.0 to 3.4), and refuses to start without <app>-WorkerMetricStats, which it never creates', async () => {
    const streamName = uniqueName('kcl3');
    const app = uniqueName('app');
    await createStream(streamName, 1);
    await dynamoDb.send(
      new CreateTableCommand({
        TableName: `${app}-CoordinatorState`,
        KeySchema: [{ AttributeName: 'key', KeyType: 'HASH' }],
        AttributeDefinitions: [{ AttributeName: 'key', AttributeType: 'S' }],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
    await dynamoDb.send(
      new PutItemCommand({
        TableName: `${app}-CoordinatorState`,
        Item: { key: { S: 'Migration3.0' }, cv: { S: 'CLIENT_VERSION_3X_WITH_ROLLBACK' } },
      }),
    );
    const error = await consumer({ streamName, applicationName: app })
      .start()
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'KCL3_TABLE_NOT_FOUND', retryable: false });
    expect((error as Error).message).toContain(`table ${app}-WorkerMetricStats does not exist`);
    await expect(
      dynamoDb.send(new DescribeTableCommand({ TableName: `${app}-WorkerMetricStats` })),
    ).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
  });

  it("runs as today beside a fleet in the KCL's 2.x-compatible mode, leaving the row as it was", async () => {
    const streamName = uniqueName('kcl2x');
    const app = uniqueName('app');
    await createStream(streamName, 1);
    await leaseTableWith(app, 'CLIENT_VERSION_UPGRADE_FROM_2X');
    const worker = consumer({ streamName, applicationName: app });
    await worker.start();
    await waitFor(() => worker.heldLeaseKeys().length === 1, 'the lease');
    const row = await dynamoDb.send(
      new GetItemCommand({ TableName: app, Key: { leaseKey: { S: 'Migration3.0' } } }),
    );
    expect(row.Item).toMatchObject({
      cv: { S: 'CLIENT_VERSION_UPGRADE_FROM_2X' },
      mb: { S: 'java-worker-1' },
    });
    expect(Object.keys(row.Item!).sort()).toEqual(['cv', 'entityType', 'h', 'leaseKey', 'mb', 'mts']);
  });

  it('follows a Java KCL 3.x leader: takes only the leases assigned to it, writes its metrics row, leads once the lock is free', async () => {
    const streamName = uniqueName('kcl3');
    const app = uniqueName('app');
    await createStream(streamName, 2);
    await leaseTableWith(app, 'CLIENT_VERSION_3X');
    // The Java leader's lock row (AmazonDynamoDBLockClient item, KCL 3.5 layout) and its assignments:
    // shard 0 to our worker, shard 1 to a Java worker, both as the LeaseAssignmentManager writes them.
    let lockVersion = 0;
    await dynamoDb.send(
      new PutItemCommand({
        TableName: app,
        Item: {
          leaseKey: { S: 'Leader' },
          ownerName: { S: 'java-worker-1' },
          leaseDuration: { S: '3000' },
          recordVersionNumber: { S: `java-${lockVersion}` },
          entityType: { S: 'LEADER' },
        },
      }),
    );
    const leaseRow = (shard: string, owner: string) => ({
      leaseKey: { S: shard },
      leaseOwner: { S: owner },
      leaseCounter: { N: '3' },
      checkpoint: { S: 'TRIM_HORIZON' },
      checkpointSubSequenceNumber: { N: '0' },
      ownerSwitchesSinceCheckpoint: { N: '0' },
      throughputKBps: { N: '0.5' },
    });
    const mine = 'shardId-000000000000';
    const theirs = 'shardId-000000000001';
    await dynamoDb.send(new PutItemCommand({ TableName: app, Item: leaseRow(mine, 'ts-worker') }));
    await dynamoDb.send(new PutItemCommand({ TableName: app, Item: leaseRow(theirs, 'java-worker-1') }));
    // The Java worker: heartbeats its lock and renews its lease, until it "dies".
    let javaAlive = true;
    const java = (async () => {
      while (javaAlive) {
        lockVersion++;
        await dynamoDb.send(
          new UpdateItemCommand({
            TableName: app,
            Key: { leaseKey: { S: 'Leader' } },
            UpdateExpression: 'SET recordVersionNumber = :v',
            ExpressionAttributeValues: { ':v': { S: `java-${lockVersion}` } },
          }),
        );
        await dynamoDb.send(
          new UpdateItemCommand({
            TableName: app,
            Key: { leaseKey: { S: theirs } },
            UpdateExpression: 'ADD leaseCounter :one',
            ExpressionAttributeValues: { ':one': { N: '1' } },
          }),
        );
        await new Promise((resolve) => setTimeout(resolve, 300));
      }
    })();
    const lockOwner = async () =>
      (
        await dynamoDb.send(
          new GetItemCommand({ TableName: app, Key: { leaseKey: { S: 'Leader' } }, ConsistentRead: true }),
        )
      ).Item?.ownerName?.S;
    try {
      const worker = consumer({
        streamName,
        applicationName: app,
        workerId: 'ts-worker',
        leaderLockHeartbeatPeriodMs: 1_000,
        leaderLockLeaseDurationMs: 3_000,
        workerMetricsReportIntervalMs: 1_000,
      });
      await worker.start();
      await waitFor(() => worker.heldLeaseKeys().includes(mine), 'the lease the Java leader assigned');
      const metrics = await dynamoDb.send(
        new GetItemCommand({ TableName: app, Key: { leaseKey: { S: 'ts-worker' } }, ConsistentRead: true }),
      );
      expect(metrics.Item?.entityType?.S).toBe('WORKER_METRIC_STATS');
      expect(Number(metrics.Item?.lut?.N)).toBeGreaterThan(0);
      // Several of our heartbeat periods and taker runs later: the Java worker still leads and holds its lease.
      await new Promise((resolve) => setTimeout(resolve, 4_000));
      expect(worker.heldLeaseKeys()).toEqual([mine]);
      expect(await lockOwner()).toBe('java-worker-1');
      const rows = await readLeases(dynamoDb, app);
      expect(rows.get(theirs)?.leaseOwner).toBe('java-worker-1');
      // The Java worker dies: once its lock lease (3 s) has run out, ours takes the lock.
      javaAlive = false;
      await java;
      await waitFor(async () => (await lockOwner()) === 'ts-worker', 'our worker leading', 15_000, 200);
    } finally {
      javaAlive = false;
      await java;
    }
  });
});
