import { afterEach, describe, expect, it, vi } from 'vitest';
import { evenShards, fakeKinesis } from '../test/fake-kinesis.js';
import { closeProducers, keys, producerFor, readBack, utf8 } from '../test/producer-harness.js';
import { BufferFullError } from './errors.js';

afterEach(closeProducers);

describe('backpressure', () => {
  it('makes put wait when the buffer is full, and admits it when room frees up', async () => {
    const kinesis = fakeKinesis({ hold: true });
    const producer = producerFor(kinesis, { maxBufferedRecords: 5, aggregation: false });
    const full: unknown[] = [];
    producer.events.on('buffer:full', (e) => full.push(e));
    const puts = keys(8).map((k) => producer.put({ partitionKey: k, data: utf8(k) }));
    expect(producer.outstandingRecords).toBe(8);
    expect(full.length).toBe(3);
    let capacity = false;
    void producer.waitForCapacity().then(() => {
      capacity = true;
    });
    await new Promise((r) => setTimeout(r, 30));
    expect(capacity).toBe(false);
    expect(kinesis.putCalls.flatMap((c) => c.Records ?? [])).toHaveLength(5);
    kinesis.release();
    await Promise.all(puts);
    expect(capacity).toBe(true);
    expect(readBack(kinesis.written)).toHaveLength(8);
  });

  it('rejects with BUFFER_FULL when told to, without affecting buffered records', async () => {
    const kinesis = fakeKinesis({ hold: true });
    const producer = producerFor(kinesis, { maxBufferedRecords: 2, whenBufferFull: 'reject' });
    const first = producer.put({ partitionKey: 'a', data: utf8('1') });
    const second = producer.put({ partitionKey: 'b', data: utf8('2') });
    const error = await producer.put({ partitionKey: 'c', data: utf8('3') }).catch((e) => e);
    expect(error).toBeInstanceOf(BufferFullError);
    expect(error.code).toBe('BUFFER_FULL');
    expect(error.record.partitionKey).toBe('c');
    kinesis.release();
    await expect(Promise.all([first, second])).resolves.toHaveLength(2);
  });

  it('bounds buffered bytes', async () => {
    const kinesis = fakeKinesis({ hold: true });
    const producer = producerFor(kinesis, { maxBufferedBytes: 2 * 1024 * 1024 });
    const puts = keys(5).map((k) => producer.put({ partitionKey: k, data: new Uint8Array(700 * 1024) }));
    await new Promise((r) => setTimeout(r, 30));
    expect(producer.outstandingBytes).toBeLessThanOrEqual(2 * 1024 * 1024);
    kinesis.release();
    await Promise.all(puts);
  });
});

describe('rate limiting', () => {
  it('keeps a shard under its record rate, counting an aggregate as one record (SC-11)', async () => {
    vi.useFakeTimers();
    const kinesis = fakeKinesis();
    const producer = producerFor(kinesis, { aggregation: false, rateLimitPercent: 100 });
    const puts = keys(3000).map((k) => producer.put({ partitionKey: k, data: utf8('x') }));
    await vi.advanceTimersByTimeAsync(1_000);
    const afterOneSecond = kinesis.putCalls.flatMap((c) => c.Records ?? []).length;
    expect(afterOneSecond).toBeGreaterThanOrEqual(1000);
    expect(afterOneSecond).toBeLessThanOrEqual(2000); // a full bucket (1,000) plus one second of refill
    await vi.advanceTimersByTimeAsync(5_000);
    await Promise.all(puts);

    const aggregating = fakeKinesis();
    const fast = producerFor(aggregating, { rateLimitPercent: 100 });
    const quick = keys(3000).map((k) => fast.put({ partitionKey: k, data: utf8('x'.repeat(200)) }));
    await vi.advanceTimersByTimeAsync(1_000);
    await Promise.all(quick);
    expect(aggregating.written.length).toBeLessThan(100);
  });

  it('behind a saturated shard, sends full aggregates as tokens come back, not a trickle of small ones', async () => {
    vi.useFakeTimers();
    const kinesis = fakeKinesis(); // one shard
    const producer = producerFor(kinesis, { rateLimitPercent: 100 }); // 1 MiB/s, aggregates up to 50 KiB
    // 3 MiB of 300-byte records: the bucket's first MiB goes at once, the rest as it refills.
    const puts = keys(10_000).map((k) => producer.put({ partitionKey: k, data: utf8('x'.repeat(300)) }));
    await vi.advanceTimersByTimeAsync(5_000);
    const results = await Promise.all(puts);
    expect(results).toHaveLength(10_000);
    const sizes = kinesis.putCalls
      .flatMap((call) => call.Records ?? [])
      .map((entry) => entry.Data!.byteLength);
    expect(sizes.reduce((sum, size) => sum + size, 0)).toBeGreaterThan(3_000_000);
    // All but the last are full aggregates (within a record of the 50 KiB limit), whenever sent;
    // sending the tokens of each millisecond would make 1 KiB aggregates.
    const small = sizes.slice(0, -1).filter((size) => size < 50 * 1024 - 400);
    expect(small).toEqual([]);
    expect(sizes.length).toBeLessThanOrEqual(Math.ceil(3_100_000 / (50 * 1024 - 400)) + 1);
  });
});

describe('rate limiting with small aggregates', () => {
  it('keeps a saturated shard at its rate when maxAggregateRecords makes aggregates small', async () => {
    vi.useFakeTimers();
    const kinesis = fakeKinesis();
    // 20 records of 300 bytes: aggregates of about 6 KB, far below maxAggregateSizeBytes.
    const producer = producerFor(kinesis, { rateLimitPercent: 100, maxAggregateRecords: 20 });
    const puts = keys(10_000).map((k) => producer.put({ partitionKey: k, data: utf8('x'.repeat(300)) }));
    // 3 MB: the full bucket (1 MiB) at once, the rest at 1 MiB/s: all written within 3 s.
    await vi.advanceTimersByTimeAsync(3_000);
    expect(readBack(kinesis.written)).toHaveLength(10_000);
    // In full aggregates of 20, several to a request as the tokens come back (about 50 KB, eight
    // aggregates, at a time), not one aggregate per request.
    expect(kinesis.written).toHaveLength(500);
    expect(kinesis.putCalls.length).toBeLessThan(100);
    await Promise.all(puts);
  });
});

describe('lanes falling due at different times', () => {
  /** Puts a record on each of four shards, the i-th `gapMs` × i after the first; returns the puts. */
  async function putOnFourShards(producer: ReturnType<typeof producerFor>, gapMs: number) {
    const shards = evenShards(4);
    const puts: Promise<unknown>[] = [];
    for (const [i, shard] of shards.entries()) {
      if (i > 0) await vi.advanceTimersByTimeAsync(gapMs);
      puts.push(
        producer.put({ partitionKey: `k${i}`, data: utf8('x'), explicitHashKey: shard.start.toString() }),
      );
    }
    return puts;
  }

  it('share one request when they fall due within a fifth of maxBufferedTimeMs, none sent later than it', async () => {
    vi.useFakeTimers();
    const kinesis = fakeKinesis({ shards: evenShards(4) });
    const producer = producerFor(kinesis, { maxBufferedTimeMs: 100 });
    await vi.advanceTimersByTimeAsync(10); // the shard map
    const puts = await putOnFourShards(producer, 5); // due at 100, 105, 110 and 115 ms after the first
    await vi.advanceTimersByTimeAsync(84);
    expect(kinesis.putCalls).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(1); // the first record's 100 ms: all four go, together
    expect(kinesis.putCalls.map((call) => call.Records!.length)).toEqual([4]);
    await Promise.all(puts);
  });

  it('go in requests of their own when further apart than that', async () => {
    vi.useFakeTimers();
    const kinesis = fakeKinesis({ shards: evenShards(4) });
    const producer = producerFor(kinesis, { maxBufferedTimeMs: 100 });
    await vi.advanceTimersByTimeAsync(10);
    const puts = await putOnFourShards(producer, 30); // due 30 ms apart
    await vi.advanceTimersByTimeAsync(100 - 90);
    expect(kinesis.putCalls.map((call) => call.Records!.length)).toEqual([1]);
    await vi.advanceTimersByTimeAsync(90);
    expect(kinesis.putCalls.map((call) => call.Records!.length)).toEqual([1, 1, 1, 1]);
    await Promise.all(puts);
  });
});
