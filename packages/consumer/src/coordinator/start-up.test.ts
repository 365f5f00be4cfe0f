import {
  DescribeStreamConsumerCommand,
  DescribeStreamSummaryCommand,
  KinesisClient,
  RegisterStreamConsumerCommand,
} from '@aws-sdk/client-kinesis';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { awsError } from '../../test/in-memory-lease-store.js';
import { ConsumerErrorCode, type ConsumerStartError } from '../errors.js';
import type { LeaseTableLifecycle } from '../leases/lease-store.js';
import { ConsumerStartUp, type ConsumerStartUpOptions, START_ATTEMPTS } from './start-up.js';

const kinesis = mockClient(KinesisClient);
const client = new KinesisClient({ region: 'us-east-1' });
const STREAM_ARN = 'arn:aws:kinesis:us-east-1:1:stream/orders';
const CONSUMER_ARN = `${STREAM_ARN}/consumer/orders-app:1`;

/** A lease table that answers from a list of statuses (`undefined`: missing), recording calls. */
class FakeTable implements LeaseTableLifecycle {
  readonly tableName = 'orders-app';
  readonly calls: string[] = [];
  describeFailures: unknown[] = [];
  active = true;

  constructor(private status: string | undefined) {}

  async describeStatus(): Promise<string | undefined> {
    this.calls.push('describe');
    const failure = this.describeFailures.shift();
    if (failure !== undefined) throw failure;
    return this.status;
  }

  async create(): Promise<boolean> {
    this.calls.push('create');
    this.status = 'CREATING';
    return true;
  }

  async waitUntilActive(timeoutMs: number): Promise<boolean> {
    this.calls.push(`wait ${timeoutMs}`);
    return this.active;
  }
}

function startUp(table: LeaseTableLifecycle, overrides: Partial<ConsumerStartUpOptions> = {}) {
  return new ConsumerStartUp({
    kinesisClient: client,
    stream: { streamName: 'orders' },
    retrieval: { mode: 'polling' },
    createLeaseTableIfMissing: true,
    leaseTableReadyTimeoutMs: 30_000,
    kinesisRequestTimeoutMs: 10_000,
    random: () => 0, // no wait between tries
    table,
    signal: new AbortController().signal,
    ...overrides,
  });
}

async function startError(promise: Promise<unknown>): Promise<ConsumerStartError> {
  return promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (error: ConsumerStartError) => error,
  );
}

beforeEach(() => {
  kinesis.reset();
});

describe('ConsumerStartUp', () => {
  it("resolves the stream's ARN, retrying throttling", async () => {
    kinesis
      .on(DescribeStreamSummaryCommand)
      .rejectsOnce(awsError('LimitExceededException'))
      .resolves({ StreamDescriptionSummary: { StreamARN: STREAM_ARN } as never });
    await expect(startUp(new FakeTable('ACTIVE')).describeStream()).resolves.toBe(STREAM_ARN);
    expect(kinesis.commandCalls(DescribeStreamSummaryCommand)).toHaveLength(2);
  });

  it('rejects with STREAM_NOT_FOUND when the stream does not exist, at once', async () => {
    kinesis.on(DescribeStreamSummaryCommand).rejects(awsError('ResourceNotFoundException'));
    const error = await startError(startUp(new FakeTable('ACTIVE')).describeStream());
    expect(error.code).toBe(ConsumerErrorCode.STREAM_NOT_FOUND);
    expect(kinesis.commandCalls(DescribeStreamSummaryCommand)).toHaveLength(1);
  });

  it.each([
    ['a client without a region', () => new Error('Region is missing'), 'Region is missing'],
    [
      'a client without credentials',
      () =>
        Object.assign(new Error('Could not load credentials from any providers'), {
          name: 'CredentialsProviderError',
        }),
      'CredentialsProviderError',
    ],
    ['a bad client object', () => new TypeError('client.send is not a function'), 'TypeError'],
    ['access denied', () => awsError('AccessDeniedException'), 'AccessDeniedException'],
  ])('fails at once, with START_FAILED and the cause in the message, on %s', async (_label, make, cause) => {
    kinesis.on(DescribeStreamSummaryCommand).rejects(make());
    const error = await startError(startUp(new FakeTable('ACTIVE')).describeStream());
    expect(error.code).toBe(ConsumerErrorCode.START_FAILED);
    expect(error.message).toContain(cause);
    expect(kinesis.commandCalls(DescribeStreamSummaryCommand)).toHaveLength(1);
  });

  it(`gives up after ${START_ATTEMPTS} tries of a transient failure, with START_FAILED and the cause`, async () => {
    const cause = awsError('InternalFailure', 500);
    kinesis.on(DescribeStreamSummaryCommand).rejects(cause);
    const error = await startError(startUp(new FakeTable('ACTIVE')).describeStream());
    expect(error.code).toBe(ConsumerErrorCode.START_FAILED);
    expect(error.cause).toBe(cause);
    expect(kinesis.commandCalls(DescribeStreamSummaryCommand)).toHaveLength(START_ATTEMPTS);
  });

  it('does not retry once the signal aborted (stop() during start())', async () => {
    const stop = new AbortController();
    stop.abort(new Error('stop() was called'));
    const table = new FakeTable(undefined);
    table.describeFailures = [awsError('LimitExceededException')];
    await expect(startUp(table, { signal: stop.signal }).ensureLeaseTable()).rejects.toMatchObject({
      code: ConsumerErrorCode.START_FAILED,
    });
    expect(table.calls).toEqual(['describe']);
  });

  it('creates a missing lease table and waits until it is ACTIVE', async () => {
    const table = new FakeTable(undefined);
    await startUp(table, { leaseTableReadyTimeoutMs: 45_000 }).ensureLeaseTable();
    expect(table.calls).toEqual(['describe', 'create', 'wait 45000']);
  });

  it('uses an ACTIVE table as it is', async () => {
    const table = new FakeTable('ACTIVE');
    await startUp(table).ensureLeaseTable();
    expect(table.calls).toEqual(['describe']);
  });

  it('retries a throttled DescribeTable', async () => {
    const table = new FakeTable('ACTIVE');
    table.describeFailures = [awsError('ProvisionedThroughputExceededException')];
    await startUp(table).ensureLeaseTable();
    expect(table.calls).toEqual(['describe', 'describe']);
  });

  it('rejects with LEASE_TABLE_NOT_FOUND when the table is missing and may not be created', async () => {
    const table = new FakeTable(undefined);
    const error = await startError(startUp(table, { createLeaseTableIfMissing: false }).ensureLeaseTable());
    expect(error.code).toBe(ConsumerErrorCode.LEASE_TABLE_NOT_FOUND);
    expect(table.calls).toEqual(['describe']);
  });

  it('rejects with LEASE_TABLE_NOT_READY when the table does not become ACTIVE in time', async () => {
    const table = new FakeTable('CREATING');
    table.active = false;
    const error = await startError(startUp(table).ensureLeaseTable());
    expect(error.code).toBe(ConsumerErrorCode.LEASE_TABLE_NOT_READY);
  });

  it('needs no stream consumer for polling, and uses a configured consumer ARN as it is', async () => {
    await expect(startUp(new FakeTable('ACTIVE')).prepareFanOut(STREAM_ARN)).resolves.toBeUndefined();
    const fanOut = {
      mode: 'fan-out' as const,
      consumerName: 'orders-app',
      consumerArn: CONSUMER_ARN,
      subscribeClient: client,
      consumerRegistrationTimeoutMs: 60_000,
      subscriptionIdleTimeoutMs: 30_000,
      shardEndCheckAfterMs: 10_000,
    };
    await expect(
      startUp(new FakeTable('ACTIVE'), { retrieval: fanOut }).prepareFanOut(STREAM_ARN),
    ).resolves.toBe(CONSUMER_ARN);
    expect(kinesis.calls()).toHaveLength(0);
  });

  it('finds the ACTIVE stream consumer by name on the described stream', async () => {
    kinesis.on(DescribeStreamConsumerCommand).resolves({
      ConsumerDescription: {
        ConsumerName: 'orders-app',
        ConsumerARN: CONSUMER_ARN,
        ConsumerStatus: 'ACTIVE',
        StreamARN: STREAM_ARN,
        ConsumerCreationTimestamp: new Date(0),
      },
    });
    const fanOut = {
      mode: 'fan-out' as const,
      consumerName: 'orders-app',
      consumerArn: undefined,
      subscribeClient: client,
      consumerRegistrationTimeoutMs: 60_000,
      subscriptionIdleTimeoutMs: 30_000,
      shardEndCheckAfterMs: 10_000,
    };
    await expect(
      startUp(new FakeTable('ACTIVE'), { retrieval: fanOut }).prepareFanOut(STREAM_ARN),
    ).resolves.toBe(CONSUMER_ARN);
    expect(kinesis.commandCalls(DescribeStreamConsumerCommand)[0]!.args[0].input).toMatchObject({
      StreamARN: STREAM_ARN,
      ConsumerName: 'orders-app',
    });
    expect(kinesis.commandCalls(RegisterStreamConsumerCommand)).toHaveLength(0);
  });
});
