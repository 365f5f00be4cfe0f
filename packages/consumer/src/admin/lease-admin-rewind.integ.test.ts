import { uniqueName } from '@kinesis-ts/local';
import { afterEach, describe, expect, it } from 'vitest';
import {
  putRecords,
  readLeases,
  text,
  useLocalStack,
  useTestStreams,
  waitFor,
} from '../../test/local-stack.js';
import { splitShard } from '../../test/reshard-ops.js';
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

function collecting(streamName: string, applicationName: string, seen: string[]): KinesisConsumer {
  const consumer = new KinesisConsumer({
    streamName,
    applicationName,
    kinesisClient: kinesis,
    dynamoDbClient: dynamoDb,
    initialPosition: 'TRIM_HORIZON',
    failoverTimeMs: 2_000,
    leaseCleanupIntervalMs: 0,
    retrieval: { mode: 'polling', idleTimeBetweenReadsMs: 200 },
    handler: async (records) => {
      for (const record of records) seen.push(text(record.data));
    },
  });
  consumers.push(consumer);
  return consumer;
}

describe('a timestamp rewind into a finished parent whose lease was deleted', () => {
  it('creates the parent’s lease again, so its records after the timestamp are read again before its children’s', async () => {
    const stream = uniqueName('rewind');
    await createStream(stream, 1);
    const app = uniqueName('rewind-app');
    await putRecords(kinesis, stream, 3, 'before');
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    const rewindTo = new Date();
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    await putRecords(kinesis, stream, 3, 'parent-after');
    await splitShard(kinesis, stream, 'shardId-000000000000');
    await putRecords(kinesis, stream, 4, 'child');
    const seen: string[] = [];
    const first = collecting(stream, app, seen);
    await first.start();
    await waitFor(() => seen.length === 10, 'every record', 20_000);
    await waitFor(
      async () => !(await readLeases(dynamoDb, app)).has('shardId-000000000000'),
      'the finished parent’s lease to be deleted',
      20_000,
    );
    await first.stop();

    const admin = new LeaseAdmin({
      applicationName: app,
      dynamoDbClient: dynamoDb,
      kinesisClient: kinesis,
      streamName: stream,
    });
    const result = await admin.resetCheckpoints({ target: { timestamp: rewindTo } });
    expect(result.recreated?.map((lease) => lease.leaseKey)).toEqual(['shardId-000000000000']);
    expect((await readLeases(dynamoDb, app)).get('shardId-000000000000')?.parentShardIds).toEqual([]);

    const again: string[] = [];
    const second = collecting(stream, app, again);
    await second.start();
    await waitFor(() => again.length === 7, 'the replay', 20_000);
    expect(again.slice(0, 3)).toEqual(['parent-after-0', 'parent-after-1', 'parent-after-2']);
    expect(again.slice(3).sort()).toEqual(['child-0', 'child-1', 'child-2', 'child-3']);
  }, 90_000);
});
