import { uniqueName } from '@kinesis-ts/local';
import { afterEach, describe, expect, it } from 'vitest';
import { putRecords, readLeases, text, useLocalStack, waitFor } from '../test/local-stack.js';
import { KinesisConsumer, type KinesisConsumerOptions } from './index.js';

const local = useLocalStack();
const kinesis = local.kinesisClient();
const dynamoDb = local.dynamoDbClient();
const consumers: KinesisConsumer[] = [];

afterEach(async () => {
  await Promise.all(consumers.splice(0).map((consumer) => consumer.stop()));
});

function consumer(
  options: Partial<KinesisConsumerOptions> & Pick<KinesisConsumerOptions, 'streamName' | 'applicationName'>,
) {
  const created = new KinesisConsumer({
    kinesisClient: kinesis,
    dynamoDbClient: dynamoDb,
    initialPosition: 'TRIM_HORIZON',
    failoverTimeMs: 2_000,
    idleTimeBetweenReadsMs: 200,
    handler: async () => {},
    ...options,
  } as KinesisConsumerOptions);
  consumers.push(created);
  return created;
}

describe('KinesisConsumer on the local stack', () => {
  it('delivers every record of every shard once and checkpoints each shard at its last record', async () => {
    const streamName = uniqueName('deliver');
    const applicationName = uniqueName('app');
    await local.createStream(streamName, 2);
    const ids = await putRecords(kinesis, streamName, 300);
    const seen: string[] = [];
    const worker = consumer({
      streamName,
      applicationName,
      handler: async (records) => {
        for (const record of records) seen.push(text(record.data));
      },
    });
    await worker.start();
    await waitFor(() => seen.length >= ids.length, 'all records');
    await worker.stop();
    expect([...seen].sort()).toEqual([...ids].sort());
    const leases = await readLeases(dynamoDb, applicationName);
    expect(leases.size).toBe(2);
    for (const lease of leases.values()) {
      expect(lease.checkpoint.sequenceNumber).toMatch(/^\d+$/);
      expect(lease.leaseOwner).toBeUndefined();
    }
  });
});
