import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import { DescribeStreamSummaryCommand } from '@aws-sdk/client-kinesis';
import { uniqueName } from '@kinesis-ts/local';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { KinesisConsumer, type KinesisConsumerOptions, type StreamConfig } from '../../src/index.js';
import { putRecords, readLeases, text, useLocalStack, useTestStreams, waitFor } from '../local-stack.js';

const local = useLocalStack();
const createStream = useTestStreams(local);
const kinesis = local.kinesisClient();
const dynamoDb = local.dynamoDbClient();

const consumers: KinesisConsumer[] = [];
afterEach(async () => {
  await Promise.all(consumers.splice(0).map((consumer) => consumer.stop()));
});

function multiConsumer(
  options: Partial<KinesisConsumerOptions> & Pick<KinesisConsumerOptions, 'streams' | 'applicationName'>,
): KinesisConsumer {
  const consumer = new KinesisConsumer({
    kinesisClient: kinesis,
    dynamoDbClient: dynamoDb,
    initialPosition: 'TRIM_HORIZON',
    failoverTimeMs: 2_000,
    retrieval: { mode: 'polling', idleTimeBetweenReadsMs: 200 },
    handler: async () => {},
    ...options,
  } as KinesisConsumerOptions);
  consumers.push(consumer);
  return consumer;
}

/** The KCL stream identifier of a local stream: account, name, creation epoch in seconds. */
async function streamIdentifier(streamName: string): Promise<{ id: string; arn: string }> {
  const summary = await kinesis.send(new DescribeStreamSummaryCommand({ StreamName: streamName }));
  const arn = summary.StreamDescriptionSummary!.StreamARN!;
  const account = arn.split(':')[4];
  const epoch = Math.floor(summary.StreamDescriptionSummary!.StreamCreationTimestamp!.getTime() / 1000);
  return { id: `${account}:${streamName}:${epoch}`, arn };
}

// Scenarios of several streams wait on several timers; the machine running them may be loaded.
vi.setConfig({ testTimeout: 60_000 });

const KCL_KEY = /^\d{12}:[^:]+:\d+:shardId-\d{12}$/;

describe('one application over many streams', () => {
  it('delivers every record of 3 streams × 2 shards with its stream in the context, shared by two workers, in KCL lease keys', async () => {
    const names = [uniqueName('ms-a'), uniqueName('ms-b'), uniqueName('ms-c')];
    await Promise.all(names.map((name) => createStream(name, 2)));
    const applicationName = uniqueName('ms-app');
    const sent = new Map<string, string[]>();
    for (const name of names) sent.set(name, await putRecords(kinesis, name, 60, name));
    const seen = new Map<string, string[]>(names.map((name) => [name, []]));
    const handler: KinesisConsumerOptions['handler'] = async (records, context) => {
      expect(context.streamArn).toContain(`:stream/${context.streamName}`);
      for (const record of records) seen.get(context.streamName!)!.push(text(record.data));
    };
    const streams: StreamConfig[] = names.map((streamName) => ({ streamName }));
    const a = multiConsumer({ streams, applicationName, workerId: 'a', handler });
    const b = multiConsumer({ streams, applicationName, workerId: 'b', handler });
    // The events about a shard or a lease name their stream.
    const eventStreams: { event: string; streamName?: string; streamArn?: string }[] = [];
    for (const event of ['lease:taken', 'shard:started', 'batch:processed', 'checkpoint'] as const) {
      for (const worker of [a, b]) {
        worker.on(event, ({ streamName, streamArn }) => eventStreams.push({ event, streamName, streamArn }));
      }
    }
    await Promise.all([a.start(), b.start()]);
    await waitFor(
      () => names.every((name) => seen.get(name)!.length >= 60),
      'every record of every stream',
      30_000,
    );
    for (const name of names) {
      expect(new Set(seen.get(name))).toEqual(new Set(sent.get(name)));
      // Every record belongs to the stream named in its context.
      expect(seen.get(name)!.every((key) => key.startsWith(name))).toBe(true);
    }
    const leases = await readLeases(dynamoDb, applicationName);
    expect(leases.size).toBe(6);
    for (const name of names) {
      const { id } = await streamIdentifier(name);
      const mine = [...leases.values()].filter((lease) => lease.streamIdentifier === id);
      expect(mine).toHaveLength(2);
      for (const lease of mine) {
        expect(lease.leaseKey).toMatch(KCL_KEY);
        expect(lease.leaseKey).toBe(`${id}:${lease.shardId}`);
      }
    }
    // Fair share over all leases of all streams.
    await waitFor(
      () => a.heldLeaseKeys().length === 3 && b.heldLeaseKeys().length === 3,
      'three leases each',
      20_000,
    );
    // A checkpoint is written after its batch was handed over: it may come just after the last record
    // (and from either worker: the one that took a lease first may have delivered all its records).
    await waitFor(
      () => eventStreams.some(({ event }) => event === 'checkpoint'),
      'a checkpoint event',
      10_000,
    );
    expect(new Set(eventStreams.map(({ event }) => event))).toEqual(
      new Set(['lease:taken', 'shard:started', 'batch:processed', 'checkpoint']),
    );
    for (const { streamName, streamArn } of eventStreams) {
      expect(names).toContain(streamName);
      expect(streamArn).toMatch(new RegExp(`:stream/${streamName}$`));
    }
    // Per-shard figures name the stream, keyed <streamName>/<shardId>.
    const shards = Object.entries(a.metrics().shards);
    expect(shards.length).toBeGreaterThan(0);
    for (const [key, shard] of shards) {
      expect(names).toContain(shard.streamName);
      expect(key).toBe(`${shard.streamName}/${shard.shardId}`);
    }
  });

  it('resumes from checkpoints in rows shaped like the Java KCL multi-stream serializer writes them', async () => {
    const streamName = uniqueName('ms-golden');
    await createStream(streamName, 1);
    const applicationName = uniqueName('ms-golden-app');
    const keys = await putRecords(kinesis, streamName, 20, 'g');
    // Find the sequence number of the 10th record by reading with a throwaway application.
    const firstPass: { key: string; sequenceNumber: string }[] = [];
    const probe = multiConsumer({
      streams: [{ streamName }],
      applicationName: uniqueName('probe'),
      handler: async (records) => {
        for (const r of records) firstPass.push({ key: text(r.data), sequenceNumber: r.sequenceNumber });
      },
    });
    await probe.start();
    await waitFor(() => firstPass.length >= 20, 'the probe to read the stream');
    await probe.stop();
    const { id } = await streamIdentifier(streamName);
    // The consumer creates the table: start and stop one before seeding the Java row.
    const seeded = multiConsumer({ streams: [{ streamName }], applicationName, workerId: 'seed' });
    await seeded.start();
    await seeded.stop();
    const shardId = 'shardId-000000000000';
    await dynamoDb.send(
      new PutItemCommand({
        TableName: applicationName,
        Item: {
          leaseKey: { S: `${id}:${shardId}` },
          leaseOwner: { S: 'java-worker' },
          leaseCounter: { N: '12' },
          ownerSwitchesSinceCheckpoint: { N: '0' },
          checkpoint: { S: firstPass[9]!.sequenceNumber },
          checkpointSubSequenceNumber: { N: '0' },
          streamName: { S: id },
          shardId: { S: shardId },
        },
      }),
    );
    const resumed: string[] = [];
    const worker = multiConsumer({
      streams: [{ streamName }],
      applicationName,
      failoverTimeMs: 1_000,
      handler: async (records, context) => {
        expect(context.streamName).toBe(streamName);
        for (const r of records) resumed.push(text(r.data));
      },
    });
    await worker.start();
    await waitFor(() => resumed.length >= 10, 'the records after the checkpoint', 20_000);
    expect(resumed).toEqual(keys.slice(10));
  });

  it('consumes a stream added to the streams function within one sync interval', async () => {
    const first = uniqueName('ms-first');
    const later = uniqueName('ms-later');
    await createStream(first, 1);
    await createStream(later, 1);
    const list: StreamConfig[] = [{ streamName: first }];
    const seen: string[] = [];
    const added: string[] = [];
    const worker = multiConsumer({
      streams: async () => list,
      streamSyncIntervalMs: 1_000,
      applicationName: uniqueName('ms-dyn'),
      handler: async (records, context) => {
        for (const r of records) seen.push(`${context.streamName}/${text(r.data)}`);
      },
    });
    worker.on('stream:added', ({ streamName }) => added.push(streamName));
    await worker.start();
    expect(added).toEqual([first]);
    list.push({ streamName: later });
    await putRecords(kinesis, later, 5, 'late');
    await waitFor(
      () => seen.filter((s) => s.startsWith(`${later}/`)).length === 5,
      'the added stream',
      15_000,
    );
    expect(added).toEqual([first, later]);
  });

  it('keeps the running streams when the streams function throws or returns garbage, and reports a typed error', async () => {
    const streamName = uniqueName('ms-keep');
    await createStream(streamName, 1);
    let mode: 'ok' | 'throw' | 'garbage' | 'duplicate' = 'ok';
    const errors: unknown[] = [];
    const seen: string[] = [];
    const worker = multiConsumer({
      streams: async () => {
        if (mode === 'throw') throw new Error('config service down');
        if (mode === 'garbage') return [{ streamNam: streamName }] as unknown as StreamConfig[];
        if (mode === 'duplicate') return [{ streamName }, { streamName }];
        return [{ streamName }];
      },
      streamSyncIntervalMs: 1_000,
      applicationName: uniqueName('ms-keep-app'),
      handler: async (records) => {
        for (const r of records) seen.push(text(r.data));
      },
    });
    worker.on('streams:error', ({ error }) => errors.push(error));
    await worker.start();
    for (const next of ['throw', 'garbage', 'duplicate'] as const) {
      mode = next;
      const before = errors.length;
      await waitFor(() => errors.length > before, `an error for ${next}`, 10_000);
    }
    expect(errors.map((e) => (e as { code?: string }).code)).toEqual(
      expect.arrayContaining(['STREAM_TRACKER_FAILED', 'INVALID_OPTION']),
    );
    expect(String((errors.at(-1) as Error).message)).toContain(streamName);
    await putRecords(kinesis, streamName, 5, 'still');
    await waitFor(() => seen.length === 5, 'records of the running stream', 10_000);
  });
});

describe('streams that go away or come back', () => {
  it("deletes a removed stream's leases only after the configured wait, and keeps the others'", async () => {
    const kept = uniqueName('ms-kept');
    const dropped = uniqueName('ms-dropped');
    await createStream(kept, 1);
    await createStream(dropped, 1);
    const applicationName = uniqueName('ms-drop-app');
    let list: StreamConfig[] = [{ streamName: kept }, { streamName: dropped }];
    const removedAt: number[] = [];
    const deletedAt = new Map<string, number>();
    const worker = multiConsumer({
      streams: async () => list,
      streamSyncIntervalMs: 1_000,
      formerStreamsLeasesDeletion: { strategy: 'auto-detect-deferred', waitMs: 4_000 },
      applicationName,
    });
    worker.on('stream:removed', () => removedAt.push(Date.now()));
    worker.on('lease:deleted', ({ leaseKey }) => deletedAt.set(leaseKey, Date.now()));
    await worker.start();
    const { id } = await streamIdentifier(dropped);
    expect([...(await readLeases(dynamoDb, applicationName)).keys()]).toContain(`${id}:shardId-000000000000`);
    list = [{ streamName: kept }];
    await waitFor(() => removedAt.length === 1, 'the stream to be removed', 10_000);
    // Released, not deleted, until the wait is over.
    const during = await readLeases(dynamoDb, applicationName);
    expect(during.get(`${id}:shardId-000000000000`)?.leaseOwner).toBeUndefined();
    await waitFor(() => deletedAt.has(`${id}:shardId-000000000000`), 'its lease to be deleted', 15_000);
    expect(deletedAt.get(`${id}:shardId-000000000000`)! - removedAt[0]!).toBeGreaterThanOrEqual(4_000 - 100);
    const after = await readLeases(dynamoDb, applicationName);
    expect([...after.keys()].some((key) => key.includes(`:${dropped}:`))).toBe(false);
    expect([...after.keys()].some((key) => key.includes(`:${kept}:`))).toBe(true);
  });

  it('purges the leases of a deleted stream, and gives a stream recreated under its name new lease keys', async () => {
    const streamName = uniqueName('ms-recreated');
    await local.createStream(streamName, 1);
    const applicationName = uniqueName('ms-recreate-app');
    const seen: string[] = [];
    const worker = multiConsumer({
      streams: [{ streamName }],
      streamSyncIntervalMs: 1_000,
      shardSyncIntervalMs: 1_000,
      applicationName,
      handler: async (records) => {
        for (const r of records) seen.push(text(r.data));
      },
    });
    await worker.start();
    await putRecords(kinesis, streamName, 3, 'old');
    await waitFor(() => seen.length === 3, 'the old stream’s records');
    const old = await streamIdentifier(streamName);
    await local.deleteStream(streamName);
    await waitFor(
      async () =>
        ![...(await readLeases(dynamoDb, applicationName)).keys()].some((k) => k.startsWith(old.id)),
      'the deleted stream’s leases to be purged',
      20_000,
    );
    await new Promise((resolve) => setTimeout(resolve, 1_100)); // a new creation second
    await createStream(streamName, 1);
    const recreated = await streamIdentifier(streamName);
    expect(recreated.id).not.toBe(old.id);
    await putRecords(kinesis, streamName, 3, 'new');
    await waitFor(() => seen.length === 6, 'the recreated stream’s records', 20_000);
    expect(seen).toEqual(['old-0', 'old-1', 'old-2', 'new-0', 'new-1', 'new-2']);
    const keys = [...(await readLeases(dynamoDb, applicationName)).keys()];
    expect(keys).toEqual([`${recreated.id}:shardId-000000000000`]);
  });
});

describe('a single-stream application whose stream is recreated', () => {
  it('stops with a typed error instead of reading the new stream from the old checkpoints', async () => {
    const streamName = uniqueName('ss-recreated');
    await local.createStream(streamName, 1);
    const seen: string[] = [];
    const consumer = new KinesisConsumer({
      streamName,
      applicationName: uniqueName('ss-recreate-app'),
      kinesisClient: kinesis,
      dynamoDbClient: dynamoDb,
      initialPosition: 'TRIM_HORIZON',
      failoverTimeMs: 2_000,
      shardSyncIntervalMs: 1_000,
      retrieval: { mode: 'polling', idleTimeBetweenReadsMs: 200 },
      handler: async (records) => {
        for (const r of records) seen.push(text(r.data));
      },
    });
    consumers.push(consumer);
    const recreated: unknown[] = [];
    consumer.on('stream:recreated', ({ error }) => recreated.push(error));
    await consumer.start();
    await putRecords(kinesis, streamName, 3, 'old');
    await waitFor(() => seen.length === 3, 'the old records');
    await local.deleteStream(streamName);
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    await createStream(streamName, 1);
    await waitFor(() => recreated.length === 1, 'the recreation to be reported', 15_000);
    expect((recreated[0] as { code?: string }).code).toBe('STREAM_RECREATED');
    await waitFor(() => consumer.state === 'stopped', 'the consumer to stop', 15_000);
  });
});
