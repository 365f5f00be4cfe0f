import { deaggregate, partitionKeyToHashKey, ValidationError } from '@kinesis-ts/core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { evenShards, fakeKinesis, serviceError, type WrittenRecord } from '../test/fake-kinesis.js';
import { BufferFullError, ProducerClosedError, RecordFailedError } from './errors.js';
import { KinesisProducer } from './kinesis-producer.js';
import type { KinesisProducerOptions } from './options.js';

const utf8 = (text: string) => new Uint8Array(Buffer.from(text));
const text = (bytes: Uint8Array) => Buffer.from(bytes).toString();

let producers: KinesisProducer[] = [];
let fakes: Fake[] = [];
afterEach(async () => {
  vi.useRealTimers();
  for (const fake of fakes) fake.release();
  await Promise.all(producers.map((p) => p.close().catch(() => undefined)));
  producers = [];
  fakes = [];
});

type Fake = ReturnType<typeof fakeKinesis>;
function producerFor(kinesis: Fake, options: Partial<KinesisProducerOptions> = {}) {
  fakes.push(kinesis);
  const producer = new KinesisProducer({
    streamName: 'orders',
    client: kinesis.client,
    maxBufferedTimeMs: 10,
    ...options,
  });
  producers.push(producer);
  return producer;
}

/** Every user record written, in the order a KCL consumer of each shard would see it. */
function readBack(written: readonly WrittenRecord[]) {
  return written.flatMap((w) =>
    deaggregate({ partitionKey: w.partitionKey, data: w.data, sequenceNumber: w.sequenceNumber }).map(
      (r) => ({
        ...r,
        shardId: w.shardId,
      }),
    ),
  );
}

const keys = (count: number, prefix = 'k') => Array.from({ length: count }, (_, i) => `${prefix}${i}`);

describe('writing records', () => {
  it('resolves every record with its shard and sequence number, and writes each exactly once', async () => {
    const kinesis = fakeKinesis({ shards: evenShards(2) });
    const producer = producerFor(kinesis);
    const results = await Promise.all(keys(200).map((k) => producer.put({ partitionKey: k, data: utf8(k) })));
    const read = readBack(kinesis.written);
    expect(read.map((r) => r.partitionKey).sort()).toEqual(keys(200).sort());
    for (const [index, result] of results.entries()) {
      const record = read.find((r) => r.partitionKey === `k${index}`)!;
      expect(result.shardId).toBe(record.shardId);
      expect(result.sequenceNumber).toBe(record.sequenceNumber);
      expect(result.attempts).toHaveLength(1);
      expect(result.attempts[0]).toMatchObject({ success: true });
    }
  });

  it('aggregates records of one shard and never mixes shards in one aggregate', async () => {
    const shards = evenShards(4);
    const kinesis = fakeKinesis({ shards });
    const producer = producerFor(kinesis);
    await Promise.all(keys(400).map((k) => producer.put({ partitionKey: k, data: utf8('x'.repeat(50)) })));
    expect(kinesis.written.length).toBeLessThan(40);
    for (const entry of kinesis.written) {
      const shard = shards.find((s) => s.shardId === entry.shardId)!;
      const records = deaggregate(
        { partitionKey: entry.partitionKey, data: entry.data, sequenceNumber: entry.sequenceNumber },
        { hashKeyRange: { startingHashKey: shard.start, endingHashKey: shard.end } },
      );
      expect(records.length).toBeGreaterThan(0); // the KCL's filter would drop a mixed aggregate
    }
  });

  it('sends an aggregate as soon as it holds maxAggregateRecords, without waiting for the buffering time', async () => {
    vi.useFakeTimers();
    const kinesis = fakeKinesis();
    const producer = producerFor(kinesis, { maxAggregateRecords: 3, maxBufferedTimeMs: 60_000 });
    const puts = keys(3).map((k) => producer.put({ partitionKey: k, data: utf8(k) }));
    await vi.advanceTimersByTimeAsync(50);
    expect(kinesis.putCalls).toHaveLength(1);
    expect((await Promise.all(puts)).every((r) => r.aggregated)).toBe(true);
  });

  it('sends 1,234 unaggregated records as requests of 500, 500 and 234 (SC-09)', async () => {
    const kinesis = fakeKinesis();
    const producer = producerFor(kinesis, { aggregation: false, maxBufferedTimeMs: 60_000 });
    const puts = keys(1234).map((k) => producer.put({ partitionKey: k, data: utf8(k) }));
    await producer.flush();
    await Promise.all(puts);
    expect(kinesis.putCalls.map((call) => call.Records?.length)).toEqual([500, 500, 234]);
  });

  it('keeps every request within 5 MiB, partition keys included', async () => {
    const kinesis = fakeKinesis({ shards: evenShards(8) });
    const producer = producerFor(kinesis, { aggregation: false, rateLimitPercent: 100_000 });
    const big = new Uint8Array(400 * 1024);
    await Promise.all(keys(40).map((k) => producer.put({ partitionKey: k, data: big })));
    for (const call of kinesis.putCalls) {
      const bytes = (call.Records ?? []).reduce(
        (sum, r) => sum + r.Data!.byteLength + Buffer.byteLength(r.PartitionKey!),
        0,
      );
      expect(bytes).toBeLessThanOrEqual(5 * 1024 * 1024);
    }
    expect(kinesis.putCalls.length).toBeGreaterThanOrEqual(4);
  });

  it('sends a record larger than the aggregation limit alone, raw', async () => {
    const kinesis = fakeKinesis();
    const producer = producerFor(kinesis);
    const large = new Uint8Array(200 * 1024).fill(1);
    const [small, big] = await Promise.all([
      producer.put({ partitionKey: 'a', data: utf8('small') }),
      producer.put({ partitionKey: 'b', data: large }),
    ]);
    expect(big.aggregated).toBe(false);
    expect(small.shardId).toBe(big.shardId);
    const raw = kinesis.written.find((w) => w.data.byteLength === large.byteLength)!;
    expect(raw.partitionKey).toBe('b');
    expect(raw.explicitHashKey).toBe(partitionKeyToHashKey('b').toString());
  });

  it('accepts records up to a raised maxRecordSizeBytes', async () => {
    const kinesis = fakeKinesis();
    const producer = producerFor(kinesis, { maxRecordSizeBytes: 10 * 1024 * 1024 });
    const result = await producer.put({ partitionKey: 'k', data: new Uint8Array(2 * 1024 * 1024) });
    expect(result.aggregated).toBe(false);
  });

  it('sends a record above the 5 MiB request limit alone in its request, and the records behind it after', async () => {
    const kinesis = fakeKinesis();
    const producer = producerFor(kinesis, { maxRecordSizeBytes: 10 * 1024 * 1024 });
    const huge = new Uint8Array(6 * 1024 * 1024);
    const results = await Promise.all([
      producer.put({ partitionKey: 'before', data: utf8('b') }),
      producer.put({ partitionKey: 'huge', data: huge }),
      producer.put({ partitionKey: 'after', data: utf8('a') }),
    ]);
    expect(results.map((r) => r.attempts.length)).toEqual([1, 1, 1]);
    const hugeCall = kinesis.putCalls.find((call) =>
      call.Records!.some((e) => e.Data!.byteLength === huge.byteLength),
    )!;
    expect(hugeCall.Records).toHaveLength(1);
    expect(
      readBack(kinesis.written)
        .map((r) => r.partitionKey)
        .sort(),
    ).toEqual(['after', 'before', 'huge']);
  });

  it('routes by the explicit hash key when one is given', async () => {
    const shards = evenShards(2);
    const kinesis = fakeKinesis({ shards });
    const producer = producerFor(kinesis);
    const low = await producer.put({ partitionKey: 'user-1', data: utf8('x'), explicitHashKey: '5' });
    const high = await producer.put({
      partitionKey: 'user-2',
      data: utf8('y'),
      explicitHashKey: shards[1]!.end,
    });
    expect(low.shardId).toBe(shards[0]!.shardId);
    expect(high.shardId).toBe(shards[1]!.shardId);
    // A single record goes raw: its explicit hash key travels in the PutRecords entry.
    expect(kinesis.putCalls[0]!.Records![0]).toMatchObject({ PartitionKey: 'user-1', ExplicitHashKey: '5' });
  });

  it('addresses the stream by ARN when given one', async () => {
    const kinesis = fakeKinesis();
    const streamArn = 'arn:aws:kinesis:us-east-1:123456789012:stream/orders';
    const producer = new KinesisProducer({ streamArn, client: kinesis.client, maxBufferedTimeMs: 1 });
    producers.push(producer);
    await producer.put({ partitionKey: 'k', data: utf8('x') });
    const { ListShardsCommand } = await import('@aws-sdk/client-kinesis');
    expect(kinesis.mock.commandCalls(ListShardsCommand)[0]!.args[0].input).toMatchObject({
      StreamARN: streamArn,
    });
    expect(kinesis.putCalls[0]).toMatchObject({ StreamARN: streamArn });
    expect(kinesis.putCalls[0]!.StreamName).toBeUndefined();
    expect(producer.stream).toEqual({ streamArn });
    expect(producerFor(fakeKinesis()).stream).toEqual({ streamName: 'orders' });
  });

  it('putMany settles every record and isolates a bad one', async () => {
    const kinesis = fakeKinesis();
    const producer = producerFor(kinesis);
    const results = await producer.putMany([
      { partitionKey: 'ok-1', data: utf8('1') },
      { partitionKey: '', data: utf8('bad') },
      { partitionKey: 'ok-2', data: utf8('2') },
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((results[1] as { reason: unknown }).reason).toBeInstanceOf(ValidationError);
    expect(
      readBack(kinesis.written)
        .map((r) => r.partitionKey)
        .sort(),
    ).toEqual(['ok-1', 'ok-2']);
  });
});

describe('putMany', () => {
  it('resolves an empty batch at once, and rejects every record after close', async () => {
    const producer = producerFor(fakeKinesis());
    await expect(producer.putMany([])).resolves.toEqual([]);
    await producer.close();
    const results = await producer.putMany([{ partitionKey: 'k', data: utf8('x') }]);
    expect(results).toEqual([{ status: 'rejected', reason: expect.any(ProducerClosedError) }]);
  });

  it('settles every record of a large batch in order, each with its own result', async () => {
    const kinesis = fakeKinesis({ shards: evenShards(3) });
    const producer = producerFor(kinesis);
    const results = await producer.putMany(keys(2000).map((k) => ({ partitionKey: k, data: utf8(k) })));
    expect(results).toHaveLength(2000);
    expect(results.every((r) => r.status === 'fulfilled')).toBe(true);
    const read = readBack(kinesis.written);
    const first = results[0] as { value: { shardId: string; sequenceNumber: string } };
    const k0 = read.find((r) => r.partitionKey === 'k0')!;
    expect([first.value.shardId, first.value.sequenceNumber]).toEqual([k0.shardId, k0.sequenceNumber]);
  });
});

describe('bad input', () => {
  it.each([
    ['an empty partition key', { partitionKey: '', data: utf8('x') }, 'INVALID_PARTITION_KEY'],
    [
      'a 257-character partition key',
      { partitionKey: 'k'.repeat(257), data: utf8('x') },
      'INVALID_PARTITION_KEY',
    ],
    [
      'an explicit hash key out of range',
      { partitionKey: 'k', data: utf8('x'), explicitHashKey: '-1' },
      'INVALID_EXPLICIT_HASH_KEY',
    ],
    ['1 MiB + 1 byte', { partitionKey: 'k', data: new Uint8Array(1024 * 1024) }, 'RECORD_TOO_LARGE'],
    ['data that is not bytes', { partitionKey: 'k', data: 'x' as unknown as Uint8Array }, 'INVALID_DATA'],
  ])('rejects %s at once, sending nothing', async (_, record, code) => {
    const kinesis = fakeKinesis();
    const producer = producerFor(kinesis);
    await expect(producer.put(record)).rejects.toMatchObject({ code });
    await producer.flush();
    expect(kinesis.putCalls).toHaveLength(0);
    expect(producer.outstandingRecords).toBe(0);
  });

  it('rejects put after close with PRODUCER_CLOSED', async () => {
    const producer = producerFor(fakeKinesis());
    await producer.close();
    await expect(producer.put({ partitionKey: 'k', data: utf8('x') })).rejects.toBeInstanceOf(
      ProducerClosedError,
    );
  });

  it.each([
    [{ streamName: undefined }, 'streamName'],
    [{ streamArn: 'arn:aws:kinesis:us-east-1:1:stream/x' }, 'streamName'],
    [{ maxBufferedTimeMs: -1 }, 'maxBufferedTimeMs'],
    [{ rateLimitPercent: 0 }, 'rateLimitPercent'],
    [{ maxRequestEntries: 501 }, 'maxRequestEntries'],
    [{ maxAggregateSizeBytes: 2 * 1024 * 1024 }, 'maxAggregateSizeBytes'],
    [{ recordTtlMs: 50 }, 'recordTtlMs'],
    [{ whenBufferFull: 'drop' }, 'whenBufferFull'],
    [{ retryBackoff: { baseDelayMs: 10, maxDelayMs: 1 } }, 'retryBackoff.maxDelayMs'],
    [{ maxBufferedBytes: 1000 }, 'maxBufferedBytes'],
    [{ aggregate: true }, 'aggregate'],
  ])('refuses option %j at construction, naming %s', (options, field) => {
    const kinesis = fakeKinesis();
    expect(
      () => new KinesisProducer({ streamName: 'orders', client: kinesis.client, ...(options as object) }),
    ).toThrow(expect.objectContaining({ field, code: 'INVALID_OPTION' }));
  });

  it.each([
    [
      'recordTtlMs',
      'Invalid recordTtlMs: got NaN (allowed: an integer of 100 or more, or Infinity)',
      Number.NaN,
    ],
    ['requestTimeoutMs', 'Invalid requestTimeoutMs: expected a number, got the string "6000"', '6000'],
    ['maxBufferedTimeMs', 'Invalid maxBufferedTimeMs: got 0.5, not an integer', 0.5],
    ['hotKeyShare', 'Invalid hotKeyShare: got the string "0.1" (allowed: a number from 0 to 1)', '0.1'],
  ])('says what option %s got: %s', (option, message, value) => {
    const kinesis = fakeKinesis();
    expect(
      () => new KinesisProducer({ streamName: 'orders', client: kinesis.client, [option]: value }),
    ).toThrow(message);
  });
});

describe('retries', () => {
  it('retries only the failed entries of a partial failure (SC-07)', async () => {
    const failed = new Set([10, 250, 499]);
    const kinesis = fakeKinesis({
      failEntry: (call, index) =>
        call === 0 && failed.has(index) ? 'ProvisionedThroughputExceededException' : undefined,
    });
    const producer = producerFor(kinesis, {
      aggregation: false,
      maxBufferedTimeMs: 60_000,
      retryBackoff: { baseDelayMs: 1, maxDelayMs: 2 },
    });
    const puts = keys(500).map((k) => producer.put({ partitionKey: k, data: utf8(k) }));
    await producer.flush();
    const results = await Promise.all(puts);
    expect(kinesis.putCalls.map((c) => c.Records?.length)).toEqual([500, 3]);
    expect(kinesis.putCalls[1]!.Records!.map((r) => r.PartitionKey)).toEqual(['k10', 'k250', 'k499']);
    expect(results.filter((r) => r.attempts.length === 2).length).toBe(3);
    expect(results[10]!.attempts[0]).toMatchObject({
      success: false,
      errorCode: 'ProvisionedThroughputExceededException',
    });
    expect(kinesis.written).toHaveLength(500);
  });

  it('backs off exponentially with jitter while a shard throttles, then succeeds on attempt 4 (SC-06)', async () => {
    vi.useFakeTimers();
    const kinesis = fakeKinesis({
      failEntry: (call) => (call < 3 ? 'ProvisionedThroughputExceededException' : undefined),
    });
    const producer = producerFor(kinesis, {
      random: () => 0.999,
      retryBackoff: { baseDelayMs: 100, maxDelayMs: 10_000 },
    });
    const sentAt: number[] = [];
    producer.events.on('request:completed', () => sentAt.push(Date.now()));
    const result = producer.put({ partitionKey: 'k', data: utf8('x') });
    await vi.advanceTimersByTimeAsync(5_000);
    const { attempts, sequenceNumber } = await result;
    expect(attempts.map((a) => a.success)).toEqual([false, false, false, true]);
    expect(sequenceNumber).toBeDefined();
    const gaps = sentAt.slice(1).map((t, i) => t - sentAt[i]!);
    expect(gaps).toEqual([99, 199, 399]);
    expect(producer.metrics().stream.ErrorsByCode).toEqual({ ProvisionedThroughputExceededException: 3 });
  });

  it('keeps backing off longer while a shard throttles some entries and takes others', async () => {
    vi.useFakeTimers();
    const kinesis = fakeKinesis({
      // 'hot' is throttled in the first four calls; the other key in each request is written.
      failEntry: (call, _index, entry) =>
        call < 4 && entry.PartitionKey === 'hot' ? 'ProvisionedThroughputExceededException' : undefined,
    });
    const producer = producerFor(kinesis, {
      aggregation: false,
      random: () => 0.999,
      retryBackoff: { baseDelayMs: 100, maxDelayMs: 10_000 },
    });
    const backoffs: number[] = [];
    producer.events.on('shard:throttled', ({ backoffMs }) => backoffs.push(backoffMs));
    const hot = producer.put({ partitionKey: 'hot', data: utf8('h') });
    const others = keys(4, 'cold').map((k) => producer.put({ partitionKey: k, data: utf8(k) }));
    await vi.advanceTimersByTimeAsync(5_000);
    await Promise.all([hot, ...others]);
    expect(backoffs.map(Math.round)).toEqual([99, 199, 399, 799]); // as when whole requests are throttled
  });

  it('backs off per shard: a throttled shard does not slow the others', async () => {
    vi.useFakeTimers();
    const shards = evenShards(2);
    const kinesis = fakeKinesis({
      shards,
      failEntry: (_call, _index, entry) => {
        const hashKey = BigInt(entry.ExplicitHashKey!);
        return hashKey <= shards[0]!.end ? 'ProvisionedThroughputExceededException' : undefined;
      },
    });
    const producer = producerFor(kinesis, {
      random: () => 0.999,
      retryBackoff: { baseDelayMs: 1000, maxDelayMs: 60_000 },
    });
    const lowKey = keys(50).find((k) => partitionKeyToHashKey(k) <= shards[0]!.end)!;
    const highKey = keys(50).find((k) => partitionKeyToHashKey(k) > shards[0]!.end)!;
    const throttled = producer.put({ partitionKey: lowKey, data: utf8('x') }).catch((e) => e);
    await vi.advanceTimersByTimeAsync(50);
    const started = Date.now();
    const fine = await Promise.race([
      producer.put({ partitionKey: highKey, data: utf8('y') }).then(() => Date.now() - started),
      vi.advanceTimersByTimeAsync(500).then(() => 'timeout'),
    ]);
    expect(fine).toBeLessThan(100);
    expect(await Promise.race([throttled, Promise.resolve('pending')])).toBe('pending');
    kinesis.state.failEntry = undefined;
    await vi.advanceTimersByTimeAsync(10_000);
    expect((await throttled).attempts.length).toBeGreaterThan(1);
  });

  it('fails a record with RECORD_EXPIRED, carrying every attempt, once its time to live is over', async () => {
    vi.useFakeTimers();
    const kinesis = fakeKinesis({ failEntry: () => 'ProvisionedThroughputExceededException' });
    const producer = producerFor(kinesis, {
      recordTtlMs: 2_000,
      retryBackoff: { baseDelayMs: 100, maxDelayMs: 400 },
    });
    const outcome = producer.put({ partitionKey: 'k', data: utf8('x') }).catch((e) => e);
    await vi.advanceTimersByTimeAsync(3_000);
    const error = await outcome;
    expect(error).toBeInstanceOf(RecordFailedError);
    expect(error.code).toBe('RECORD_EXPIRED');
    expect(error.record.partitionKey).toBe('k');
    expect(error.attempts.length).toBeGreaterThan(3);
    expect(error.attempts.at(-1).errorCode).toBe('Expired');
    expect(error.lastErrorCode).toBeDefined();
    expect(producer.metrics().stream.UserRecordExpired).toBe(1);
  });

  it('abandons a request with no answer after requestTimeoutMs and retries its records', async () => {
    vi.useFakeTimers();
    const kinesis = fakeKinesis({ hold: true });
    const producer = producerFor(kinesis, { requestTimeoutMs: 1_000 });
    const outcome = producer.put({ partitionKey: 'k', data: utf8('x') });
    await vi.advanceTimersByTimeAsync(50);
    expect(kinesis.putCalls).toHaveLength(1);
    kinesis.state.hold = false; // the first call never answers; the next ones do
    await vi.advanceTimersByTimeAsync(2_000);
    const result = await outcome;
    expect(result.attempts.map((a) => a.errorCode ?? 'written')).toEqual(['RequestTimeout', 'written']);
    expect(kinesis.putCalls).toHaveLength(2);
  });

  it('gives up on a ListShards with no answer after requestTimeoutMs and fetches the map again', async () => {
    vi.useFakeTimers();
    const { ListShardsCommand } = await import('@aws-sdk/client-kinesis');
    const kinesis = fakeKinesis({ shards: evenShards(2) });
    let listCalls = 0;
    kinesis.mock.on(ListShardsCommand).callsFake(() => {
      listCalls++;
      if (listCalls === 1) return new Promise(() => undefined); // never answers
      return {
        Shards: evenShards(2).map((shard) => ({
          ShardId: shard.shardId,
          HashKeyRange: { StartingHashKey: shard.start.toString(), EndingHashKey: shard.end.toString() },
          SequenceNumberRange: { StartingSequenceNumber: '0' },
        })),
      };
    });
    const producer = producerFor(kinesis, { requestTimeoutMs: 500 });
    const errors: string[] = [];
    producer.events.on('shard-map:error', ({ error }) => errors.push((error as Error).name));
    const generations: number[] = [];
    producer.events.on('shard-map:updated', ({ generation }) => generations.push(generation));
    await vi.advanceTimersByTimeAsync(2_000); // the timeout, then the refresh backoff of 1 s
    expect(errors).toEqual(['RequestTimeout']);
    expect(generations).toEqual([1]);
    expect(listCalls).toBe(2);
  });

  it('fails records waiting for room in the buffer once their time to live is over', async () => {
    vi.useFakeTimers();
    const kinesis = fakeKinesis({ hold: true });
    const producer = producerFor(kinesis, {
      maxBufferedRecords: 1,
      recordTtlMs: 1_000,
      requestTimeoutMs: 60_000,
    });
    // a holds the room, in a call that never answers; b waits for room, and both expire together.
    const first = producer.put({ partitionKey: 'a', data: utf8('a') }).catch((e: unknown) => e);
    const waiting = producer.put({ partitionKey: 'b', data: utf8('b') }).catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(1_500);
    const error = (await waiting) as RecordFailedError;
    expect(error).toBeInstanceOf(RecordFailedError);
    expect(error.code).toBe('RECORD_EXPIRED');
    expect(error.message).toContain('waiting for room');
    expect(kinesis.putCalls.flatMap((call) => call.Records ?? [])).toHaveLength(1); // b was never sent
    expect(await first).toMatchObject({ code: 'RECORD_EXPIRED', lastErrorCode: 'RequestTimeout' });
    expect(producer.outstandingRecords).toBe(0);
  });

  it('cuts a call short at the time to live of its first-expiring record: that record expires with the timeout as last error, the others are retried', async () => {
    vi.useFakeTimers();
    const kinesis = fakeKinesis({ hold: true });
    const producer = producerFor(kinesis, {
      aggregation: false,
      maxBufferedTimeMs: 60_000,
      recordTtlMs: 1_000,
      requestTimeoutMs: 6_000,
    });
    const early = producer.put({ partitionKey: 'a', data: utf8('a') }).catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(400);
    const late = producer.put({ partitionKey: 'b', data: utf8('b') });
    const flushed = producer.flush();
    await vi.advanceTimersByTimeAsync(10);
    expect(kinesis.putCalls.map((call) => call.Records?.length)).toEqual([2]); // a and b in one call
    kinesis.state.hold = false; // the first call never answers; the next ones do
    await vi.advanceTimersByTimeAsync(600); // a's time to live, long before requestTimeoutMs
    const error = (await early) as RecordFailedError;
    expect(error).toBeInstanceOf(RecordFailedError);
    expect(error.code).toBe('RECORD_EXPIRED');
    expect(error.lastErrorCode).toBe('RequestTimeout');
    expect(error.cause).toMatchObject({ name: 'RequestTimeout' });
    expect(error.attempts.map((a) => a.errorCode)).toEqual(['RequestTimeout', 'Expired']);
    await vi.advanceTimersByTimeAsync(400); // b's retry, within its own time to live
    const written = await late;
    expect(written.attempts.map((a) => a.errorCode ?? 'written')).toEqual(['RequestTimeout', 'written']);
    await flushed;
  });

  it('fails a record on time while its shard backs off longer than its time to live', async () => {
    vi.useFakeTimers();
    const kinesis = fakeKinesis({ failEntry: () => 'ProvisionedThroughputExceededException' });
    const producer = producerFor(kinesis, {
      recordTtlMs: 1_000,
      retryBackoff: { baseDelayMs: 5_000, maxDelayMs: 5_000 },
      random: () => 0.99, // a backoff of about 5 s after the first throttled attempt
    });
    let settledAt: number | undefined;
    const outcome = producer.put({ partitionKey: 'k', data: utf8('x') }).catch((e: unknown) => {
      settledAt = Date.now();
      return e;
    });
    const putAt = Date.now();
    await vi.advanceTimersByTimeAsync(1_000);
    expect(settledAt).toBe(putAt + 1_000);
    expect(await outcome).toMatchObject({
      code: 'RECORD_EXPIRED',
      lastErrorCode: 'ProvisionedThroughputExceededException',
    });
    expect(kinesis.putCalls).toHaveLength(1);
  });

  it('fails records on time while a new shard map is being fetched, and sends nothing meanwhile', async () => {
    vi.useFakeTimers();
    const { ListShardsCommand } = await import('@aws-sdk/client-kinesis');
    const parent = evenShards(1)[0]!;
    const children = evenShards(2).map((s, i) => ({ ...s, shardId: `shardId-00000000000${i + 1}` }));
    const kinesis = fakeKinesis({ shards: [parent], routingShards: children });
    let listCalls = 0;
    kinesis.mock.on(ListShardsCommand).callsFake(() => {
      listCalls++;
      if (listCalls > 1) return new Promise(() => undefined); // the refresh after the reshard hangs
      return {
        Shards: [parent].map((shard) => ({
          ShardId: shard.shardId,
          HashKeyRange: { StartingHashKey: shard.start.toString(), EndingHashKey: shard.end.toString() },
          SequenceNumberRange: { StartingSequenceNumber: '0' },
        })),
      };
    });
    const producer = producerFor(kinesis, { recordTtlMs: 1_000, requestTimeoutMs: 60_000 });
    await vi.advanceTimersByTimeAsync(10); // the first map (one shard) is in use
    const first = producer.put({ partitionKey: 'k', data: utf8('1') }); // lands on a child: map outdated
    await vi.advanceTimersByTimeAsync(20);
    expect((await first).shardId).not.toBe(parent.shardId);
    expect(listCalls).toBe(2);
    const putAt = Date.now();
    let settledAt: number | undefined;
    const outcome = producer.put({ partitionKey: 'k', data: utf8('2') }).catch((e: unknown) => {
      settledAt = Date.now();
      return e;
    });
    await vi.advanceTimersByTimeAsync(1_000);
    expect(settledAt).toBe(putAt + 1_000);
    expect(await outcome).toMatchObject({ code: 'RECORD_EXPIRED' });
    expect(kinesis.putCalls).toHaveLength(1);
  });

  it('fails at once, without retrying, on a non-retryable error', async () => {
    const kinesis = fakeKinesis({ failCall: () => serviceError('ResourceNotFoundException') });
    const producer = producerFor(kinesis);
    const error = await producer.put({ partitionKey: 'k', data: utf8('x') }).catch((e) => e);
    expect(error).toBeInstanceOf(RecordFailedError);
    expect(error.code).toBe('RECORD_FAILED');
    expect(error.lastErrorCode).toBe('ResourceNotFoundException');
    expect(error.attempts).toHaveLength(1);
    expect(kinesis.putCalls).toHaveLength(1);
  });

  it.each(['AccessDeniedException', 'KMSAccessDeniedException', 'ValidationException'])(
    'does not retry %s',
    async (name) => {
      const kinesis = fakeKinesis({ failCall: () => serviceError(name) });
      const error = await producerFor(kinesis)
        .put({ partitionKey: 'k', data: utf8('x') })
        .catch((e) => e);
      expect(error.code).toBe('RECORD_FAILED');
      expect(kinesis.putCalls).toHaveLength(1);
    },
  );

  it('retries throttled and failed calls, and KMS throttling', async () => {
    const errors = [
      serviceError('ThrottlingException'),
      serviceError('KMSThrottlingException'),
      serviceError('InternalFailure', 500),
    ];
    const kinesis = fakeKinesis({ failCall: (call) => errors[call] });
    const producer = producerFor(kinesis, { retryBackoff: { baseDelayMs: 1, maxDelayMs: 2 } });
    const result = await producer.put({ partitionKey: 'k', data: utf8('x') });
    expect(result.attempts.map((a) => a.errorCode)).toEqual([
      'ThrottlingException',
      'KMSThrottlingException',
      'InternalFailure',
      undefined,
    ]);
  });

  it('stops after maxAttempts with MAX_ATTEMPTS_EXCEEDED', async () => {
    const kinesis = fakeKinesis({ failEntry: () => 'InternalFailure' });
    const producer = producerFor(kinesis, {
      maxAttempts: 3,
      retryBackoff: { baseDelayMs: 1, maxDelayMs: 2 },
    });
    const error = await producer.put({ partitionKey: 'k', data: utf8('x') }).catch((e) => e);
    expect(error.code).toBe('MAX_ATTEMPTS_EXCEEDED');
    expect(error.attempts).toHaveLength(3);
    expect(error.attemptCount).toBe(3);
  });

  it('keeps the first and the 9 latest attempts of a long-failing record, and counts them all', async () => {
    const kinesis = fakeKinesis({ failEntry: () => 'InternalFailure' });
    const producer = producerFor(kinesis, {
      maxAttempts: 15,
      retryBackoff: { baseDelayMs: 1, maxDelayMs: 2 },
    });
    const error = await producer.put({ partitionKey: 'k', data: utf8('x') }).catch((e) => e);
    expect(error.code).toBe('MAX_ATTEMPTS_EXCEEDED');
    expect(error.attemptCount).toBe(15);
    expect(error.attempts).toHaveLength(10);
    expect(error.message).toContain('15 attempts');
  });

  it('fails throttled records at once with failIfThrottled', async () => {
    const kinesis = fakeKinesis({ failEntry: () => 'ProvisionedThroughputExceededException' });
    const error = await producerFor(kinesis, { failIfThrottled: true })
      .put({ partitionKey: 'k', data: utf8('x') })
      .catch((e) => e);
    expect(error.code).toBe('RECORD_THROTTLED');
    expect(kinesis.putCalls).toHaveLength(1);
  });

  it('retries a response with the wrong number of entries', async () => {
    const kinesis = fakeKinesis();
    let first = true;
    kinesis.mock.on((await import('@aws-sdk/client-kinesis')).PutRecordsCommand).callsFake(async (input) => {
      if (first) {
        first = false;
        return { FailedRecordCount: 0, Records: [] };
      }
      return {
        FailedRecordCount: 0,
        Records: input.Records.map(() => ({ ShardId: 'shardId-000000000000', SequenceNumber: '1' })),
      };
    });
    const result = await producerFor(kinesis, { retryBackoff: { baseDelayMs: 1, maxDelayMs: 1 } }).put({
      partitionKey: 'k',
      data: utf8('x'),
    });
    expect(result.attempts[0]?.errorCode).toBe('RecordCountMismatch');
  });
});

describe('ordering', () => {
  it('keeps one key in put order across throttled retries', async () => {
    let throttle = 3;
    const kinesis = fakeKinesis({
      failEntry: (_call, index) =>
        index === 0 && throttle-- > 0 ? 'ProvisionedThroughputExceededException' : undefined,
    });
    const producer = producerFor(kinesis, {
      maxAggregateSizeBytes: 200,
      retryBackoff: { baseDelayMs: 1, maxDelayMs: 5 },
      maxBufferedTimeMs: 1,
    });
    const puts: Promise<unknown>[] = [];
    for (let i = 0; i < 300; i++) {
      puts.push(producer.put({ partitionKey: i % 3 === 0 ? 'hot' : `other-${i % 7}`, data: utf8(`${i}`) }));
      if (i % 50 === 0) await new Promise((r) => setTimeout(r, 2));
    }
    await Promise.all(puts);
    const hot = readBack(kinesis.written)
      .filter((r) => r.partitionKey === 'hot')
      .map((r) => Number(text(r.data)));
    expect(hot).toEqual([...hot].sort((a, b) => a - b));
    expect(hot).toHaveLength(100);
  });

  it('puts a key in at most one entry per request and one request per shard in flight', async () => {
    const kinesis = fakeKinesis({ hold: true });
    const producer = producerFor(kinesis, { aggregation: false });
    const puts = Array.from({ length: 10 }, (_, i) =>
      producer.put({ partitionKey: 'same', data: utf8(`${i}`) }),
    );
    await new Promise((r) => setTimeout(r, 50));
    expect(kinesis.putCalls).toHaveLength(1);
    expect(kinesis.putCalls[0]!.Records).toHaveLength(1);
    kinesis.release();
    await Promise.all(puts);
    expect(readBack(kinesis.written).map((r) => text(r.data))).toEqual(
      Array.from({ length: 10 }, (_, i) => `${i}`),
    );
  });

  it('with preserveKeyOrder off, sends a key several times per request and several requests per shard', async () => {
    const kinesis = fakeKinesis({ hold: true });
    const producer = producerFor(kinesis, {
      aggregation: false,
      preserveKeyOrder: false,
      maxRequestEntries: 5,
    });
    const puts = Array.from({ length: 10 }, (_, i) =>
      producer.put({ partitionKey: 'same', data: utf8(`${i}`) }),
    );
    void producer.flush();
    await new Promise((r) => setTimeout(r, 20));
    expect(kinesis.putCalls.map((c) => c.Records?.length)).toEqual([5, 5]);
    kinesis.release();
    await Promise.all(puts);
  });
});

describe('resharding', () => {
  it('re-sends a whole aggregate that landed on a shard not holding all its records, then uses the new map', async () => {
    const parent = evenShards(1, 'shardId-00000000000')[0]!;
    const children = evenShards(2, 'shardId-00000000000').map((s, i) => ({
      ...s,
      shardId: `shardId-00000000000${i + 1}`,
    }));
    const kinesis = fakeKinesis({ shards: [parent], routingShards: children });
    const producer = producerFor(kinesis);
    const updates: number[] = [];
    producer.events.on('shard-map:updated', ({ generation }) => updates.push(generation));
    await new Promise((r) => setTimeout(r, 20)); // the first map (one shard) is in use
    kinesis.state.listShards = children; // what ListShards says once asked again
    const lowKey = keys(50).find((k) => partitionKeyToHashKey(k) <= children[0]!.end)!;
    const highKey = keys(50).find((k) => partitionKeyToHashKey(k) > children[0]!.end)!;
    const results = await Promise.all([
      producer.put({ partitionKey: lowKey, data: utf8('low') }),
      producer.put({ partitionKey: highKey, data: utf8('high') }),
    ]);
    expect(results[0]!.attempts[0]).toMatchObject({ success: false, errorCode: 'WrongShard' });
    expect(results.map((r) => r.shardId)).toEqual(['shardId-000000000001', 'shardId-000000000002']);
    expect(updates).toEqual([1, 2]);
    // Read with each child's hash range, as a KCL consumer does: each record exactly once.
    const read = kinesis.written.flatMap((w) => {
      const shard = children.find((c) => c.shardId === w.shardId)!;
      return deaggregate(
        { partitionKey: w.partitionKey, data: w.data, sequenceNumber: w.sequenceNumber },
        { hashKeyRange: { startingHashKey: shard.start, endingHashKey: shard.end } },
      );
    });
    expect(read.map((r) => r.partitionKey).sort()).toEqual([lowKey, highKey].sort());
  });

  it('keeps a key in order when its records arrive while a new shard map is being fetched', async () => {
    const { ListShardsCommand } = await import('@aws-sdk/client-kinesis');
    const parent = evenShards(1)[0]!;
    const children = evenShards(2).map((s, i) => ({ ...s, shardId: `shardId-00000000000${i + 1}` }));
    const kinesis = fakeKinesis({
      shards: [parent],
      routingShards: children,
      failEntry: (call, index) =>
        call === 0 && index === 0 ? 'ProvisionedThroughputExceededException' : undefined,
    });
    let openGate: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => {
      openGate = resolve;
    });
    let listCalls = 0;
    kinesis.mock.on(ListShardsCommand).callsFake(async () => {
      listCalls++;
      if (listCalls === 2) await gate; // the refresh after the reshard is slow
      return {
        Shards: (listCalls === 1 ? [parent] : children).map((shard) => ({
          ShardId: shard.shardId,
          HashKeyRange: { StartingHashKey: shard.start.toString(), EndingHashKey: shard.end.toString() },
          SequenceNumberRange: { StartingSequenceNumber: '0' },
        })),
      };
    });
    const producer = producerFor(kinesis, {
      aggregation: false,
      retryBackoff: { baseDelayMs: 1, maxDelayMs: 1 },
    });
    await new Promise((r) => setTimeout(r, 20));
    const first = producer.put({ partitionKey: 'K', data: utf8('1') }); // fails once: retried
    const other = producer.put({ partitionKey: 'O', data: utf8('o') }); // lands on a child: map outdated
    await vi.waitFor(() => expect(listCalls).toBe(2));
    const second = producer.put({ partitionKey: 'K', data: utf8('2') }); // arrives during the refresh
    await new Promise((r) => setTimeout(r, 20));
    openGate();
    await Promise.all([first, other, second]);
    expect(kinesis.written.filter((w) => w.partitionKey === 'K').map((w) => text(w.data))).toEqual([
      '1',
      '2',
    ]);
  });

  it('writes an aggregate once when it lands on a new child that holds all its records', async () => {
    const parent = evenShards(1)[0]!;
    const children = evenShards(2).map((s, i) => ({ ...s, shardId: `shardId-00000000000${i + 1}` }));
    const kinesis = fakeKinesis({ shards: [parent], routingShards: children });
    const producer = producerFor(kinesis);
    await new Promise((r) => setTimeout(r, 20));
    kinesis.state.listShards = children;
    const lowKeys = keys(60)
      .filter((k) => partitionKeyToHashKey(k) <= children[0]!.end)
      .slice(0, 5);
    const results = await Promise.all(lowKeys.map((k) => producer.put({ partitionKey: k, data: utf8(k) })));
    expect(kinesis.written).toHaveLength(1); // one aggregate, not re-sent
    expect(results.every((r) => r.shardId === 'shardId-000000000001' && r.attempts.length === 1)).toBe(true);
  });

  it('settles aggregates landing on children of a second split that happened while a newer map was fetched', async () => {
    const [p, q] = evenShards(2);
    const quarters = evenShards(4);
    const [c1, c2, d1, d2] = quarters.map((s, i) => ({ ...s, shardId: `shardId-00000000001${i}` }));
    const kinesis = fakeKinesis({ shards: [p!, q!], routingShards: [c1!, c2!, d1!, d2!], hold: true });
    const producer = producerFor(kinesis, { maxBufferedTimeMs: 1 });
    await new Promise((r) => setTimeout(r, 20)); // the first map: P and Q
    const inRange = (shard: typeof c1) =>
      keys(400)
        .filter((k) => {
          const hashKey = partitionKeyToHashKey(k);
          return hashKey >= shard!.start && hashKey <= shard!.end;
        })
        .slice(0, 3);
    const onP = Promise.all(inRange(c1).map((k) => producer.put({ partitionKey: k, data: utf8(k) })));
    await vi.waitFor(() => expect(kinesis.putCalls).toHaveLength(1));
    const onQ = Promise.all(inRange(d1).map((k) => producer.put({ partitionKey: k, data: utf8(k) })));
    await vi.waitFor(() => expect(kinesis.putCalls).toHaveLength(2)); // one request per aggregate
    kinesis.state.listShards = [c1!, c2!, q!]; // P has split
    kinesis.releaseOne(); // P's aggregate lands on C1: a new map (generation 2) is fetched
    expect((await onP).every((r) => r.shardId === c1!.shardId && r.attempts.length === 1)).toBe(true);
    kinesis.state.listShards = [c1!, c2!, d1!, d2!]; // Q has split too
    kinesis.releaseOne(); // Q's aggregate, sent with generation 1, lands on D1, which generation 2 lacks
    expect((await onQ).every((r) => r.shardId === d1!.shardId && r.attempts.length === 1)).toBe(true);
    expect(kinesis.listShardsCalls).toBe(3);
    expect(kinesis.written).toHaveLength(2); // each aggregate written once
    kinesis.release();
    await expect(producer.put({ partitionKey: 'later', data: utf8('x') })).resolves.toMatchObject({
      attempts: [{ success: true }],
    });
  });

  it('counts a record that landed on a child holding its key as written, and refreshes the map', async () => {
    const parent = evenShards(1)[0]!;
    const children = evenShards(2).map((s, i) => ({ ...s, shardId: `shardId-00000000000${i + 1}` }));
    const kinesis = fakeKinesis({ shards: [parent], routingShards: children });
    const producer = producerFor(kinesis);
    await new Promise((r) => setTimeout(r, 20));
    kinesis.state.listShards = children;
    const result = await producer.put({ partitionKey: 'solo', data: utf8('x') });
    expect(result.attempts).toHaveLength(1);
    await vi.waitFor(() => expect(kinesis.listShardsCalls).toBe(2));
  });

  it('sends records without prediction while ListShards fails, then goes back to predicting', async () => {
    const kinesis = fakeKinesis({ shards: evenShards(2) });
    const { ListShardsCommand } = await import('@aws-sdk/client-kinesis');
    kinesis.mock.on(ListShardsCommand).rejectsOnce(serviceError('AccessDeniedException'));
    const producer = producerFor(kinesis);
    const errors: boolean[] = [];
    producer.events.on('shard-map:error', ({ willRetry }) => errors.push(willRetry));
    const results = await Promise.all(keys(5).map((k) => producer.put({ partitionKey: k, data: utf8(k) })));
    expect(errors).toEqual([false]);
    expect(results.every((r) => !r.aggregated)).toBe(true);
    expect(readBack(kinesis.written)).toHaveLength(5);
  });
});

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
});

describe('observability', () => {
  it('reports KPL-named metrics per stream and per shard', async () => {
    const kinesis = fakeKinesis({ shards: evenShards(2) });
    const producer = producerFor(kinesis);
    await Promise.all(keys(100).map((k) => producer.put({ partitionKey: k, data: utf8('12345') })));
    const { stream, shards } = producer.metrics();
    expect(stream.UserRecordsReceived).toBe(100);
    expect(stream.UserRecordsPut).toBe(100);
    expect(stream.UserRecordsDataPut).toBe(500);
    expect(stream.UserRecordsPending).toBe(0);
    expect(stream.KinesisRecordsPut).toBe(kinesis.written.length);
    expect(stream.RequestTime.count).toBe(kinesis.putCalls.length);
    expect(Object.keys(shards).sort()).toEqual(['shardId-000000000000', 'shardId-000000000001']);
    expect(Object.values(shards).reduce((sum, s) => sum + s.UserRecordsPut, 0)).toBe(100);
  });

  it('emits hot-key for a key above its share of a window, and hot-shard for its shard (SC-03, SC-05)', async () => {
    vi.useFakeTimers();
    const kinesis = fakeKinesis({ shards: evenShards(10) });
    const producer = producerFor(kinesis, { hotKeyShare: 0.05, hotKeyWindowMs: 1_000 });
    const hotKeys: string[] = [];
    const hotShards: string[] = [];
    producer.events.on('hot-key', (hot) => hotKeys.push(hot.key));
    producer.events.on('hot-shard', (hot) => hotShards.push(hot.key));
    await vi.advanceTimersByTimeAsync(10);
    for (let i = 0; i < 1000; i++)
      void producer.put({ partitionKey: i % 8 === 0 ? 'all' : `device-${i}`, data: utf8('x') });
    await vi.advanceTimersByTimeAsync(1_100);
    void producer.put({ partitionKey: 'next', data: utf8('x') });
    expect(hotKeys).toEqual(['all']);
    expect(hotShards).toEqual([]);
    for (let i = 0; i < 1000; i++) void producer.put({ partitionKey: 'all', data: utf8('x') });
    await vi.advanceTimersByTimeAsync(1_100);
    void producer.put({ partitionKey: 'next', data: utf8('x') });
    const shardOfAll = evenShards(10).find((s) => partitionKeyToHashKey('all') <= s.end)!.shardId;
    expect(hotShards).toEqual([shardOfAll]);
    await vi.advanceTimersByTimeAsync(1_000);
  });

  it('prints nothing and logs through the injected logger', async () => {
    const logSpy = vi.spyOn(console, 'log');
    const warnSpy = vi.spyOn(console, 'warn');
    const kinesis = fakeKinesis();
    const { ListShardsCommand } = await import('@aws-sdk/client-kinesis');
    kinesis.mock.on(ListShardsCommand).rejectsOnce(serviceError('AccessDeniedException'));
    const warnings: string[] = [];
    const producer = producerFor(kinesis, {
      logger: { debug() {}, info() {}, warn: (m) => warnings.push(m), error() {} },
    });
    await producer.put({ partitionKey: 'k', data: utf8('x') });
    expect(warnings).toHaveLength(1);
    expect(logSpy).not.toHaveBeenCalled();
    expect(warnSpy).not.toHaveBeenCalled();
  });
});

describe('flush and close', () => {
  it('flush sends what waits for its buffering time and resolves when it is settled', async () => {
    const kinesis = fakeKinesis();
    const producer = producerFor(kinesis, { maxBufferedTimeMs: 60_000 });
    const put = producer.put({ partitionKey: 'k', data: utf8('x') });
    await new Promise((r) => setTimeout(r, 20));
    expect(kinesis.putCalls).toHaveLength(0);
    await producer.flush();
    await expect(put).resolves.toMatchObject({ attempts: [expect.objectContaining({ success: true })] });
  });

  it('close settles everything first', async () => {
    const kinesis = fakeKinesis();
    const producer = producerFor(kinesis, { maxBufferedTimeMs: 60_000 });
    const puts = keys(10).map((k) => producer.put({ partitionKey: k, data: utf8(k) }));
    await producer.close();
    expect(producer.outstandingRecords).toBe(0);
    await expect(Promise.all(puts)).resolves.toHaveLength(10);
  });
});
