import { ValidationError } from '@kinesis-ts/core';
import { uniqueName } from '@kinesis-ts/local';
import { afterEach, describe, expect, it } from 'vitest';
import { putRecords, text, useLocalStack, useTestStreams, waitFor } from '../../test/local-stack.js';
import { KinesisConsumer } from '../kinesis-consumer.js';
import { LeaseAdmin } from './lease-admin.js';

const local = useLocalStack();
const kinesis = local.kinesisClient();
const dynamoDb = local.dynamoDbClient();
const createStream = useTestStreams(local);

const consumers: KinesisConsumer[] = [];
afterEach(async () => {
  await Promise.all(consumers.splice(0).map((consumer) => consumer.stop()));
});

function multiConsumer(streams: string[], applicationName: string, seen: string[]): KinesisConsumer {
  const consumer = new KinesisConsumer({
    streams: streams.map((streamName) => ({ streamName })),
    applicationName,
    kinesisClient: kinesis,
    dynamoDbClient: dynamoDb,
    initialPosition: 'TRIM_HORIZON',
    failoverTimeMs: 2_000,
    retrieval: { mode: 'polling', idleTimeBetweenReadsMs: 200 },
    handler: async (records, { streamName }) => {
      for (const record of records) seen.push(`${streamName}/${text(record.data)}`);
    },
  });
  consumers.push(consumer);
  return consumer;
}

describe('LeaseAdmin on a multi-stream table', () => {
  it('lists every stream’s leases, one stream’s with lag, and resets only that stream’s checkpoints', async () => {
    const [a, b] = [uniqueName('adm-a'), uniqueName('adm-b')];
    await createStream(a, 2);
    await createStream(b, 1);
    const app = uniqueName('adm-app');
    await putRecords(kinesis, a, 10, 'a');
    await putRecords(kinesis, b, 10, 'b');
    const seen: string[] = [];
    const first = multiConsumer([a, b], app, seen);
    await first.start();
    await waitFor(() => seen.length === 20, 'every record');
    await first.stop();

    const all = await new LeaseAdmin({ applicationName: app, dynamoDbClient: dynamoDb }).listLeases();
    expect(all.map((lease) => lease.streamName).sort()).toEqual([a, a, b]);
    expect(all.every((lease) => lease.leaseKey === `${lease.streamIdentifier}:${lease.shardId}`)).toBe(true);

    const admin = new LeaseAdmin({
      applicationName: app,
      dynamoDbClient: dynamoDb,
      kinesisClient: kinesis,
      streamName: a,
    });
    const ofA = await admin.listLeases({ includeLag: true });
    expect(ofA.map((lease) => lease.shardId).sort()).toEqual([
      'shardId-000000000000',
      'shardId-000000000001',
    ]);
    expect(ofA.every((lease) => lease.lagMs === 0)).toBe(true);

    await expect(
      new LeaseAdmin({ applicationName: app, dynamoDbClient: dynamoDb }).resetCheckpoints({
        target: 'TRIM_HORIZON',
      }),
    ).rejects.toSatisfy((error) => ValidationError.isInstance(error) && String(error).includes(b));

    const result = await admin.resetCheckpoints({
      target: 'TRIM_HORIZON',
      shardIds: ['shardId-000000000001'],
    });
    expect(result.changes.map((change) => change.shardId)).toEqual(['shardId-000000000001']);
    const afterReset = await new LeaseAdmin({ applicationName: app, dynamoDbClient: dynamoDb }).listLeases();
    const reset = afterReset.filter((lease) => lease.checkpoint.sequenceNumber === 'TRIM_HORIZON');
    expect(reset.map((lease) => `${lease.streamName}/${lease.shardId}`)).toEqual([
      `${a}/shardId-000000000001`,
    ]);

    // The application replays exactly that shard.
    const again: string[] = [];
    const second = multiConsumer([a, b], app, again);
    await second.start();
    const replayed = seen.filter((entry) => entry.startsWith(`${a}/`)).length;
    await waitFor(() => again.length > 0, 'the replay');
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(again.every((entry) => entry.startsWith(`${a}/`))).toBe(true);
    expect(again.length).toBeLessThan(replayed);
  }, 60_000);
});
