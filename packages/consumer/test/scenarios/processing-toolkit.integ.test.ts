import { GetRecordsCommand, GetShardIteratorCommand, PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { uniqueName } from '@kinesis-ts/local';
import { describe, expect, it } from 'vitest';
import type { ConsumerRecord } from '../../src/index.js';
import { type DeadLetter, deadLetterTo, decodeDeadLetter } from '../../src/processing/dead-letter.js';
import { DynamoDbIdempotencyStore } from '../../src/processing/dynamodb-idempotency-store.js';
import { idempotent } from '../../src/processing/idempotent.js';
import { KinesisDeadLetterSink } from '../../src/processing/kinesis-dead-letter-sink.js';
import { parallelByKey } from '../../src/processing/parallel-by-key.js';
import { PartialBatchFailureError } from '../../src/processing/processing-errors.js';
import { useIdempotencyTables } from '../idempotency-table.js';
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
const createTable = useIdempotencyTables(dynamoDb);
const consumer = useTestConsumers(kinesis, dynamoDb, {
  failoverTimeMs: 1_500,
  idleTimeBetweenReadsMs: 200,
  maxProcessingAttempts: 3,
  processingBackoff: { baseDelayMs: 10, maxDelayMs: 50 },
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Puts `count` records over `keys` keys, data `<key>:<n>` (n counts per key), in one PutRecords call per 500. */
async function putKeyed(streamName: string, count: number, keys: number): Promise<void> {
  const perKey = new Array<number>(keys).fill(0);
  const entries = Array.from({ length: count }, (_, i) => {
    const key = `key-${i % keys}`;
    return { PartitionKey: key, Data: new TextEncoder().encode(`${key}:${perKey[i % keys]!++}`) };
  });
  for (let start = 0; start < count; start += 500) {
    await kinesis.send(
      new PutRecordsCommand({ StreamName: streamName, Records: entries.slice(start, start + 500) }),
    );
  }
}

/** Runs a consumer over the stream with a 5 ms per-record handler at `concurrency`; checks per-key order. */
async function measure(streamName: string, count: number, concurrency: number) {
  const running = new Set<string>();
  const nextPerKey = new Map<string, number>();
  const violations: string[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  let done = 0;
  let firstStartMs = 0;
  let lastDoneMs = 0;
  const worker = consumer({
    streamName,
    applicationName: uniqueName(`n${concurrency}`),
    handler: parallelByKey(
      async (record: ConsumerRecord) => {
        if (firstStartMs === 0) firstStartMs = performance.now();
        const [key, n] = text(record.data).split(':') as [string, string];
        if (running.has(key)) violations.push(`${key} ran twice at once`);
        if (Number(n) !== (nextPerKey.get(key) ?? 0)) violations.push(`${key}:${n} out of order`);
        running.add(key);
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        await sleep(5);
        inFlight--;
        running.delete(key);
        nextPerKey.set(key, Number(n) + 1);
        done++;
        lastDoneMs = performance.now();
      },
      { concurrency },
    ),
  });
  await worker.start();
  await waitFor(() => done === count, `${count} records at concurrency ${concurrency}`, 30_000);
  await worker.stop();
  const seconds = (lastDoneMs - firstStartMs) / 1_000;
  return { recordsPerSecond: Math.round(count / seconds), seconds, maxInFlight, violations };
}

describe('the processing toolkit on the local stack', () => {
  it('keeps per-key order with 8 records in flight while throughput rises (SC-36)', async () => {
    const streamName = uniqueName('perkey');
    await createStream(streamName, 1);
    const count = 400;
    await putKeyed(streamName, count, 16);
    const one = await measure(streamName, count, 1);
    const eight = await measure(streamName, count, 8);
    console.log(
      `parallelByKey, 400 records over 16 keys, 5 ms handler: N=1 ${one.recordsPerSecond} records/s (${one.seconds.toFixed(2)} s), N=8 ${eight.recordsPerSecond} records/s (${eight.seconds.toFixed(2)} s), ${(eight.recordsPerSecond / one.recordsPerSecond).toFixed(1)}x`,
    );
    expect(one.violations).toEqual([]);
    expect(eight.violations).toEqual([]);
    expect(one.maxInFlight).toBe(1);
    expect(eight.maxInFlight).toBe(8); // the speed-up itself is printed, not asserted (shared machines)
  });

  it('processes a record that fails twice then succeeds exactly once through the idempotency store, and skips a re-put duplicate (SC-18, SC-19)', async () => {
    const streamName = uniqueName('exactly');
    const applicationName = uniqueName('app');
    await createStream(streamName, 1);
    const tableName = await createTable();
    const ids = await putRecords(kinesis, streamName, 10, 'event');
    await putRecords(kinesis, streamName, 8, 'event'); // the producer sent event-0…event-7 again
    const store = new DynamoDbIdempotencyStore({ client: dynamoDb, tableName });
    const effects = new Map<string, number>();
    const calls = new Map<string, number>();
    /** The last outcome per stream record (sequence number): records after event-4 may be redelivered. */
    const outcomes = new Map<string, string>();
    const once = idempotent(
      store,
      (record: ConsumerRecord) => text(record.data),
      async (record) => {
        const id = text(record.data);
        calls.set(id, (calls.get(id) ?? 0) + 1);
        if (id === 'event-4' && calls.get(id)! <= 2) throw new Error(`event-4 failure ${calls.get(id)}`);
        effects.set(id, (effects.get(id) ?? 0) + 1);
      },
    );
    const worker = consumer({
      streamName,
      applicationName,
      handler: parallelByKey(
        async (record: ConsumerRecord) => {
          outcomes.set(record.sequenceNumber, `${text(record.data)} ${await once(record)}`);
        },
        { concurrency: 4 },
      ),
    });
    await worker.start();
    await waitFor(() => outcomes.size === 18, 'every record, duplicates included', 15_000);
    expect(Object.fromEntries(effects)).toEqual(Object.fromEntries(ids.map((id) => [id, 1])));
    expect(calls.get('event-4')).toBe(3);
    const inStreamOrder = [...outcomes.entries()]
      .sort(([a], [b]) => (BigInt(a) < BigInt(b) ? -1 : 1))
      .map(([, outcome]) => outcome);
    expect(inStreamOrder.slice(10)).toEqual(ids.slice(0, 8).map((id) => `${id} duplicate`));
    expect(worker.metrics().PoisonRecords).toBe(0);
  });

  it('sends a poison record to a dead-letter stream with its metadata, and the shard moves on (SC-34)', async () => {
    const streamName = uniqueName('main');
    const deadLetterStream = uniqueName('dlq');
    const applicationName = uniqueName('app');
    await createStream(streamName, 1);
    await createStream(deadLetterStream, 1);
    const ids = await putRecords(kinesis, streamName, 10);
    const processed: string[] = [];
    const tries = new Map<string, number>();
    const worker = consumer({
      streamName,
      applicationName,
      handler: parallelByKey(async (record: ConsumerRecord) => {
        const id = text(record.data);
        tries.set(id, (tries.get(id) ?? 0) + 1);
        if (id === 'r-4') throw new SyntaxError('r-4 is not JSON');
        processed.push(id);
      }),
      onPoisonRecord: deadLetterTo(
        new KinesisDeadLetterSink({ client: kinesis, streamName: deadLetterStream }),
      ),
    });
    await worker.start();
    await waitFor(
      () => processed.includes('r-9') && worker.metrics().PoisonRecords === 1,
      'the records after the poison one',
    );
    expect(new Set(processed)).toEqual(new Set(ids.filter((id) => id !== 'r-4')));
    expect(tries.get('r-4')).toBe(3); // maxProcessingAttempts, at that record only

    const { ShardIterator } = await kinesis.send(
      new GetShardIteratorCommand({
        StreamName: deadLetterStream,
        ShardId: 'shardId-000000000000',
        ShardIteratorType: 'TRIM_HORIZON',
      }),
    );
    const { Records } = await kinesis.send(new GetRecordsCommand({ ShardIterator }));
    expect(Records).toHaveLength(1);
    expect(Records![0]!.PartitionKey).toBe('r-4');
    const letter: DeadLetter = decodeDeadLetter(Records![0]!.Data!);
    expect(letter).toMatchObject({
      streamName,
      shardId: 'shardId-000000000000',
      subSequenceNumber: 0,
      partitionKey: 'r-4',
      aggregated: false,
      error: { name: 'SyntaxError', message: 'r-4 is not JSON' },
      attempts: 3,
    });
    expect(letter.sequenceNumber).toMatch(/^\d+$/);
    expect(letter.approximateArrivalTimestamp).toBeInstanceOf(Date);
    expect(text(letter.data)).toBe('r-4');

    await waitFor(async () => {
      const lease = (await readLeases(dynamoDb, applicationName)).get('shardId-000000000000');
      const checkpoint = lease?.checkpoint.sequenceNumber;
      return (
        checkpoint !== undefined &&
        checkpoint === worker.metrics().shards['shardId-000000000000']?.checkpoint?.sequenceNumber &&
        BigInt(checkpoint) > BigInt(letter.sequenceNumber)
      );
    }, 'the checkpoint past the poison record');
  });

  it('checkpoints just before the first failed record of a partial failure, and redelivery starts there (SC-35)', async () => {
    const streamName = uniqueName('partial');
    const applicationName = uniqueName('app');
    await createStream(streamName, 1);
    const ids = await putRecords(kinesis, streamName, 100);
    const calls: string[][] = [];
    const failures: unknown[] = [];
    const sequenceNumbers = new Map<string, string>();
    const first = consumer({
      streamName,
      applicationName,
      workerId: 'first',
      handler: async (records) => {
        for (const r of records) sequenceNumbers.set(text(r.data), r.sequenceNumber);
        calls.push(records.map((r) => text(r.data)));
        const bad = records.find((r) => text(r.data) === 'r-36'); // record #37
        if (bad) throw new PartialBatchFailureError([{ record: bad, error: new Error('#37 is bad') }]);
      },
    });
    first.on('shard:failed', ({ error }) => failures.push(error));
    await first.start();
    await waitFor(() => failures.length === 1, 'the shard to stop at #37');
    expect(calls[0]).toEqual(ids); // one batch of 100
    expect(calls.slice(1).map((call) => call[0])).toEqual(['r-36', 'r-36']); // retries start at #37
    expect(failures[0]).toMatchObject({ code: 'RECORD_PROCESSING_FAILED', attempts: 3 });
    const lease = (await readLeases(dynamoDb, applicationName)).get('shardId-000000000000')!;
    expect((failures[0] as { sequenceNumber: string }).sequenceNumber).toBe(sequenceNumbers.get('r-36'));
    expect(lease.checkpoint).toEqual({ sequenceNumber: sequenceNumbers.get('r-35'), subSequenceNumber: 0 });
    await first.stop();

    // the next owner starts at #37
    const delivered: string[] = [];
    const second = consumer({
      streamName,
      applicationName,
      workerId: 'second',
      handler: async (records) => {
        delivered.push(...records.map((r) => text(r.data)));
      },
    });
    await second.start();
    await waitFor(() => delivered.includes('r-99'), 'the rest of the shard');
    expect(delivered).toEqual(ids.slice(36));
  });

  it('stops in the middle of a long batch at once, checkpointing exactly the records done, and the next owner goes on from there', async () => {
    const streamName = uniqueName('stop');
    const applicationName = uniqueName('app');
    await createStream(streamName, 1);
    const ids = await putRecords(kinesis, streamName, 300);
    const processed: string[] = [];
    const first = consumer({
      streamName,
      applicationName,
      workerId: 'first',
      handler: parallelByKey(
        async (record: ConsumerRecord) => {
          await sleep(20); // 6 s for the batch
          processed.push(text(record.data));
        },
        { concurrency: 1 },
      ),
    });
    await first.start();
    await waitFor(() => processed.length >= 10, 'a few records');
    const stopStarted = Date.now();
    await first.stop();
    const stopMs = Date.now() - stopStarted;
    expect(stopMs).toBeLessThan(1_000);
    expect(processed).toEqual(ids.slice(0, processed.length));
    expect(first.metrics().shards['shardId-000000000000']?.ProcessingFailures ?? 0).toBe(0);

    const delivered: string[] = [];
    const second = consumer({
      streamName,
      applicationName,
      workerId: 'second',
      handler: async (records) => {
        delivered.push(...records.map((r) => text(r.data)));
      },
    });
    await second.start();
    await waitFor(() => delivered.includes('r-299'), 'the rest of the shard');
    expect(delivered).toEqual(ids.slice(processed.length));
  });
});
