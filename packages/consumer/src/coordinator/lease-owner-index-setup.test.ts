import {
  DescribeTableCommand,
  DynamoDBClient,
  type TableDescription,
  UpdateTableCommand,
} from '@aws-sdk/client-dynamodb';
import type { Logger } from '@kinesis-ts/core';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { LeaseTable } from '../leases/dynamodb/lease-table.js';
import { LeaseOwnerIndexSetup } from './lease-owner-index-setup.js';

const ddb = mockClient(DynamoDBClient);
afterEach(() => {
  ddb.reset();
  vi.useRealTimers();
});

function recordingLogger(): Logger & { lines: { level: string; message: string }[] } {
  const lines: { level: string; message: string }[] = [];
  const log = (level: string) => (message: string) => void lines.push({ level, message });
  return { lines, debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') };
}

function setup(createAllowed: boolean) {
  const table = new LeaseTable({
    client: new DynamoDBClient({ region: 'us-east-1' }),
    tableName: 'app',
    requestTimeoutMs: 5_000,
  });
  const logger = recordingLogger();
  const onActive = vi.fn();
  const indexSetup = new LeaseOwnerIndexSetup({
    table,
    createAllowed,
    recheckIntervalMs: 1_000,
    logger,
    onActive,
  });
  return { indexSetup, logger, onActive };
}

const tableWithout: TableDescription = {
  TableName: 'app',
  TableStatus: 'ACTIVE',
  BillingModeSummary: { BillingMode: 'PAY_PER_REQUEST' },
};
const tableWith = (IndexStatus: 'ACTIVE' | 'CREATING'): TableDescription => ({
  ...tableWithout,
  GlobalSecondaryIndexes: [{ IndexName: 'LeaseOwnerToLeaseKeyIndex', IndexStatus }],
});

describe('the LeaseOwnerToLeaseKeyIndex set-up', () => {
  it('switches discovery to the index at once when it is ACTIVE, without UpdateTable', async () => {
    ddb.on(DescribeTableCommand).resolves({ Table: tableWith('ACTIVE') });
    const { indexSetup, onActive } = setup(true);
    await indexSetup.start('worker-utilization');
    expect(onActive).toHaveBeenCalledOnce();
    expect(indexSetup.isActive()).toBe(true);
    expect(ddb.commandCalls(UpdateTableCommand)).toHaveLength(0);
  });

  it('does nothing in lease-count mode', async () => {
    const { indexSetup, onActive } = setup(true);
    await indexSetup.start('lease-count');
    expect(onActive).not.toHaveBeenCalled();
    expect(ddb.calls()).toHaveLength(0);
  });

  it('falls back to scans, logging once, when UpdateTable is denied (or unsupported, as by dynalite)', async () => {
    ddb.on(DescribeTableCommand).resolves({ Table: tableWithout });
    ddb.on(UpdateTableCommand).rejects(
      Object.assign(new Error('not authorized to perform: dynamodb:UpdateTable'), {
        name: 'AccessDeniedException',
      }),
    );
    const { indexSetup, logger, onActive } = setup(true);
    await indexSetup.start('worker-utilization');
    expect(ddb.commandCalls(UpdateTableCommand)).toHaveLength(1);
    expect(ddb.commandCalls(UpdateTableCommand)[0]?.args[0].input.GlobalSecondaryIndexUpdates).toEqual([
      expect.objectContaining({
        Create: expect.objectContaining({ IndexName: 'LeaseOwnerToLeaseKeyIndex' }),
      }),
    ]);
    expect(onActive).not.toHaveBeenCalled();
    expect(indexSetup.isActive()).toBe(false);
    const warnings = logger.lines.filter((l) => l.level === 'warn');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]?.message).toContain('adding it with UpdateTable failed');
    await indexSetup.stop();
  });

  it('does not try UpdateTable when createLeaseOwnerIndexIfMissing is false', async () => {
    ddb.on(DescribeTableCommand).resolves({ Table: tableWithout });
    const { indexSetup, onActive } = setup(false);
    await indexSetup.start('worker-utilization');
    expect(ddb.commandCalls(UpdateTableCommand)).toHaveLength(0);
    expect(onActive).not.toHaveBeenCalled();
  });

  it('adds a missing index and switches to it once DynamoDB reports it ACTIVE', async () => {
    vi.useFakeTimers();
    ddb
      .on(DescribeTableCommand)
      .resolvesOnce({ Table: tableWithout }) // start: none
      .resolvesOnce({ Table: tableWithout }) // createLeaseOwnerIndex looks again
      .resolvesOnce({ Table: tableWith('CREATING') }) // first recheck
      .resolves({ Table: tableWith('ACTIVE') });
    ddb.on(UpdateTableCommand).resolves({});
    const { indexSetup, onActive } = setup(true);
    await indexSetup.start('worker-utilization');
    expect(ddb.commandCalls(UpdateTableCommand)).toHaveLength(1);
    expect(onActive).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1_000);
    expect(onActive).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1_000);
    expect(onActive).toHaveBeenCalledOnce();
    await vi.advanceTimersByTimeAsync(5_000);
    expect(onActive).toHaveBeenCalledOnce();
    expect(ddb.commandCalls(DescribeTableCommand)).toHaveLength(4);
    await indexSetup.stop();
  });

  it('keeps scanning, logging once, when the table cannot even be described', async () => {
    ddb
      .on(DescribeTableCommand)
      .rejects(Object.assign(new Error('denied'), { name: 'AccessDeniedException' }));
    const { indexSetup, logger, onActive } = setup(true);
    await indexSetup.start('worker-utilization');
    expect(onActive).not.toHaveBeenCalled();
    expect(logger.lines.filter((l) => l.level === 'warn')).toHaveLength(1);
  });
});
