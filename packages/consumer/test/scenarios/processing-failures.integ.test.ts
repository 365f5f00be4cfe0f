import { uniqueName } from '@kinesis-ts/local';
import { describe, expect, it } from 'vitest';
import type { PoisonRecord } from '../../src/index.js';
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
  failoverTimeMs: 1_500,
  idleTimeBetweenReadsMs: 200,
  maxProcessingAttempts: 3,
  processingBackoff: { baseDelayMs: 10, maxDelayMs: 50 },
});

describe('processing failures and slow processing', () => {
  it('keeps the lease while a handler takes three failover times, and no other worker takes it', async () => {
    const streamName = uniqueName('slow');
    const applicationName = uniqueName('app');
    await createStream(streamName, 1);
    await putRecords(kinesis, streamName, 5);
    let finished = false;
    const events: string[] = [];
    const slow = consumer({
      streamName,
      applicationName,
      workerId: 'slow',
      handler: async () => {
        await new Promise((resolve) => setTimeout(resolve, 4_500));
        finished = true;
      },
    });
    slow.on('lease:lost', ({ leaseKey }) => events.push(`lost ${leaseKey}`));
    await slow.start();
    const other = consumer({ streamName, applicationName, workerId: 'other' });
    await other.start();
    await waitFor(() => finished, 'the slow handler', 10_000);
    expect(events).toEqual([]);
    expect(other.heldLeaseKeys()).toEqual([]);
    expect(slow.metrics().RenewalFailures).toBe(0);
    const lease = (await readLeases(dynamoDb, applicationName)).get('shardId-000000000000')!;
    expect(lease.leaseOwner).toBe('slow');
    await waitFor(
      async () =>
        (await readLeases(dynamoDb, applicationName)).get('shardId-000000000000')?.checkpoint
          .sequenceNumber !== 'TRIM_HORIZON',
      'the batch checkpoint',
    );
  });

  it('hands a poison record to onPoisonRecord with its metadata, then moves past it (SC-34)', async () => {
    const streamName = uniqueName('poison');
    const applicationName = uniqueName('app');
    await createStream(streamName, 1);
    const ids = await putRecords(kinesis, streamName, 10);
    const poisoned: PoisonRecord[] = [];
    const processed: string[] = [];
    const worker = consumer({
      streamName,
      applicationName,
      handler: async (records) => {
        if (records.some((r) => text(r.data) === 'r-4')) throw new Error('cannot parse r-4');
        processed.push(...records.map((r) => text(r.data)));
      },
      onPoisonRecord: (poison) => {
        poisoned.push(poison);
      },
    });
    await worker.start();
    await waitFor(() => processed.includes('r-9'), 'the records after the poison one');
    expect(poisoned).toHaveLength(1);
    const [poison] = poisoned;
    expect(poison).toMatchObject({
      streamName,
      shardId: 'shardId-000000000000',
      attempts: 6, // 3 tries of the whole batch (a plain error), then 3 of r-4 alone
      record: { partitionKey: 'r-4', subSequenceNumber: 0, aggregated: false },
    });
    expect(text(poison!.record.data)).toBe('r-4');
    expect(poison!.record.sequenceNumber).toMatch(/^\d+$/);
    expect(poison!.record.approximateArrivalTimestamp).toBeInstanceOf(Date);
    expect((poison!.error as Error).message).toBe('cannot parse r-4');
    expect(new Set(processed)).toEqual(new Set(ids.filter((id) => id !== 'r-4')));
    expect(worker.metrics().PoisonRecords).toBe(1);
    await waitFor(
      async () =>
        (await readLeases(dynamoDb, applicationName)).get('shardId-000000000000')?.checkpoint
          .sequenceNumber === worker.metrics().shards['shardId-000000000000']?.checkpoint?.sequenceNumber,
      'the checkpoint past the poison record',
    );
  });

  it('without onPoisonRecord stops the shard, keeps its lease and checkpoint, and skips nothing', async () => {
    const streamName = uniqueName('stuck');
    const applicationName = uniqueName('app');
    await createStream(streamName, 1);
    await putRecords(kinesis, streamName, 10);
    const failures: string[] = [];
    let attempts = 0;
    const worker = consumer({
      streamName,
      applicationName,
      workerId: 'stuck',
      handler: async () => {
        attempts++;
        throw new Error('downstream is down');
      },
    });
    worker.on('shard:failed', ({ shardId, error }) =>
      failures.push(`${shardId}: ${(error as { code: string }).code}`),
    );
    await worker.start();
    await waitFor(() => failures.length === 1, 'the shard to fail');
    expect(failures).toEqual(['shardId-000000000000: RECORD_PROCESSING_FAILED']);
    expect(attempts).toBe(3);
    const other = consumer({ streamName, applicationName, workerId: 'other' });
    await other.start();
    await new Promise((resolve) => setTimeout(resolve, 3_000)); // two failover times
    expect(other.heldLeaseKeys()).toEqual([]);
    expect(worker.heldLeaseKeys()).toEqual(['shardId-000000000000']);
    expect(worker.metrics().shards['shardId-000000000000']?.state).toBe('failed');
    const lease = (await readLeases(dynamoDb, applicationName)).get('shardId-000000000000')!;
    expect(lease).toMatchObject({ leaseOwner: 'stuck', checkpoint: { sequenceNumber: 'TRIM_HORIZON' } });
    expect(attempts).toBe(3);
  });

  it('reports a processor factory that throws as a failed shard and does not keep the lease', async () => {
    const streamName = uniqueName('factory');
    const applicationName = uniqueName('app');
    await createStream(streamName, 1);
    const failures: unknown[] = [];
    const worker = consumer({
      streamName,
      applicationName,
      handler: undefined,
      processor: () => {
        throw new Error('no database connection');
      },
    });
    worker.on('shard:failed', ({ error }) => failures.push(error));
    await worker.start();
    await waitFor(() => failures.length > 0, 'shard:failed');
    expect((failures[0] as Error).message).toBe('no database connection');
    await waitFor(() => worker.metrics().ReleasedLeases > 0, 'the release');
  });

  it('emits the lifecycle events in order', async () => {
    const streamName = uniqueName('events');
    const applicationName = uniqueName('app');
    await createStream(streamName, 1);
    await putRecords(kinesis, streamName, 3);
    const events: string[] = [];
    const worker = consumer({ streamName, applicationName });
    worker
      .on('started', () => events.push('started'))
      .on('lease:taken', ({ leaseKey, stolen }) => events.push(`lease:taken ${leaseKey} ${stolen}`))
      .on('shard:started', ({ shardId, checkpoint }) =>
        events.push(`shard:started ${shardId} ${checkpoint.sequenceNumber}`),
      )
      .on('batch:processed', ({ records }) => {
        if (records > 0) events.push(`batch:processed ${records}`);
      })
      .on('checkpoint', () => events.push('checkpoint'))
      .on('shard:stopped', ({ reason }) => events.push(`shard:stopped ${reason}`))
      .on('lease:released', ({ leaseKey, written }) => events.push(`lease:released ${leaseKey} ${written}`))
      .on('stopped', () => events.push('stopped'));
    await worker.start();
    await waitFor(() => events.includes('checkpoint'), 'a checkpoint');
    const eventStreams: (string | undefined)[] = [];
    worker.on('lease:released', (event) => eventStreams.push(event.streamName));
    worker.on('shard:stopped', (event) => eventStreams.push(event.streamName));
    await worker.stop();
    expect(eventStreams).toEqual([streamName, streamName]); // a single stream's events name it too
    expect(events).toEqual([
      'lease:taken shardId-000000000000 false',
      'shard:started shardId-000000000000 TRIM_HORIZON',
      'started',
      'batch:processed 3',
      'checkpoint',
      'shard:stopped requested',
      'lease:released shardId-000000000000 true',
      'stopped',
    ]);
  });
});
