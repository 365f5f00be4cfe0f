import { GetRecordsCommand, GetShardIteratorCommand, KinesisClient } from '@aws-sdk/client-kinesis';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { idleTimeAfterRead } from './caught-up-pacing.js';
import { PollingRetrieval } from './polling-retrieval.js';

const pacing = {
  idleTimeBetweenReadsMs: 1_000,
  idleTimeBetweenReadsWhenCaughtUpMs: 5_000,
  caughtUpThresholdMs: 1_000,
};

describe('idleTimeAfterRead', () => {
  it('slows down after an empty read under the MillisBehindLatest threshold', () => {
    expect(idleTimeAfterRead(pacing, 0, 0)).toBe(5_000);
    expect(idleTimeAfterRead(pacing, 0, 999)).toBe(5_000);
  });

  it('keeps full speed after a non-empty read, a read behind the threshold, or without MillisBehindLatest', () => {
    expect(idleTimeAfterRead(pacing, 3, 0)).toBe(1_000);
    expect(idleTimeAfterRead(pacing, 0, 1_000)).toBe(1_000);
    expect(idleTimeAfterRead(pacing, 0, undefined)).toBe(1_000);
  });

  it('is off at 0, and never faster than the normal idle time', () => {
    expect(idleTimeAfterRead({ ...pacing, idleTimeBetweenReadsWhenCaughtUpMs: 0 }, 0, 0)).toBe(1_000);
    expect(idleTimeAfterRead({ ...pacing, idleTimeBetweenReadsWhenCaughtUpMs: 500 }, 0, 0)).toBe(1_000);
  });
});

const kinesis = mockClient(KinesisClient);
let retrieval: PollingRetrieval | undefined;

beforeEach(() => {
  vi.useFakeTimers();
  kinesis.reset();
  kinesis.on(GetShardIteratorCommand).resolves({ ShardIterator: 'it-0' });
});

afterEach(() => {
  retrieval?.close();
  retrieval = undefined;
  vi.useRealTimers();
});

describe('PollingRetrieval when caught up', () => {
  it('reads every idleTimeBetweenReadsWhenCaughtUpMs while caught up and at full speed from the first non-empty read', async () => {
    const callTimes: number[] = [];
    const t0 = Date.now();
    let n = 0;
    kinesis.on(GetRecordsCommand).callsFake(() => {
      n += 1;
      callTimes.push(Date.now() - t0);
      // Calls 1–3 find nothing (caught up); call 4 finds a record; then nothing again.
      const records =
        n === 4 ? [{ SequenceNumber: '100', PartitionKey: 'k', Data: new TextEncoder().encode('x') }] : [];
      return { Records: records, NextShardIterator: `it-${n}`, MillisBehindLatest: n === 4 ? 0 : 0 };
    });
    retrieval = new PollingRetrieval({
      client: new KinesisClient({ region: 'us-east-1' }),
      stream: { streamName: 'orders' },
      shardId: 'shardId-000000000000',
      startingPosition: { type: 'AT_SEQUENCE_NUMBER', sequenceNumber: '100' },
      maxRecordsPerFetch: 500,
      idleTimeBetweenReadsMs: 200,
      idleTimeBetweenReadsWhenCaughtUpMs: 5_000,
      caughtUpThresholdMs: 1_000,
      prefetch: { maxBatches: 100, maxRecords: 10_000, maxBytes: 1_000_000 },
      requestTimeoutMs: 30_000,
      backoff: { baseDelayMs: 1_000, maxDelayMs: 10_000 },
      shardStatus: async () => 'open',
      now: () => Date.now(),
      random: () => 0.5,
    });
    void retrieval.next();
    await vi.advanceTimersByTimeAsync(15_300);
    // 0, then 5 s apart while caught up; the non-empty read at 15 s is followed 200 ms later.
    expect(callTimes.slice(0, 5)).toEqual([0, 5_000, 10_000, 15_000, 15_200]);
  });
});
