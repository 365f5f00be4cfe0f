import { ScanCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { ListShardsCommand, PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { ValidationError } from '@kinesis-ts/core';
import { uniqueName } from '@kinesis-ts/local';
import { afterEach, describe, expect, it } from 'vitest';
import { putRecords, text, useLocalStack, useTestStreams, waitFor } from '../../test/local-stack.js';
import { KinesisConsumer } from '../kinesis-consumer.js';
import type { KinesisConsumerOptions } from '../options.js';
import { LeaseAdminError } from './admin-errors.js';
import { LeaseAdmin } from './lease-admin.js';

const local = useLocalStack();
const kinesis = local.kinesisClient();
const dynamoDb = local.dynamoDbClient();
const createStream = useTestStreams(local);

const consumers: KinesisConsumer[] = [];
afterEach(async () => {
  await Promise.all(consumers.splice(0).map((consumer) => consumer.stop()));
});

/** A consumer that collects the data of every record it is handed, in order. */
function collectingConsumer(
  streamName: string,
  applicationName: string,
  options: Partial<KinesisConsumerOptions> = {},
): { consumer: KinesisConsumer; seen: string[] } {
  const seen: string[] = [];
  const consumer = new KinesisConsumer({
    streamName,
    applicationName,
    kinesisClient: kinesis,
    dynamoDbClient: dynamoDb,
    initialPosition: 'TRIM_HORIZON',
    failoverTimeMs: 2_000,
    idleTimeBetweenReadsMs: 200,
    handler: async (records) => {
      for (const record of records) seen.push(text(record.data));
    },
    ...options,
  } as KinesisConsumerOptions);
  consumers.push(consumer);
  return { consumer, seen };
}

/** Runs a consumer from TRIM_HORIZON until it has seen `count` records, then stops it (releasing its leases). */
async function consumeAll(streamName: string, applicationName: string, count: number): Promise<string[]> {
  const { consumer, seen } = collectingConsumer(streamName, applicationName);
  await consumer.start();
  await waitFor(() => seen.length >= count, `${count} records`);
  await consumer.stop();
  return seen;
}

async function scanTable(tableName: string) {
  const output = await dynamoDb.send(new ScanCommand({ TableName: tableName, ConsistentRead: true }));
  return (output.Items ?? []).sort((a, b) => String(a.leaseKey?.S).localeCompare(String(b.leaseKey?.S)));
}

const admin = (applicationName: string, streamName?: string) =>
  new LeaseAdmin({
    applicationName,
    dynamoDbClient: dynamoDb,
    ...(streamName ? { kinesisClient: kinesis, streamName } : {}),
    getRecordsIntervalMs: 0,
  });

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('LeaseAdmin on the local stack', () => {
  it('lists leases with owner, checkpoint, lag and state', async () => {
    const stream = uniqueName('admin-list');
    const app = uniqueName('admin-list-app');
    await createStream(stream, 2);
    await putRecords(kinesis, stream, 40);
    await consumeAll(stream, app, 40);
    await putRecords(kinesis, stream, 10, 'late');
    await sleep(1_100); // the unread records age, so the checkpoints are measurably behind

    const leases = await admin(app, stream).listLeases({ includeLag: true });
    expect(leases.map((lease) => lease.leaseKey)).toEqual(['shardId-000000000000', 'shardId-000000000001']);
    for (const lease of leases) {
      expect(lease.state).toBe('available'); // released on stop()
      expect(lease.leaseOwner).toBeUndefined();
      expect(lease.checkpoint.sequenceNumber).toMatch(/^\d+$/);
      expect(lease.hashKeyRange).toBeDefined();
      expect(lease.parentShardIds).toEqual([]);
      expect(lease.lagError).toBeUndefined();
      expect(lease.lagMs).toBeTypeOf('number');
    }
    expect(Math.max(...leases.map((lease) => lease.lagMs ?? 0))).toBeGreaterThan(0);
    // without a Kinesis client, lag is not computed
    const plain = await admin(app).listLeases();
    expect(plain[0]?.lagMs).toBeUndefined();
  });

  it('resets every checkpoint to TRIM_HORIZON, and a restarted consumer replays everything', async () => {
    const stream = uniqueName('admin-trim');
    const app = uniqueName('admin-trim-app');
    await createStream(stream, 2);
    const ids = await putRecords(kinesis, stream, 30);
    await consumeAll(stream, app, 30);
    const before = await scanTable(app);

    const dry = await admin(app).resetCheckpoints({ target: 'TRIM_HORIZON', dryRun: true });
    expect(dry).toMatchObject({ dryRun: true, applied: false, heldLeases: [] });
    expect(dry.changes.map((change) => change.to.sequenceNumber)).toEqual(['TRIM_HORIZON', 'TRIM_HORIZON']);
    expect(await scanTable(app)).toEqual(before); // a dry run writes nothing

    const result = await admin(app).resetCheckpoints({ target: 'TRIM_HORIZON' });
    expect(result.applied).toBe(true);
    const { consumer, seen } = collectingConsumer(stream, app, { initialPosition: 'LATEST' });
    await consumer.start();
    await waitFor(() => seen.length >= 30, 'the replay');
    expect([...seen].sort()).toEqual([...ids].sort());
  });

  it('resets to a timestamp: the restarted consumer re-reads exactly the records that arrived from then on', async () => {
    const stream = uniqueName('admin-time');
    const app = uniqueName('admin-time-app');
    await createStream(stream, 1);
    await putRecords(kinesis, stream, 20, 'old');
    await sleep(1_500);
    const replayFrom = new Date();
    await sleep(1_500);
    const recent = await putRecords(kinesis, stream, 15, 'new');
    await consumeAll(stream, app, 35);

    const result = await admin(app, stream).resetCheckpoints({ target: { timestamp: replayFrom } });
    expect(result.changes).toHaveLength(1);
    expect(result.changes[0]?.to.sequenceNumber).toMatch(/^\d+$/); // the last "old" record

    const { consumer, seen } = collectingConsumer(stream, app);
    await consumer.start();
    await waitFor(() => seen.length >= 15, 'the replay');
    await sleep(500);
    expect(seen).toEqual(recent);
  });

  it('resets one shard to a sequence number, inclusive, leaving the other shard alone', async () => {
    const stream = uniqueName('admin-seq');
    const app = uniqueName('admin-seq-app');
    await createStream(stream, 2);
    const shards = await kinesis.send(new ListShardsCommand({ StreamName: stream }));
    const shard0 = shards.Shards![0]!;
    const entries = Array.from({ length: 10 }, (_, i) => ({
      PartitionKey: `k${i}`,
      ExplicitHashKey: shard0.HashKeyRange!.StartingHashKey!,
      Data: new TextEncoder().encode(`s0-${i}`),
    }));
    const put = await kinesis.send(new PutRecordsCommand({ StreamName: stream, Records: entries }));
    await putRecords(kinesis, stream, 10, 'other', {
      explicitHashKey: () => shards.Shards![1]!.HashKeyRange!.StartingHashKey!,
    });
    await consumeAll(stream, app, 20);
    const otherBefore = (await scanTable(app)).find(
      (item) => item.leaseKey?.S === shards.Shards![1]!.ShardId,
    );

    const seventh = put.Records![6]!.SequenceNumber!;
    const result = await admin(app, stream).resetCheckpoints({
      target: { atSequenceNumber: seventh },
      shardIds: [shard0.ShardId!],
    });
    expect(result.changes.map((change) => change.to.sequenceNumber)).toEqual([
      put.Records![5]!.SequenceNumber,
    ]);
    const otherAfter = (await scanTable(app)).find((item) => item.leaseKey?.S === shards.Shards![1]!.ShardId);
    expect(otherAfter).toEqual(otherBefore);

    const { consumer, seen } = collectingConsumer(stream, app);
    await consumer.start();
    await waitFor(() => seen.length >= 4, 'the replay');
    await sleep(500);
    expect(seen).toEqual(['s0-6', 's0-7', 's0-8', 's0-9']);
  });

  it('refuses to reset leases a live worker holds unless forced; forced, the worker replays', async () => {
    const stream = uniqueName('admin-held');
    const app = uniqueName('admin-held-app');
    await createStream(stream, 1);
    const ids = await putRecords(kinesis, stream, 12);
    const { consumer, seen } = collectingConsumer(stream, app);
    await consumer.start();
    await waitFor(() => seen.length >= 12, 'the first pass');
    // the checkpoint after the last batch is written once the handler returned: wait for it, so that
    // the worker writes nothing while the refused reset is checked
    await waitFor(
      async () => (await scanTable(app)).every((item) => item.checkpoint?.S !== 'TRIM_HORIZON'),
      'the checkpoint of the first pass',
    );
    const before = await scanTable(app);

    const refused = await admin(app)
      .resetCheckpoints({ target: 'TRIM_HORIZON' })
      .catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(LeaseAdminError);
    expect(refused).toMatchObject({ code: 'ADMIN_LEASES_HELD' });
    expect((refused as LeaseAdminError).message).toMatch(/Nothing was changed/);
    const after = await scanTable(app);
    expect(after.map((item) => item.checkpoint)).toEqual(before.map((item) => item.checkpoint));

    const dry = await admin(app).resetCheckpoints({ target: 'TRIM_HORIZON', dryRun: true });
    expect(dry.heldLeases).toHaveLength(1);
    expect(dry.applied).toBe(false);

    // a live worker renews its lease: watching for a while does not make it stale
    await expect(
      admin(app).resetCheckpoints({ target: 'TRIM_HORIZON', staleOwnerAfterMs: 1_500 }),
    ).rejects.toMatchObject({ code: 'ADMIN_LEASES_HELD' });

    const forced = await admin(app).resetCheckpoints({ target: 'TRIM_HORIZON', force: true });
    expect(forced.applied).toBe(true);
    await waitFor(() => seen.length >= 24, 'the running worker to replay after the forced reset');
    expect([...seen.slice(12)].sort()).toEqual([...ids].sort());
  });

  it('resets leases a dead worker left owned once staleOwnerAfterMs shows they are not renewed', async () => {
    const stream = uniqueName('admin-stale');
    const app = uniqueName('admin-stale-app');
    await createStream(stream, 1);
    await putRecords(kinesis, stream, 5);
    await consumeAll(stream, app, 5);
    // what a Java KCL worker leaves behind when it stops: its id still in leaseOwner
    await dynamoDb.send(
      new UpdateItemCommand({
        TableName: app,
        Key: { leaseKey: { S: 'shardId-000000000000' } },
        UpdateExpression: 'SET leaseOwner = :dead',
        ExpressionAttributeValues: { ':dead': { S: 'java-worker-gone' } },
      }),
    );
    await expect(admin(app).resetCheckpoints({ target: 'TRIM_HORIZON' })).rejects.toMatchObject({
      code: 'ADMIN_LEASES_HELD',
    });
    const result = await admin(app).resetCheckpoints({ target: 'TRIM_HORIZON', staleOwnerAfterMs: 300 });
    expect(result.applied).toBe(true);
    const [row] = await scanTable(app);
    expect(row?.leaseOwner).toBeUndefined();
    expect(row?.checkpoint).toEqual({ S: 'TRIM_HORIZON' });
  });

  it('replays through a separate application from a timestamp without touching the main application', async () => {
    const stream = uniqueName('admin-replay');
    const main = uniqueName('orders-app');
    const replay = uniqueName('orders-replay');
    await createStream(stream, 2);
    await putRecords(kinesis, stream, 20, 'before');
    await sleep(1_500);
    const replayFrom = new Date();
    await sleep(1_000);
    const after = await putRecords(kinesis, stream, 20, 'after');
    await consumeAll(stream, main, 40);
    const mainBefore = await scanTable(main);

    const { consumer, seen } = collectingConsumer(stream, replay, {
      initialPosition: { timestamp: replayFrom },
    });
    await consumer.start();
    await waitFor(() => seen.length >= 20, 'the replay application');
    await sleep(500);
    expect([...seen].sort()).toEqual([...after].sort());
    await consumer.stop();

    // resetting the replay application rewrites its own table only
    await admin(replay).resetCheckpoints({ target: 'TRIM_HORIZON' });
    expect(await scanTable(main)).toEqual(mainBefore);
    expect((await scanTable(replay)).map((item) => item.checkpoint)).toEqual([
      { S: 'TRIM_HORIZON' },
      { S: 'TRIM_HORIZON' },
    ]);
  });

  it('rejects bad requests with clear errors and changes nothing', async () => {
    const stream = uniqueName('admin-bad');
    const app = uniqueName('admin-bad-app');
    await createStream(stream, 2);
    await putRecords(kinesis, stream, 6);
    await consumeAll(stream, app, 6);
    const before = await scanTable(app);

    await expect(admin(uniqueName('no-such-app')).listLeases()).rejects.toMatchObject({
      code: 'ADMIN_TABLE_NOT_FOUND',
    });
    await expect(admin(app).resetCheckpoints({} as never)).rejects.toBeInstanceOf(ValidationError);
    await expect(
      admin(app).resetCheckpoints({ target: 'TRIM_HORIZON', shardIds: ['shardId-000000000009'] }),
    ).rejects.toMatchObject({ code: 'ADMIN_LEASE_NOT_FOUND' });
    await expect(admin(app).resetCheckpoints({ target: { timestamp: Date.now() } })).rejects.toMatchObject({
      code: 'INVALID_OPTION',
      field: 'kinesisClient',
    });
    await expect(
      new LeaseAdmin({
        applicationName: app,
        dynamoDbClient: dynamoDb,
        kinesisClient: kinesis,
        streamName: uniqueName('no-such-stream'),
      }).resetCheckpoints({ target: { timestamp: Date.now() } }),
    ).rejects.toMatchObject({ code: 'ADMIN_STREAM_NOT_FOUND' });
    for (const field of ['dynamoDbRequestTimeoutMs', 'kinesisRequestTimeoutMs'] as const) {
      expect(() => new LeaseAdmin({ applicationName: app, dynamoDbClient: dynamoDb, [field]: 10 })).toThrow(
        expect.objectContaining({ code: 'INVALID_OPTION', field }),
      );
    }
    expect(await scanTable(app)).toEqual(before);
  });
});
