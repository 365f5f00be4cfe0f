import { GetRecordsCommand, GetShardIteratorCommand, KinesisClient } from '@aws-sdk/client-kinesis';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { awsError } from '../../../test/in-memory-lease-store.js';
import type { ListedShardStatus } from '../shard-status.js';
import {
  PollingRetrieval,
  type PollingRetrievalEvent,
  type PollingRetrievalOptions,
} from './polling-retrieval.js';

const kinesis = mockClient(KinesisClient);
const client = new KinesisClient({ region: 'us-east-1' });
const record = (sequenceNumber: string) => ({
  SequenceNumber: sequenceNumber,
  PartitionKey: `k${sequenceNumber}`,
  Data: new TextEncoder().encode(sequenceNumber),
});

let retrieval: PollingRetrieval | undefined;
const events: PollingRetrievalEvent[] = [];
/** What the shard listing says (a function: it may fail), and the listing ages asked for. */
let listing: () => ListedShardStatus = () => 'open';
const listings: number[] = [];

function start(overrides: Partial<PollingRetrievalOptions> = {}): PollingRetrieval {
  retrieval = new PollingRetrieval({
    client,
    stream: { streamName: 'orders' },
    shardId: 'shardId-000000000000',
    startingPosition: { type: 'AT_SEQUENCE_NUMBER', sequenceNumber: '100' },
    maxRecordsPerFetch: 500,
    idleTimeBetweenReadsMs: 1_000,
    prefetch: { maxBatches: 3, maxRecords: 10_000, maxBytes: 1_000_000 },
    requestTimeoutMs: 30_000,
    backoff: { baseDelayMs: 1_000, maxDelayMs: 10_000 },
    shardStatus: async (maxAgeMs) => {
      listings.push(maxAgeMs);
      return listing();
    },
    now: () => Date.now(),
    random: () => 0.5,
    onEvent: (event) => events.push(event),
    ...overrides,
  });
  return retrieval;
}

beforeEach(() => {
  vi.useFakeTimers();
  kinesis.reset();
  events.length = 0;
  listing = () => 'open';
  listings.length = 0;
  kinesis.on(GetShardIteratorCommand).resolves({ ShardIterator: 'it-0' });
});

afterEach(() => {
  retrieval?.close();
  retrieval = undefined;
  vi.useRealTimers();
});

describe('PollingRetrieval', () => {
  it('starts from the checkpoint with AT_SEQUENCE_NUMBER and asks for maxRecordsPerFetch records', async () => {
    kinesis
      .on(GetRecordsCommand)
      .resolves({ Records: [record('100')], NextShardIterator: 'it-1', MillisBehindLatest: 0 });
    const r = start();
    const batch = await r.next();
    expect(kinesis.commandCalls(GetShardIteratorCommand)[0]!.args[0].input).toMatchObject({
      StreamName: 'orders',
      ShardId: 'shardId-000000000000',
      ShardIteratorType: 'AT_SEQUENCE_NUMBER',
      StartingSequenceNumber: '100',
    });
    expect(kinesis.commandCalls(GetRecordsCommand)[0]!.args[0].input).toEqual({
      ShardIterator: 'it-0',
      Limit: 500,
    });
    expect(batch.records.map((x) => x.sequenceNumber)).toEqual(['100']);
    expect(batch.shardEnd).toBeUndefined();
  });

  it('paces GetRecords calls at idleTimeBetweenReadsMs and follows NextShardIterator', async () => {
    let n = 0;
    kinesis
      .on(GetRecordsCommand)
      .callsFake(() => ({ Records: [], NextShardIterator: `it-${++n}`, MillisBehindLatest: 0 }));
    const r = start();
    const times: number[] = [];
    const t0 = Date.now();
    for (let i = 0; i < 4; i++) {
      const next = r.next();
      await vi.advanceTimersByTimeAsync(1_000);
      await next;
      times.push(Date.now() - t0);
    }
    const calls = kinesis.commandCalls(GetRecordsCommand);
    expect(calls.length).toBeGreaterThanOrEqual(4);
    expect(calls.length).toBeLessThanOrEqual(5);
    expect(calls.slice(0, 4).map((c) => c.args[0].input.ShardIterator)).toEqual([
      'it-0',
      'it-1',
      'it-2',
      'it-3',
    ]);
    // 5 calls/s is the shard's limit for every reader together; this one made at most 1 per second.
    expect(calls.length / (times.at(-1)! / 1_000)).toBeLessThanOrEqual(1.25);
  });

  it('keeps polling through empty responses: only a null NextShardIterator ends the shard', async () => {
    let n = 0;
    kinesis.on(GetRecordsCommand).callsFake(() => {
      n++;
      if (n < 6) return { Records: [], NextShardIterator: `it-${n}`, MillisBehindLatest: 0 };
      return {
        Records: [record('900')],
        NextShardIterator: undefined,
        ChildShards: [
          {
            ShardId: 'shardId-000000000001',
            ParentShards: ['shardId-000000000000'],
            HashKeyRange: { StartingHashKey: '0', EndingHashKey: '9' },
          },
        ],
      };
    });
    const r = start({ idleTimeBetweenReadsMs: 200 });
    const batches = [];
    for (let i = 0; i < 6; i++) {
      const next = r.next();
      await vi.advanceTimersByTimeAsync(200);
      batches.push(await next);
    }
    expect(batches.slice(0, 5).every((b) => b.records.length === 0 && b.shardEnd === undefined)).toBe(true);
    expect(batches[5]!.shardEnd).toEqual({
      childShards: [
        {
          shardId: 'shardId-000000000001',
          parentShardIds: ['shardId-000000000000'],
          startingHashKey: '0',
          endingHashKey: '9',
        },
      ],
    });
    await vi.advanceTimersByTimeAsync(5_000);
    expect(kinesis.commandCalls(GetRecordsCommand)).toHaveLength(6);
  });

  it('replaces an expired iterator with one AFTER the last record fetched, skipping and repeating nothing', async () => {
    kinesis
      .on(GetRecordsCommand)
      .resolvesOnce({ Records: [record('100'), record('101')], NextShardIterator: 'it-1' })
      .rejectsOnce(awsError('ExpiredIteratorException'))
      .resolves({ Records: [record('102')], NextShardIterator: 'it-3' });
    kinesis
      .on(GetShardIteratorCommand)
      .resolvesOnce({ ShardIterator: 'it-0' })
      .resolves({ ShardIterator: 'it-2' });
    const r = start({ idleTimeBetweenReadsMs: 200 });
    const first = r.next();
    await vi.advanceTimersByTimeAsync(0);
    await first;
    const second = r.next();
    await vi.advanceTimersByTimeAsync(1_000);
    expect((await second).records.map((x) => x.sequenceNumber)).toEqual(['102']);
    const iteratorCalls = kinesis.commandCalls(GetShardIteratorCommand);
    expect(iteratorCalls[1]!.args[0].input).toMatchObject({
      ShardIteratorType: 'AFTER_SEQUENCE_NUMBER',
      StartingSequenceNumber: '101',
    });
    expect(events.filter((e) => e.type === 'expired-iterator')).toHaveLength(1);
  });

  it('restarts at the starting position when the iterator expires before any record was fetched', async () => {
    kinesis
      .on(GetRecordsCommand)
      .rejectsOnce(awsError('ExpiredIteratorException'))
      .resolves({ Records: [record('100')], NextShardIterator: 'it-1' });
    const r = start({ idleTimeBetweenReadsMs: 200 });
    const next = r.next();
    await vi.advanceTimersByTimeAsync(500);
    await next;
    const iteratorCalls = kinesis.commandCalls(GetShardIteratorCommand);
    expect(iteratorCalls).toHaveLength(2);
    expect(iteratorCalls[1]!.args[0].input).toMatchObject({
      ShardIteratorType: 'AT_SEQUENCE_NUMBER',
      StartingSequenceNumber: '100',
    });
  });

  it('backs off after throttling and retries the same iterator, so no record is skipped', async () => {
    kinesis
      .on(GetRecordsCommand)
      .rejectsOnce(awsError('ProvisionedThroughputExceededException'))
      .rejectsOnce(awsError('ProvisionedThroughputExceededException'))
      .resolves({ Records: [record('100')], NextShardIterator: 'it-1' });
    const r = start({ idleTimeBetweenReadsMs: 200, backoff: { baseDelayMs: 1_000, maxDelayMs: 10_000 } });
    const next = r.next();
    await vi.advanceTimersByTimeAsync(499);
    expect(kinesis.commandCalls(GetRecordsCommand)).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1); // first backoff: 0.5 × 1 000
    expect(kinesis.commandCalls(GetRecordsCommand)).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(1_000); // second: 0.5 × 2 000
    expect((await next).records.map((x) => x.sequenceNumber)).toEqual(['100']);
    expect(kinesis.commandCalls(GetRecordsCommand).map((c) => c.args[0].input.ShardIterator)).toEqual([
      'it-0',
      'it-0',
      'it-0',
    ]);
    expect(events.filter((e) => e.type === 'error').map((e) => (e as { kind: string }).kind)).toEqual([
      'throttling',
      'throttling',
    ]);
  });

  it('stops fetching once the prefetch queue is full, until a batch is taken', async () => {
    let n = 0;
    kinesis
      .on(GetRecordsCommand)
      .callsFake(() => ({ Records: [record(String(++n))], NextShardIterator: `it-${n}` }));
    const r = start({
      idleTimeBetweenReadsMs: 200,
      prefetch: { maxBatches: 2, maxRecords: 100, maxBytes: 100_000 },
    });
    await vi.advanceTimersByTimeAsync(5_000);
    expect(kinesis.commandCalls(GetRecordsCommand)).toHaveLength(2);
    await r.next();
    await vi.advanceTimersByTimeAsync(5_000);
    expect(kinesis.commandCalls(GetRecordsCommand)).toHaveLength(3);
  });

  it('ends a shard without children on ResourceNotFoundException when a fresh shard listing no longer lists it', async () => {
    kinesis.on(GetRecordsCommand).rejects(awsError('ResourceNotFoundException'));
    listing = () => 'gone';
    const r = start();
    const next = r.next();
    await vi.advanceTimersByTimeAsync(0);
    expect((await next).shardEnd).toEqual({ childShards: [] });
    expect(listings).toEqual([0]);
  });

  it('does not end a closed shard that is still listed on ResourceNotFoundException: it retries (its unread records stay readable)', async () => {
    kinesis
      .on(GetShardIteratorCommand)
      .rejectsOnce(awsError('ResourceNotFoundException'))
      .resolves({ ShardIterator: 'it-1' });
    kinesis.on(GetRecordsCommand).resolves({ Records: [record('100')], NextShardIterator: 'it-2' });
    listing = () => 'closed';
    const r = start({ idleTimeBetweenReadsMs: 200 });
    const next = r.next();
    await vi.advanceTimersByTimeAsync(1_000);
    const batch = await next;
    expect(batch.shardEnd).toBeUndefined();
    expect(batch.records.map((x) => x.sequenceNumber)).toEqual(['100']);
    expect(kinesis.commandCalls(GetShardIteratorCommand)).toHaveLength(2);
  });

  it('does not end an open shard on one ResourceNotFoundException from GetRecords: reports it, backs off and reads on after the last record', async () => {
    kinesis
      .on(GetRecordsCommand)
      .resolvesOnce({ Records: [record('100'), record('101')], NextShardIterator: 'it-1' })
      .rejectsOnce(awsError('ResourceNotFoundException'))
      .resolves({ Records: [record('102')], NextShardIterator: 'it-3' });
    kinesis
      .on(GetShardIteratorCommand)
      .resolvesOnce({ ShardIterator: 'it-0' })
      .resolves({ ShardIterator: 'it-2' });
    const r = start({ idleTimeBetweenReadsMs: 200, backoff: { baseDelayMs: 1_000, maxDelayMs: 10_000 } });
    expect((await r.next()).records.map((x) => x.sequenceNumber)).toEqual(['100', '101']);
    const second = r.next();
    // The failed call starts 200 ms in (the idle time), then the backoff is 0.5 × 1 000 ms.
    await vi.advanceTimersByTimeAsync(699);
    expect(kinesis.commandCalls(GetRecordsCommand)).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(1);
    const batch = await second;
    expect(batch.shardEnd).toBeUndefined();
    expect(batch.records.map((x) => x.sequenceNumber)).toEqual(['102']);
    expect(kinesis.commandCalls(GetShardIteratorCommand)[1]!.args[0].input).toMatchObject({
      ShardIteratorType: 'AFTER_SEQUENCE_NUMBER',
      StartingSequenceNumber: '101',
    });
    expect(listings).toEqual([0]);
    expect(events.filter((e) => e.type === 'error')).toEqual([
      expect.objectContaining({
        operation: 'GetRecords',
        error: expect.objectContaining({ name: 'ResourceNotFoundException' }),
        retryInMs: 500,
      }),
    ]);
  });

  it('does not end an open shard on ResourceNotFoundException from GetShardIterator: retries at the starting position', async () => {
    kinesis
      .on(GetShardIteratorCommand)
      .rejectsOnce(awsError('ResourceNotFoundException'))
      .resolves({ ShardIterator: 'it-1' });
    kinesis.on(GetRecordsCommand).resolves({ Records: [record('100')], NextShardIterator: 'it-2' });
    const r = start({ idleTimeBetweenReadsMs: 200 });
    const next = r.next();
    await vi.advanceTimersByTimeAsync(1_000);
    const batch = await next;
    expect(batch.shardEnd).toBeUndefined();
    expect(batch.records.map((x) => x.sequenceNumber)).toEqual(['100']);
    expect(kinesis.commandCalls(GetShardIteratorCommand).map((call) => call.args[0].input)).toEqual([
      expect.objectContaining({ ShardIteratorType: 'AT_SEQUENCE_NUMBER', StartingSequenceNumber: '100' }),
      expect.objectContaining({ ShardIteratorType: 'AT_SEQUENCE_NUMBER', StartingSequenceNumber: '100' }),
    ]);
    expect(events.filter((e) => e.type === 'error')).toMatchObject([{ operation: 'GetShardIterator' }]);
  });

  it('does not end a shard on ResourceNotFoundException when the shard listing fails: retries, then ends once the listing confirms', async () => {
    kinesis.on(GetRecordsCommand).rejects(awsError('ResourceNotFoundException'));
    listing = () => {
      throw awsError('LimitExceededException');
    };
    const r = start({ idleTimeBetweenReadsMs: 200 });
    let ended = false;
    const next = r.next().then((batch) => {
      ended = batch.shardEnd !== undefined;
    });
    await vi.advanceTimersByTimeAsync(5_000);
    expect(ended).toBe(false);
    expect(listings.length).toBeGreaterThan(1);
    expect(events.filter((e) => e.type === 'error').length).toBe(listings.length);
    listing = () => 'gone';
    await vi.advanceTimersByTimeAsync(20_000);
    await next;
    expect(ended).toBe(true);
  });

  it('does not end an open shard when GetShardIterator returns no iterator', async () => {
    kinesis.on(GetShardIteratorCommand).resolvesOnce({}).resolves({ ShardIterator: 'it-1' });
    kinesis.on(GetRecordsCommand).resolves({ Records: [record('100')], NextShardIterator: 'it-2' });
    const r = start({ idleTimeBetweenReadsMs: 200 });
    const next = r.next();
    await vi.advanceTimersByTimeAsync(1_000);
    expect((await next).shardEnd).toBeUndefined();
    expect(listings).toEqual([0]);
  });

  it('stops calling Kinesis once closed', async () => {
    kinesis.on(GetRecordsCommand).resolves({ Records: [], NextShardIterator: 'it-1' });
    const r = start({ idleTimeBetweenReadsMs: 200 });
    await vi.advanceTimersByTimeAsync(300);
    r.close();
    const calls = kinesis.commandCalls(GetRecordsCommand).length;
    await vi.advanceTimersByTimeAsync(5_000);
    expect(kinesis.commandCalls(GetRecordsCommand)).toHaveLength(calls);
    await r.finished;
  });

  it('refuses a response that ends the shard without children, and reads again after the last record', async () => {
    kinesis
      .on(GetRecordsCommand)
      .resolvesOnce({ Records: [record('100')], NextShardIterator: 'it-1', MillisBehindLatest: 0 })
      .resolvesOnce({ Records: [record('101')], NextShardIterator: undefined, ChildShards: [] })
      .resolves({ Records: [record('101')], NextShardIterator: 'it-3', MillisBehindLatest: 0 });
    const r = start({ idleTimeBetweenReadsMs: 200 });
    expect((await r.next()).records.map((x) => x.sequenceNumber)).toEqual(['100']);
    const second = r.next();
    await vi.advanceTimersByTimeAsync(3_000);
    const batch = await second;
    expect(batch.records.map((x) => x.sequenceNumber)).toEqual(['101']);
    expect(batch.shardEnd).toBeUndefined();
    const iterators = kinesis.commandCalls(GetShardIteratorCommand).map((call) => call.args[0].input);
    expect(iterators.at(-1)).toMatchObject({
      ShardIteratorType: 'AFTER_SEQUENCE_NUMBER',
      StartingSequenceNumber: '100',
    });
    const error = events.find((e) => e.type === 'error') as { error: { code: string } };
    expect(error.error.code).toBe('INVALID_RETRIEVAL_RESULT');
  });
});
