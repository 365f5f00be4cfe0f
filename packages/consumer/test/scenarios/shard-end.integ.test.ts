import { ListShardsCommand, SplitShardCommand } from '@aws-sdk/client-kinesis';
import { uniqueName } from '@kinesis-ts/local';
import { afterEach, describe, expect, it } from 'vitest';
import { KinesisConsumer, type KinesisConsumerOptions, type ShardRecordProcessor } from '../../src/index.js';
import { putRecords, readLeases, text, useLocalStack, useTestStreams, waitFor } from '../local-stack.js';

const local = useLocalStack();
const createStream = useTestStreams(local);
const kinesis = local.kinesisClient();
const dynamoDb = local.dynamoDbClient();
const consumers: KinesisConsumer[] = [];

afterEach(async () => {
  await Promise.all(consumers.splice(0).map((consumer) => consumer.stop()));
});

async function split(streamName: string): Promise<void> {
  await kinesis.send(
    new SplitShardCommand({
      StreamName: streamName,
      ShardToSplit: 'shardId-000000000000',
      NewStartingHashKey: '170141183460469231731687303715884105728',
    }),
  );
  await waitFor(async () => {
    const shards = (await kinesis.send(new ListShardsCommand({ StreamName: streamName }))).Shards ?? [];
    return (
      shards.length === 3 && shards.filter((s) => !s.SequenceNumberRange?.EndingSequenceNumber).length === 2
    );
  }, 'the split');
}

describe('shard end (the hook resharding builds on)', () => {
  it('finishes a split parent with shardEnded, creates the child leases, and reads the children only after it', async () => {
    const streamName = uniqueName('split');
    const applicationName = uniqueName('app');
    await createStream(streamName, 1);
    const before = await putRecords(kinesis, streamName, 20, 'before');
    const delivered: { shardId: string; key: string; at: number }[] = [];
    const calls: string[] = [];
    const processor = (shardId: string): ShardRecordProcessor => ({
      processRecords: async ({ records, checkpointer }) => {
        for (const record of records)
          delivered.push({ shardId, key: text(record.data), at: performance.now() });
        await checkpointer.checkpoint();
      },
      shardEnded: async ({ checkpointer }) => {
        calls.push(`shardEnded ${shardId}`);
        await checkpointer.checkpoint();
      },
    });
    const ended: string[][] = [];
    const worker = new KinesisConsumer({
      streamName,
      applicationName,
      kinesisClient: kinesis,
      dynamoDbClient: dynamoDb,
      initialPosition: 'TRIM_HORIZON',
      failoverTimeMs: 2_000,
      idleTimeBetweenReadsMs: 200,
      processor,
    } satisfies KinesisConsumerOptions);
    consumers.push(worker);
    worker.on('shard:ended', ({ childShardIds }) => ended.push([...childShardIds]));
    await worker.start();
    await waitFor(() => delivered.length === 20, 'the records before the split');
    await split(streamName);
    const after = await putRecords(kinesis, streamName, 40, 'after');
    await waitFor(() => delivered.length === 60, 'the records after the split', 20_000);

    expect(delivered.map((d) => d.key).sort()).toEqual([...before, ...after].sort());
    expect(calls).toEqual(['shardEnded shardId-000000000000']);
    expect(ended).toEqual([['shardId-000000000001', 'shardId-000000000002']]);
    const parentLast = Math.max(
      ...delivered.filter((d) => d.shardId === 'shardId-000000000000').map((d) => d.at),
    );
    const childFirst = Math.min(
      ...delivered.filter((d) => d.shardId !== 'shardId-000000000000').map((d) => d.at),
    );
    expect(childFirst).toBeGreaterThan(parentLast);

    const leases = await readLeases(dynamoDb, applicationName);
    expect(leases.get('shardId-000000000000')).toMatchObject({
      checkpoint: { sequenceNumber: 'SHARD_END', subSequenceNumber: 0 },
      childShardIds: ['shardId-000000000001', 'shardId-000000000002'],
      leaseOwner: undefined,
    });
    for (const child of ['shardId-000000000001', 'shardId-000000000002']) {
      expect(leases.get(child)?.parentShardIds).toEqual(['shardId-000000000000']);
      expect(leases.get(child)?.hashKeyRange).toBeDefined();
    }
    expect(worker.heldLeaseKeys()).toEqual(['shardId-000000000001', 'shardId-000000000002']);
  });

  it('on the handler path checkpoints SHARD_END itself', async () => {
    const streamName = uniqueName('split-handler');
    const applicationName = uniqueName('app');
    await createStream(streamName, 1);
    await putRecords(kinesis, streamName, 5, 'before');
    let count = 0;
    const worker = new KinesisConsumer({
      streamName,
      applicationName,
      kinesisClient: kinesis,
      dynamoDbClient: dynamoDb,
      initialPosition: 'TRIM_HORIZON',
      failoverTimeMs: 2_000,
      idleTimeBetweenReadsMs: 200,
      handler: async (records) => {
        count += records.length;
      },
    });
    consumers.push(worker);
    await worker.start();
    await waitFor(() => count === 5, 'the first records');
    await split(streamName);
    await waitFor(
      async () =>
        (await readLeases(dynamoDb, applicationName)).get('shardId-000000000000')?.checkpoint
          .sequenceNumber === 'SHARD_END',
      'SHARD_END',
      15_000,
    );
    await waitFor(() => worker.heldLeaseKeys().length === 2, 'the children', 10_000);
  });
});
