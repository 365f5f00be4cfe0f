import {
  type AttributeValue,
  CreateTableCommand,
  DescribeTableCommand,
  PutItemCommand,
  ScanCommand,
} from '@aws-sdk/client-dynamodb';
import { ListShardsCommand } from '@aws-sdk/client-kinesis';
import { injectDynamoDbFaults, injectKinesisFaults, KINESIS_TRANSPORTS, uniqueName } from '@kinesis-ts/local';
import { describe, expect, it } from 'vitest';
import type { ConsumerRecord, ShardRecordProcessor } from '../../src/index.js';
import {
  putAggregated,
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
const consumer = useTestConsumers(kinesis, dynamoDb, { failoverTimeMs: 2_000, idleTimeBetweenReadsMs: 200 });

/** A processor that records every key and checkpoints only where `checkpointAt` says. */
function recordingProcessor(seen: string[], checkpointAt?: (record: ConsumerRecord) => boolean) {
  return (): ShardRecordProcessor => ({
    processRecords: async ({ records, checkpointer }) => {
      for (const record of records) {
        seen.push(text(record.data));
        if (checkpointAt?.(record)) await checkpointer.checkpoint(record);
      }
    },
  });
}

describe.each(KINESIS_TRANSPORTS)('over %s', (transport) => {
  const kinesis = local.kinesisClient({ transport });
  const consumer = useTestConsumers(kinesis, dynamoDb, {
    failoverTimeMs: 2_000,
    idleTimeBetweenReadsMs: 200,
  });
  describe('KinesisConsumer on the local stack', () => {
    it('delivers every record of every shard once, in shard order, and checkpoints each shard at its last record', async () => {
      const streamName = uniqueName('deliver');
      const applicationName = uniqueName('app');
      await createStream(streamName, 2);
      const ids = await putRecords(kinesis, streamName, 300);
      const seen: { shardId: string; sequenceNumber: string; key: string }[] = [];
      const worker = consumer({
        streamName,
        applicationName,
        handler: async (records, { shardId }) => {
          for (const record of records)
            seen.push({ shardId, sequenceNumber: record.sequenceNumber, key: text(record.data) });
        },
      });
      await worker.start();
      await waitFor(() => seen.length >= ids.length, 'all records');
      await worker.stop();
      expect(seen.map((s) => s.key).sort()).toEqual([...ids].sort());
      for (const shardId of new Set(seen.map((s) => s.shardId))) {
        const sequence = seen.filter((s) => s.shardId === shardId).map((s) => BigInt(s.sequenceNumber));
        expect(sequence).toEqual([...sequence].sort((x, y) => (x < y ? -1 : x > y ? 1 : 0)));
      }
      const leases = await readLeases(dynamoDb, applicationName);
      expect(leases.size).toBe(2);
      for (const [shardId, lease] of leases) {
        const last = seen.filter((s) => s.shardId === shardId).at(-1)!;
        expect(lease.checkpoint).toEqual({ sequenceNumber: last.sequenceNumber, subSequenceNumber: 0 });
        expect(lease.leaseOwner).toBeUndefined();
      }
      expect(worker.metrics()).toMatchObject({ RecordsProcessed: 300, state: 'stopped' });
    });

    it('after a crash resumes after the checkpoint: later records are delivered again, earlier ones never (SC-15)', async () => {
      const streamName = uniqueName('resume');
      const applicationName = uniqueName('app');
      await createStream(streamName, 1);
      const ids = await putRecords(kinesis, streamName, 100);
      const first: string[] = [];
      const crashed = consumer({
        streamName,
        applicationName,
        handler: undefined,
        processor: recordingProcessor(first, (record) => text(record.data) === 'r-59'),
        releaseLeasesOnStop: false,
      });
      await crashed.start();
      await waitFor(() => first.length === 100, 'the first worker to see all 100');
      // A crash: the lease is neither released nor checkpointed further (the processor has no shutdownRequested).
      await crashed.stop();
      expect((await readLeases(dynamoDb, applicationName)).get('shardId-000000000000')?.leaseOwner).toBe(
        crashed.workerId,
      );

      const second: string[] = [];
      const restarted = consumer({
        streamName,
        applicationName,
        handler: undefined,
        processor: recordingProcessor(second),
      });
      const startedAt = Date.now();
      await restarted.start();
      await waitFor(() => second.length >= 40, 'the restarted worker to catch up', 15_000);
      expect(Date.now() - startedAt).toBeGreaterThan(1_500); // it waited for the lease to expire
      expect(second).toEqual(ids.slice(60));
    });

    it('resumes inside a KPL aggregate after its checkpointed sub-sequence number', async () => {
      const streamName = uniqueName('aggregate');
      const applicationName = uniqueName('app');
      await createStream(streamName, 1);
      const ids = await putAggregated(kinesis, streamName, 3, 10);
      const first: string[] = [];
      const worker = consumer({
        streamName,
        applicationName,
        handler: undefined,
        processor: recordingProcessor(first, (record) => text(record.data) === 'a-14'),
      });
      await worker.start();
      await waitFor(() => first.length === 30, 'all 30 user records');
      await worker.stop();
      const lease = (await readLeases(dynamoDb, applicationName)).get('shardId-000000000000')!;
      expect(lease.checkpoint.subSequenceNumber).toBe(4);

      const second: string[] = [];
      const next = consumer({
        streamName,
        applicationName,
        handler: undefined,
        processor: recordingProcessor(second),
      });
      await next.start();
      await waitFor(() => second.length >= 15, 'the rest of the records');
      expect(second).toEqual(ids.slice(15));
    });

    it('with the handler path, checkpoints what it processed on stop so a restart delivers nothing twice', async () => {
      const streamName = uniqueName('stop');
      const applicationName = uniqueName('app');
      await createStream(streamName, 1);
      await putRecords(kinesis, streamName, 50);
      const seen: string[] = [];
      const handler = async (records: readonly ConsumerRecord[]) => {
        seen.push(...records.map((r) => text(r.data)));
      };
      const first = consumer({ streamName, applicationName, handler, checkpointIntervalMs: 3_600_000 });
      await first.start();
      await waitFor(() => seen.length === 50, 'the first 50');
      await first.stop();
      const more = await putRecords(kinesis, streamName, 20, 'more');
      const second = consumer({ streamName, applicationName, handler });
      await second.start();
      await waitFor(() => seen.length >= 70, 'the 20 new records');
      await new Promise((resolve) => setTimeout(resolve, 600));
      expect(seen.slice(50)).toEqual(more);
    });

    it('starts from LATEST only for shards without a checkpoint, and reads the backlog of shards with one (SC-16)', async () => {
      const streamName = uniqueName('latest');
      const applicationName = uniqueName('app');
      await createStream(streamName, 1);
      await putRecords(kinesis, streamName, 10, 'old');
      const seen: string[] = [];
      const handler = async (records: readonly ConsumerRecord[]) => {
        seen.push(...records.map((r) => text(r.data)));
      };
      const first = consumer({ streamName, applicationName, handler, initialPosition: 'LATEST' });
      await first.start();
      await new Promise((resolve) => setTimeout(resolve, 500));
      const live = await putRecords(kinesis, streamName, 5, 'live');
      await waitFor(() => seen.length >= 5, 'the live records');
      expect(seen).toEqual(live);
      await first.stop();
      const backlog = await putRecords(kinesis, streamName, 5, 'backlog');
      const second = consumer({ streamName, applicationName, handler, initialPosition: 'LATEST' });
      await second.start();
      await waitFor(() => seen.length >= 10, 'the backlog');
      expect(seen.slice(5)).toEqual(backlog);
    });

    it('delivers everything exactly once in order through throttling and expired iterators', async () => {
      const streamName = uniqueName('faults');
      const applicationName = uniqueName('app');
      await createStream(streamName, 1);
      const ids = await putRecords(kinesis, streamName, 200);
      const faultyKinesis = local.kinesisClient();
      const faults = injectKinesisFaults(faultyKinesis, {
        seed: 3,
        getRecordsThrottling: { rate: 0.4 },
        callErrors: [{ operations: ['GetRecords'], error: 'ExpiredIteratorException', firstCalls: 2 }],
      });
      const seen: string[] = [];
      const worker = consumer({
        streamName,
        applicationName,
        kinesisClient: faultyKinesis,
        maxRecordsPerFetch: 25,
        retrievalBackoff: { baseDelayMs: 50, maxDelayMs: 200 },
        handler: async (records) => {
          seen.push(...records.map((r) => text(r.data)));
        },
      });
      await worker.start();
      await waitFor(() => seen.length >= ids.length, 'all records', 30_000);
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(seen).toEqual(ids);
      const shard = worker.metrics().shards['shardId-000000000000']!;
      expect(shard.ThrottledCalls).toBeGreaterThan(0);
      expect(shard.ExpiredIterator).toBe(2);
      expect(faults.stats().callErrors).toBeGreaterThan(0);
    });

    it('reports lag, records and bytes per shard in metrics()', async () => {
      const streamName = uniqueName('metrics');
      const applicationName = uniqueName('app');
      await createStream(streamName, 1);
      await putRecords(kinesis, streamName, 20);
      const worker = consumer({ streamName, applicationName });
      await worker.start();
      // The batch's checkpoint (a lease write) follows its processing: wait for both, not the first.
      await waitFor(
        () => worker.metrics().RecordsProcessed === 20 && worker.metrics().LeaseWrites > 0,
        '20 records and their checkpoint',
      );
      const metrics = worker.metrics();
      expect(metrics).toMatchObject({ CurrentLeases: 1, TotalLeases: 1, NumWorkers: 1, TakenLeases: 1 });
      expect(metrics.shards['shardId-000000000000']).toMatchObject({
        state: 'processing',
        RecordsProcessed: 20,
        DataBytesProcessed: 10 * 'r-0'.length + 10 * 'r-10'.length,
      });
      expect(metrics.shards['shardId-000000000000']!.MillisBehindLatest).toBeTypeOf('number');
      expect(metrics.LeaseWrites).toBeGreaterThan(0);
    });
  });
});

describe('start() failures', () => {
  it('rejects with STREAM_NOT_FOUND when the stream does not exist', async () => {
    const worker = consumer({ streamName: uniqueName('missing'), applicationName: uniqueName('app') });
    await expect(worker.start()).rejects.toMatchObject({
      code: 'STREAM_NOT_FOUND',
      cause: { name: 'ResourceNotFoundException' },
    });
    expect(worker.state).toBe('stopped');
  });

  it('rejects with LEASE_TABLE_NOT_FOUND when the table is missing and may not be created', async () => {
    const streamName = uniqueName('notable');
    await createStream(streamName, 1);
    const worker = consumer({
      streamName,
      applicationName: uniqueName('app'),
      createLeaseTableIfMissing: false,
    });
    await expect(worker.start()).rejects.toMatchObject({ code: 'LEASE_TABLE_NOT_FOUND' });
  });

  it('rejects with the AWS error as cause when access to the lease table is denied', async () => {
    const streamName = uniqueName('denied');
    await createStream(streamName, 1);
    const deniedDynamoDb = local.dynamoDbClient();
    injectDynamoDbFaults(deniedDynamoDb, {
      callErrors: [
        {
          operations: ['DescribeTable'],
          error: () =>
            Object.assign(new Error('User is not authorized to perform: dynamodb:DescribeTable'), {
              name: 'AccessDeniedException',
              $metadata: { httpStatusCode: 400 },
            }),
        },
      ],
    });
    const worker = consumer({
      streamName,
      applicationName: uniqueName('app'),
      dynamoDbClient: deniedDynamoDb,
    });
    const error = await worker.start().catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'START_FAILED', cause: { name: 'AccessDeniedException' } });
    expect((error as Error).message).toContain('not authorized');
  });

  it('refuses a second start()', async () => {
    const worker = consumer({ streamName: uniqueName('missing'), applicationName: uniqueName('app') });
    await worker.start().catch(() => undefined);
    await expect(worker.start()).rejects.toMatchObject({ code: 'INVALID_STATE' });
  });
});

describe('compatibility with the Java KCL lease table', () => {
  it('continues a table written by the Java KCL from its checkpoints, skipping rows that are not leases', async () => {
    const streamName = uniqueName('java');
    const applicationName = uniqueName('javaapp');
    await createStream(streamName, 2);
    // Shard 0 gets records with the low half of the hash space, shard 1 the high half.
    const low = await putRecords(kinesis, streamName, 20, 'low', { explicitHashKey: () => '1' });
    const high = await putRecords(kinesis, streamName, 20, 'high', {
      explicitHashKey: () => '340282366920938463463374607431768211000',
    });
    // Find the 10th record's sequence number on shard 0 with a throwaway reader.
    const probe: ConsumerRecord[] = [];
    const reader = consumer({
      streamName,
      applicationName: uniqueName('probe'),
      handler: async (records, { shardId }) => {
        if (shardId === 'shardId-000000000000') probe.push(...records);
      },
    });
    await reader.start();
    await waitFor(() => probe.length === 20, 'the probe');
    await reader.stop();
    const tenth = probe[9]!.sequenceNumber;

    await dynamoDb.send(
      new CreateTableCommand({
        TableName: applicationName,
        KeySchema: [{ AttributeName: 'leaseKey', KeyType: 'HASH' }],
        AttributeDefinitions: [{ AttributeName: 'leaseKey', AttributeType: 'S' }],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
    const rows: Record<string, AttributeValue>[] = [
      // Written by KCL 2.x: no entityType, owned by a Java worker that has stopped renewing.
      {
        leaseKey: { S: 'shardId-000000000000' },
        leaseOwner: { S: 'java-worker-1' },
        leaseCounter: { N: '4711' },
        checkpoint: { S: tenth },
        checkpointSubSequenceNumber: { N: '0' },
        ownerSwitchesSinceCheckpoint: { N: '0' },
        pendingCheckpointState: { N: '0' }, // the KCL serializer quirk
      },
      {
        leaseKey: { S: 'shardId-000000000001' },
        leaseCounter: { N: '12' },
        checkpoint: { S: 'TRIM_HORIZON' },
        checkpointSubSequenceNumber: { N: '0' },
        ownerSwitchesSinceCheckpoint: { N: '3' },
        entityType: { S: 'LEASE' },
      },
      // KCL 3.5 single-table rows that are not leases.
      { leaseKey: { S: 'Leader' }, entityType: { S: 'LEADER' }, ownerName: { S: 'java-worker-1' } },
      {
        leaseKey: { S: 'java-worker-1' },
        entityType: { S: 'WORKER_METRIC_STATS' },
        lut: { N: '1700000000' },
      },
      {
        leaseKey: { S: 'Migration3.0' },
        entityType: { S: 'CLIENT_VERSION_MIGRATION' },
        cv: { S: 'CLIENT_VERSION_2X' },
      },
    ];
    for (const Item of rows) await dynamoDb.send(new PutItemCommand({ TableName: applicationName, Item }));

    const seen: string[] = [];
    const worker = consumer({
      streamName,
      applicationName,
      initialPosition: 'LATEST',
      handler: async (records) => {
        seen.push(...records.map((r) => text(r.data)));
      },
    });
    await worker.start();
    await waitFor(() => seen.length >= 30, 'records after the Java checkpoints', 15_000);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(seen.filter((k) => k.startsWith('low'))).toEqual(low.slice(10));
    expect(seen.filter((k) => k.startsWith('high'))).toEqual(high);
    expect(worker.metrics().TotalLeases).toBe(2);
    // The rows had no hash ranges (KCL before 2.3): they are filled in from ListShards, as the KCL does.
    await waitFor(
      async () => [...(await readLeases(dynamoDb, applicationName)).values()].every((l) => l.hashKeyRange),
      'hash ranges written onto the Java rows',
    );
    await worker.stop();

    const leases = await readLeases(dynamoDb, applicationName);
    const { Shards = [] } = await kinesis.send(new ListShardsCommand({ StreamName: streamName }));
    for (const shard of Shards) {
      expect(leases.get(shard.ShardId!)!.hashKeyRange).toEqual({
        startingHashKey: shard.HashKeyRange!.StartingHashKey,
        endingHashKey: shard.HashKeyRange!.EndingHashKey,
      });
    }
    expect(leases.get('shardId-000000000000')).toMatchObject({
      leaseCounter: expect.any(Number),
      ownerSwitchesSinceCheckpoint: 0,
      checkpoint: { sequenceNumber: probe[19]!.sequenceNumber, subSequenceNumber: 0 },
    });
    expect(leases.get('shardId-000000000000')!.leaseCounter).toBeGreaterThan(4711);
  });

  it('writes rows the Java KCL can read: its attribute names and DynamoDB types, nothing empty', async () => {
    const streamName = uniqueName('schema');
    const applicationName = uniqueName('app');
    await createStream(streamName, 1);
    await putRecords(kinesis, streamName, 5);
    const worker = consumer({ streamName, applicationName });
    await worker.start();
    await waitFor(
      async () =>
        (await readLeases(dynamoDb, applicationName)).get('shardId-000000000000')?.checkpoint
          .sequenceNumber !== 'TRIM_HORIZON',
      'a checkpoint',
    );
    const table = await dynamoDb.send(new DescribeTableCommand({ TableName: applicationName }));
    expect(table.Table?.KeySchema).toEqual([{ AttributeName: 'leaseKey', KeyType: 'HASH' }]);
    // With the KCL 3.x LeaseOwnerToLeaseKeyIndex, as a Java KCL 3.x creates it.
    expect(table.Table?.AttributeDefinitions).toEqual([
      { AttributeName: 'leaseKey', AttributeType: 'S' },
      { AttributeName: 'leaseOwner', AttributeType: 'S' },
    ]);
    expect(table.Table?.GlobalSecondaryIndexes?.map((i) => [i.IndexName, i.KeySchema, i.Projection])).toEqual(
      [
        [
          'LeaseOwnerToLeaseKeyIndex',
          [
            { AttributeName: 'leaseOwner', KeyType: 'HASH' },
            { AttributeName: 'leaseKey', KeyType: 'RANGE' },
          ],
          { ProjectionType: 'KEYS_ONLY' },
        ],
      ],
    );
    expect(table.Table?.BillingModeSummary?.BillingMode).toBe('PAY_PER_REQUEST');
    const item = (await dynamoDb.send(new ScanCommand({ TableName: applicationName }))).Items![0]!;
    const types = Object.fromEntries(
      Object.entries(item).map(([name, value]) => [name, Object.keys(value)[0]]),
    );
    expect(types).toEqual({
      leaseKey: 'S',
      leaseOwner: 'S',
      leaseCounter: 'N',
      checkpoint: 'S',
      checkpointSubSequenceNumber: 'N',
      ownerSwitchesSinceCheckpoint: 'N',
      startingHashKey: 'S',
      endingHashKey: 'S',
      entityType: 'S',
    });
    expect(item.leaseOwner?.S).toBe(worker.workerId);
    expect(item.checkpoint?.S).toMatch(/^\d+$/);
    expect(item.endingHashKey?.S).toBe('340282366920938463463374607431768211455');
  });
});
