import { injectKinesisFaults, uniqueName } from '@kinesis-ts/local';
import { describe, expect, it } from 'vitest';
import type { KinesisConsumer, KinesisConsumerOptions } from '../../src/index.js';
import {
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
const consumer = useTestConsumers(kinesis, dynamoDb, {
  failoverTimeMs: 2_000,
  idleTimeBetweenReadsMs: 200,
  retrievalBackoff: { baseDelayMs: 50, maxDelayMs: 200 },
});
const SHARD = 'shardId-000000000000';

/** What a worker did to the stream's one shard. */
function watch(worker: KinesisConsumer) {
  const seen = { keys: [] as string[], ended: [] as string[], errors: [] as string[] };
  worker.on('shard:ended', ({ shardId }) => seen.ended.push(shardId));
  worker.on('retrieval:error', ({ operation, error }) =>
    seen.errors.push(`${operation}: ${(error as Error).name}`),
  );
  return seen;
}

function handlerInto(keys: string[]): KinesisConsumerOptions['handler'] {
  return async (records) => {
    for (const record of records) keys.push(text(record.data));
  };
}

/**
 * Writes records after the fault and waits for them: on an open shard that a single
 * ResourceNotFoundException ended, they would never be delivered and the lease would say SHARD_END.
 */
async function expectShardStillRead(
  streamName: string,
  applicationName: string,
  seen: ReturnType<typeof watch>,
  before: readonly string[],
): Promise<void> {
  const after = await putRecords(kinesis, streamName, 20, 'after');
  await waitFor(
    () => seen.keys.length >= before.length + after.length,
    'the records written after the fault',
  );
  expect(seen.keys).toEqual([...before, ...after]);
  expect(seen.ended).toEqual([]);
  await waitFor(
    async () =>
      (await readLeases(dynamoDb, applicationName)).get(SHARD)?.checkpoint.sequenceNumber !== 'TRIM_HORIZON',
    'a checkpoint',
  );
  const lease = (await readLeases(dynamoDb, applicationName)).get(SHARD)!;
  expect(lease.checkpoint.sequenceNumber).toMatch(/^[0-9]+$/); // a record's position, not SHARD_END
}

describe('a shard that Kinesis says does not exist, once (polling)', () => {
  it('is not ended when GetRecords fails with ResourceNotFoundException: the records after the fault are delivered, no SHARD_END', async () => {
    const streamName = uniqueName('rnf-records');
    const applicationName = uniqueName('app');
    await createStream(streamName, 1);
    const before = await putRecords(kinesis, streamName, 10, 'before');
    const faultyKinesis = local.kinesisClient();
    const faults = injectKinesisFaults(faultyKinesis, {});
    const keys: string[] = [];
    const worker = consumer({
      streamName,
      applicationName,
      kinesisClient: faultyKinesis,
      handler: handlerInto(keys),
    });
    const seen = { ...watch(worker), keys };
    await worker.start();
    await waitFor(() => keys.length >= before.length, 'the records before the fault');
    faults.update({
      callErrors: [{ operations: ['GetRecords'], error: 'ResourceNotFoundException', firstCalls: 1 }],
    });
    await waitFor(() => faults.stats().callErrors === 1, 'the injected fault');

    await expectShardStillRead(streamName, applicationName, seen, before);
    expect(seen.errors).toContain('GetRecords: ResourceNotFoundException');
  });

  it('is not ended when GetShardIterator fails with ResourceNotFoundException at the start', async () => {
    const streamName = uniqueName('rnf-iterator');
    const applicationName = uniqueName('app');
    await createStream(streamName, 1);
    const before = await putRecords(kinesis, streamName, 10, 'before');
    const faultyKinesis = local.kinesisClient();
    const faults = injectKinesisFaults(faultyKinesis, {
      callErrors: [{ operations: ['GetShardIterator'], error: 'ResourceNotFoundException', firstCalls: 1 }],
    });
    const keys: string[] = [];
    const worker = consumer({
      streamName,
      applicationName,
      kinesisClient: faultyKinesis,
      handler: handlerInto(keys),
    });
    const seen = { ...watch(worker), keys };
    await worker.start();
    await waitFor(() => keys.length >= before.length, 'the records written before the start');
    expect(faults.stats().callErrors).toBe(1);

    await expectShardStillRead(streamName, applicationName, seen, before);
    expect(seen.errors).toContain('GetShardIterator: ResourceNotFoundException');
  });

  it('is ended without children once the stream is really gone', async () => {
    const streamName = uniqueName('rnf-deleted');
    const applicationName = uniqueName('app');
    await local.createStream(streamName, 1);
    const before = await putRecords(kinesis, streamName, 10, 'before');
    const keys: string[] = [];
    const worker = consumer({ streamName, applicationName, handler: handlerInto(keys) });
    const seen = { ...watch(worker), keys };
    await worker.start();
    await waitFor(() => keys.length >= before.length, 'the records');
    await local.deleteStream(streamName);
    await waitFor(() => seen.ended.length === 1, 'the end of the deleted shard');
    expect(seen.ended).toEqual([SHARD]);
    const lease = (await readLeases(dynamoDb, applicationName)).get(SHARD)!;
    expect(lease.checkpoint.sequenceNumber).toBe('SHARD_END');
  });
});

describe('a shard that Kinesis says does not exist, once (enhanced fan-out)', () => {
  it('is not ended when SubscribeToShard and the GetRecords check both say ResourceNotFoundException', async () => {
    const streamName = uniqueName('rnf-efo');
    const applicationName = uniqueName('app');
    await createStream(streamName, 1);
    const before = await putRecords(kinesis, streamName, 10, 'before');
    const faultyKinesis = local.kinesisClient();
    const faults = injectKinesisFaults(faultyKinesis, {
      callErrors: [
        { operations: ['SubscribeToShard'], error: 'ResourceNotFoundException', firstCalls: 1 },
        { operations: ['GetShardIterator'], error: 'ResourceNotFoundException', firstCalls: 1 },
      ],
    });
    const keys: string[] = [];
    const worker = consumer({
      streamName,
      applicationName,
      kinesisClient: faultyKinesis,
      retrieval: { mode: 'fan-out', subscriptionIdleTimeoutMs: 10_000 },
      handler: handlerInto(keys),
    });
    const seen = { ...watch(worker), keys };
    await worker.start();
    await waitFor(() => keys.length >= before.length, 'the records written before the start', 20_000);
    expect(faults.stats().byError).toMatchObject({ ResourceNotFoundException: 2 });

    await expectShardStillRead(streamName, applicationName, seen, before);
    expect(seen.errors).toContain('SubscribeToShard: ResourceNotFoundException');
  });
});
