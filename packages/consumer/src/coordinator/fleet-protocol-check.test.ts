import {
  DescribeTableCommand,
  DynamoDBClient,
  GetItemCommand,
  ResourceNotFoundException,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { SILENT_LOGGER } from '@kinesis-ts/core';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { checkFleetProtocol } from './fleet-protocol-check.js';
import { LoadAwareAssignment } from './load-aware-assignment.js';

const ddb = mockClient(DynamoDBClient);
afterEach(() => ddb.reset());

const client = new DynamoDBClient({ region: 'us-east-1' });
const notFound = () => new ResourceNotFoundException({ message: 'not found', $metadata: {} });

/** The Migration3.0 row in `<app>-CoordinatorState` (KCL 3.0–3.4), none in the lease table. */
function legacyFleet(clientVersion: string, tables: readonly string[]): void {
  ddb.on(GetItemCommand).resolves({});
  ddb
    .on(GetItemCommand, { TableName: 'app-CoordinatorState', Key: { key: { S: 'Migration3.0' } } })
    .resolves({ Item: { key: { S: 'Migration3.0' }, cv: { S: clientVersion }, mb: { S: 'java-worker-1' } } });
  ddb.on(DescribeTableCommand).rejects(notFound());
  for (const name of tables) {
    ddb
      .on(DescribeTableCommand, { TableName: name })
      .resolves({ Table: { TableName: name, TableStatus: 'ACTIVE' } });
  }
}

const check = () =>
  checkFleetProtocol({
    client,
    leaseTableName: 'app',
    applicationName: 'app',
    requestTimeoutMs: 5_000,
    leaseAssignment: 'lease-count',
    leaseAssignmentExplicit: false,
    logger: SILENT_LOGGER,
  });

describe('start-up beside a Java KCL 3.0 to 3.4 fleet (coordinator state in <app>-CoordinatorState)', () => {
  it('follows a fleet in 3.x mode, with the lock and metrics rows in the legacy tables', async () => {
    for (const clientVersion of ['CLIENT_VERSION_3X', 'CLIENT_VERSION_3X_WITH_ROLLBACK']) {
      ddb.reset();
      legacyFleet(clientVersion, ['app-CoordinatorState', 'app-WorkerMetricStats']);
      await expect(check()).resolves.toEqual({ mode: 'worker-utilization', layout: 'legacy-tables' });
    }
    // Read only: nothing was written.
    expect(ddb.commandCalls(UpdateItemCommand)).toHaveLength(0);
  });

  it('refuses to start, naming the table, when <app>-WorkerMetricStats is missing (it never creates it)', async () => {
    legacyFleet('CLIENT_VERSION_3X', ['app-CoordinatorState']);
    const error = await check().catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'KCL3_TABLE_NOT_FOUND', retryable: false });
    expect((error as Error).message).toContain('table app-WorkerMetricStats does not exist');
  });

  it("takes by count beside the fleet's 2.x-compatible mode without looking for the metrics table", async () => {
    legacyFleet('CLIENT_VERSION_UPGRADE_FROM_2X', []);
    await expect(check()).resolves.toEqual({ mode: 'lease-count', layout: 'legacy-tables' });
    expect(ddb.commandCalls(DescribeTableCommand)).toHaveLength(0);
  });

  it('keeps the single table without a row', async () => {
    ddb.on(GetItemCommand).resolves({});
    await expect(check()).resolves.toEqual({ mode: 'lease-count', layout: 'single-table' });
  });
});

describe('load-aware assignment in the legacy layout', () => {
  it('reads and writes the Leader lock in <app>-CoordinatorState and its metrics row in <app>-WorkerMetricStats', async () => {
    ddb.on(GetItemCommand).resolves({});
    ddb.on(UpdateItemCommand).resolves({});
    const assignment = new LoadAwareAssignment({
      client,
      tableName: 'app',
      applicationName: 'app',
      requestTimeoutMs: 5_000,
      workerId: 'ts-worker',
      failoverTimeMs: 10_000,
      maxLeasesForWorker: 100,
      leaseAssignmentIntervalMs: 3_600_000,
      leaderLockLeaseDurationMs: 120_000,
      leaderLockHeartbeatPeriodMs: 3_600_000,
      workerMetricsReportIntervalMs: 3_600_000,
      listLeases: async () => [],
      now: () => 0,
      random: () => 0.5,
      logger: SILENT_LOGGER,
    });
    assignment.useCoordinatorLayout('legacy-tables');
    await assignment.start();
    await assignment.stop();
    const gets = ddb.commandCalls(GetItemCommand).map((call) => call.args[0].input);
    const updates = ddb.commandCalls(UpdateItemCommand).map((call) => call.args[0].input);
    expect(gets).toContainEqual(
      expect.objectContaining({ TableName: 'app-CoordinatorState', Key: { key: { S: 'Leader' } } }),
    );
    expect(updates).toContainEqual(
      expect.objectContaining({ TableName: 'app-CoordinatorState', Key: { key: { S: 'Leader' } } }),
    );
    expect(updates).toContainEqual(
      expect.objectContaining({ TableName: 'app-WorkerMetricStats', Key: { wid: { S: 'ts-worker' } } }),
    );
    // Nothing of the lock or the metrics in the lease table.
    expect([...gets, ...updates].map((input) => input.TableName)).not.toContain('app');
    expect(() => assignment.useCoordinatorLayout('single-table')).toThrow();
  });
});

describe('start-up with a policy that names the lease table alone', () => {
  it('starts as configured when <app>-CoordinatorState cannot be read, and says so in the log', async () => {
    ddb.on(GetItemCommand, { TableName: 'app' }).resolves({});
    ddb.on(GetItemCommand, { TableName: 'app-CoordinatorState' }).rejects(
      Object.assign(new Error('User is not authorized to perform: dynamodb:GetItem'), {
        name: 'AccessDeniedException',
        $metadata: { httpStatusCode: 400 },
      }),
    );
    const warnings: string[] = [];
    const logger = { ...SILENT_LOGGER, warn: (message: string) => warnings.push(message) };
    await expect(
      checkFleetProtocol({
        client,
        leaseTableName: 'app',
        applicationName: 'app',
        requestTimeoutMs: 5_000,
        leaseAssignment: 'lease-count',
        leaseAssignmentExplicit: false,
        logger,
      }),
    ).resolves.toEqual({ mode: 'lease-count', layout: 'single-table' });
    expect(warnings).toEqual([expect.stringContaining('coordinator state table')]);
  });

  it('still fails when the lease table itself cannot be read', async () => {
    ddb
      .on(GetItemCommand, { TableName: 'app' })
      .rejects(Object.assign(new Error('not authorized'), { name: 'AccessDeniedException', $metadata: {} }));
    await expect(check()).rejects.toMatchObject({ name: 'AccessDeniedException' });
  });
});
