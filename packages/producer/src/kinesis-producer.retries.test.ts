import { partitionKeyToHashKey } from '@kinesis-ts/core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { evenShards, fakeKinesis, serviceError } from '../test/fake-kinesis.js';
import { closeProducers, keys, producerFor, utf8 } from '../test/producer-harness.js';
import { RecordFailedError } from './errors.js';

afterEach(closeProducers);

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
    expect(error.code).toBe('CANNOT_WRITE_STREAM');
    expect(error.lastErrorCode).toBe('ResourceNotFoundException');
    expect(error.attempts).toHaveLength(1);
    expect(kinesis.putCalls).toHaveLength(1);
  });

  it.each([
    ['AccessDeniedException', 'CANNOT_WRITE_STREAM'],
    ['KMSAccessDeniedException', 'CANNOT_WRITE_STREAM'],
    ['ValidationException', 'RECORD_FAILED'],
  ])('does not retry %s', async (name, code) => {
    const kinesis = fakeKinesis({ failCall: () => serviceError(name) });
    const error = await producerFor(kinesis)
      .put({ partitionKey: 'k', data: utf8('x') })
      .catch((e) => e);
    expect(error.code).toBe(code);
    expect(kinesis.putCalls).toHaveLength(1);
  });

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
