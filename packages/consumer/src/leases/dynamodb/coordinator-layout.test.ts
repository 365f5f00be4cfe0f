import {
  DynamoDBClient,
  GetItemCommand,
  ScanCommand,
  type ScanCommandInput,
  UpdateItemCommand,
  type UpdateItemCommandInput,
} from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import {
  decideCoordinatorLayout,
  leaderLockPlace,
  requiredCoordinatorTables,
  workerMetricsPlace,
} from './coordinator-layout.js';
import { LeaderLockTable, leaderLockFromItem, leaderLockWriteExpression } from './leader-lock-table.js';
import { WorkerMetricsTable, workerMetricsFromItem, workerMetricsUpdate } from './worker-metrics-table.js';

const ddb = mockClient(DynamoDBClient);
afterEach(() => ddb.reset());

const client = new DynamoDBClient({ region: 'us-east-1' });
const LEGACY_LOCK = leaderLockPlace('legacy-tables', 'app', 'app');
const LEGACY_METRICS = workerMetricsPlace('legacy-tables', 'app', 'app');

describe('the coordinator layout start-up settles on', () => {
  it('is the single table without a Migration3.0 row or with the row in the lease table (KCL 3.5+)', () => {
    expect(decideCoordinatorLayout({ rowTableName: undefined, leaseTableName: 'orders' })).toBe(
      'single-table',
    );
    expect(decideCoordinatorLayout({ rowTableName: 'orders', leaseTableName: 'orders' })).toBe(
      'single-table',
    );
  });

  it('is the legacy tables when the row is in <app>-CoordinatorState (KCL 3.0 to 3.4)', () => {
    expect(
      decideCoordinatorLayout({ rowTableName: 'orders-CoordinatorState', leaseTableName: 'orders' }),
    ).toBe('legacy-tables');
  });

  it('puts the lock in <app>-CoordinatorState keyed "key" and the metrics in <app>-WorkerMetricStats keyed "wid", untagged', () => {
    expect(leaderLockPlace('legacy-tables', 'custom-lease-table', 'orders')).toEqual({
      tableName: 'orders-CoordinatorState',
      keyAttribute: 'key',
      tagged: false,
    });
    expect(workerMetricsPlace('legacy-tables', 'custom-lease-table', 'orders')).toEqual({
      tableName: 'orders-WorkerMetricStats',
      keyAttribute: 'wid',
      tagged: false,
    });
    for (const place of [leaderLockPlace, workerMetricsPlace]) {
      expect(place('single-table', 'custom-lease-table', 'orders')).toEqual({
        tableName: 'custom-lease-table',
        keyAttribute: 'leaseKey',
        tagged: true,
      });
    }
    expect(requiredCoordinatorTables('legacy-tables', 'orders')).toEqual([
      'orders-CoordinatorState',
      'orders-WorkerMetricStats',
    ]);
    expect(requiredCoordinatorTables('single-table', 'orders')).toEqual([]);
  });
});

describe('the leader lock row in <app>-CoordinatorState (KCL 3.0 to 3.4)', () => {
  it('is read as the Java 3.0 to 3.4 lock client writes it: keyed "key", no entityType', () => {
    const javaItem = {
      key: { S: 'Leader' },
      ownerName: { S: 'java-worker-1' },
      leaseDuration: { S: '120000' },
      recordVersionNumber: { S: '5f1c3a52-8d4e-4c5b-9b1f-2f0d3c7e6a11' },
    };
    expect(leaderLockFromItem(javaItem)).toEqual({
      ownerName: 'java-worker-1',
      recordVersionNumber: '5f1c3a52-8d4e-4c5b-9b1f-2f0d3c7e6a11',
      leaseDurationMs: 120_000,
      isReleased: false,
    });
    expect(leaderLockFromItem({ ...javaItem, isReleased: { S: '1' } }).isReleased).toBe(true);
  });

  it('is written with the lock client attributes only, conditional on its "key"', () => {
    const created = leaderLockWriteExpression('w1', 'v1', 120_000, undefined, LEGACY_LOCK);
    expect(created.UpdateExpression).toBe(
      'SET #owner = :owner, #duration = :duration, #version = :version REMOVE #released',
    );
    expect(created.ConditionExpression).toBe('attribute_not_exists(#key)');
    expect(created.ExpressionAttributeNames).toEqual({
      '#key': 'key',
      '#owner': 'ownerName',
      '#duration': 'leaseDuration',
      '#version': 'recordVersionNumber',
      '#released': 'isReleased',
    });
    expect(created.ExpressionAttributeValues).toEqual({
      ':owner': { S: 'w1' },
      ':duration': { S: '120000' },
      ':version': { S: 'v1' },
    });
  });

  it('is read, written and released in that table under "key" = Leader', async () => {
    ddb.on(GetItemCommand).resolves({
      Item: { key: { S: 'Leader' }, ownerName: { S: 'java-worker-1' }, recordVersionNumber: { S: 'r1' } },
    });
    ddb.on(UpdateItemCommand).resolves({});
    const table = new LeaderLockTable({ client, place: LEGACY_LOCK, requestTimeoutMs: 5_000 });
    expect((await table.read())?.ownerName).toBe('java-worker-1');
    expect(await table.write('w1', 'v2', 120_000, 'r1')).toBe(true);
    expect(await table.release('w1', 'v2')).toBe(true);
    const get = ddb.commandCalls(GetItemCommand)[0]!.args[0].input;
    expect(get).toMatchObject({ TableName: 'app-CoordinatorState', Key: { key: { S: 'Leader' } } });
    const updates = ddb
      .commandCalls(UpdateItemCommand)
      .map((call) => call.args[0].input as UpdateItemCommandInput);
    for (const update of updates) {
      expect(update).toMatchObject({ TableName: 'app-CoordinatorState', Key: { key: { S: 'Leader' } } });
      expect(update.ExpressionAttributeNames?.['#key']).toBe('key');
      expect(JSON.stringify(update)).not.toContain('entityType');
    }
  });
});

describe('worker metrics rows in <app>-WorkerMetricStats (KCL 3.0 to 3.4)', () => {
  it('are read as the Java 3.0 to 3.4 workers write them: keyed "wid", no entityType', () => {
    const javaItem = {
      wid: { S: 'java-worker-1' },
      lut: { N: '1765000000' },
      sts: { M: { C: { L: [{ N: '21.5' }, { N: '33.0' }, { N: '-1.0' }] } } },
      opr: { M: { C: { L: [{ N: '100' }] } } },
    };
    expect(workerMetricsFromItem(javaItem, LEGACY_METRICS)).toEqual({
      workerId: 'java-worker-1',
      lastUpdateMs: 1_765_000_000_000,
      stats: { C: [21.5, 33, -1] },
      operatingRange: { C: 100 },
    });
    // The same item is not a metrics row of the lease table, where rows are tagged.
    expect(workerMetricsFromItem(javaItem)).toBeUndefined();
  });

  it('are written with lut, sts and opr only (no entityType)', () => {
    const update = workerMetricsUpdate(
      { workerId: 'w1', lastUpdateMs: 1_765_000_000_500, stats: { C: [10, 20] }, operatingRange: { C: 100 } },
      LEGACY_METRICS,
    );
    expect(update).toEqual({
      UpdateExpression: 'SET #lut = :lut, #sts = :sts, #opr = :opr',
      ExpressionAttributeNames: { '#lut': 'lut', '#sts': 'sts', '#opr': 'opr' },
      ExpressionAttributeValues: {
        ':lut': { N: '1765000000' },
        ':sts': { M: { C: { L: [{ N: '10' }, { N: '20' }] } } },
        ':opr': { M: { C: { L: [{ N: '100' }] } } },
      },
    });
  });

  it('are written under "wid" and listed by an unfiltered scan of that table, Java rows included', async () => {
    ddb.on(UpdateItemCommand).resolves({});
    ddb.on(ScanCommand).resolves({
      Items: [
        { wid: { S: 'java-worker-1' }, lut: { N: '1765000000' }, sts: { M: {} }, opr: { M: {} } },
        { wid: { S: 'w1' }, lut: { N: '1765000001' }, sts: { M: {} }, opr: { M: {} } },
      ],
    });
    const table = new WorkerMetricsTable({ client, place: LEGACY_METRICS, requestTimeoutMs: 5_000 });
    await table.writeWorkerMetrics({
      workerId: 'w1',
      lastUpdateMs: 1_765_000_001_000,
      stats: {},
      operatingRange: {},
    });
    expect(ddb.commandCalls(UpdateItemCommand)[0]!.args[0].input).toMatchObject({
      TableName: 'app-WorkerMetricStats',
      Key: { wid: { S: 'w1' } },
    });
    expect((await table.listWorkerMetrics()).map((row) => row.workerId)).toEqual(['java-worker-1', 'w1']);
    const scan = ddb.commandCalls(ScanCommand)[0]!.args[0].input as ScanCommandInput;
    expect(scan.TableName).toBe('app-WorkerMetricStats');
    expect(scan.FilterExpression).toBeUndefined();
  });
});
