import { deaggregate, partitionKeyToHashKey, ValidationError } from '@kinesis-ts/core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { evenShards, fakeKinesis, serviceError } from '../test/fake-kinesis.js';
import { closeProducers, keys, producerFor, producers, readBack, utf8 } from '../test/producer-harness.js';
import { ProducerClosedError } from './errors.js';
import { KinesisProducer } from './kinesis-producer.js';

afterEach(closeProducers);

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

  it.each([
    ['10 MiB by default', undefined, 10 * 1024 * 1024, 2],
    ['5 MiB with maxRequestBytes for older endpoints', 5 * 1024 * 1024, 5 * 1024 * 1024, 4],
  ])(
    'keeps every request within %s, partition keys included',
    async (_label, maxRequestBytes, limit, fewest) => {
      const kinesis = fakeKinesis({ shards: evenShards(8) });
      const producer = producerFor(kinesis, {
        aggregation: false,
        rateLimitPercent: 100_000,
        maxBufferedTimeMs: 100,
        ...(maxRequestBytes === undefined ? {} : { maxRequestBytes }),
      });
      const big = new Uint8Array(400 * 1024);
      await Promise.all(keys(40).map((k) => producer.put({ partitionKey: k, data: big })));
      let largest = 0;
      for (const call of kinesis.putCalls) {
        const bytes = (call.Records ?? []).reduce(
          (sum, r) => sum + r.Data!.byteLength + Buffer.byteLength(r.PartitionKey!),
          0,
        );
        expect(bytes).toBeLessThanOrEqual(limit);
        largest = Math.max(largest, bytes);
      }
      expect(kinesis.putCalls.length).toBeGreaterThanOrEqual(fewest);
      expect(largest).toBeGreaterThan(limit - 400 * 1024 - 64); // packed up to the limit
    },
  );

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
    const read = new Map(readBack(kinesis.written).map((r) => [r.partitionKey, r]));
    results.forEach((result, index) => {
      const { value } = result as { value: { shardId: string; sequenceNumber: string } };
      const record = read.get(`k${index}`)!;
      expect([value.shardId, value.sequenceNumber]).toEqual([record.shardId, record.sequenceNumber]);
    });
    // Records of one aggregate, written together, share one frozen item.
    expect(results.every((r) => Object.isFrozen(r))).toBe(true);
    expect(new Set(results).size).toBeLessThan(100);
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
    [{ streamName: 'orders/eu' }, 'streamName'],
    [{ streamName: undefined, streamArn: 'arn:aws:kinesis:us-east-1:1:stream/x' }, 'streamArn'],
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

  it('counts retries per record and the buffering time of every attempt', async () => {
    // The first call fails every entry, so each record is sent twice.
    const kinesis = fakeKinesis({
      failEntry: (call) => (call === 0 ? 'ProvisionedThroughputExceededException' : undefined),
    });
    const producer = producerFor(kinesis, { retryBackoff: { baseDelayMs: 1, maxDelayMs: 1 } });
    await Promise.all(keys(10).map((k) => producer.put({ partitionKey: k, data: utf8('12345') })));
    const { stream } = producer.metrics();
    expect(stream.UserRecordsPut).toBe(10);
    expect(stream.UserRecordsDataPut).toBe(50);
    expect(stream.RetriesPerRecord).toMatchObject({ count: 10, sum: 10, min: 1, max: 1 });
    expect(stream.BufferingTime.count).toBe(20);
    expect(stream.BufferingTime.min).toBeGreaterThanOrEqual(0);
    expect(stream.BufferingTime.sum).toBeGreaterThanOrEqual(stream.BufferingTime.max);
  });

  it('reports a throwing event listener through the logger, as the consumer does, and still settles the record', async () => {
    const warnings: unknown[][] = [];
    const logger = { debug() {}, info() {}, error() {}, warn: (...args: unknown[]) => warnings.push(args) };
    const producer = producerFor(fakeKinesis(), { logger });
    let other = 0;
    producer.events.on('record:put', () => {
      throw new Error('bad listener');
    });
    producer.events.on('record:put', () => other++);
    await expect(producer.put({ partitionKey: 'k', data: utf8('x') })).resolves.toMatchObject({
      shardId: expect.any(String),
    });
    expect(other).toBe(1);
    expect(warnings).toEqual([
      ['An event listener threw', { event: 'record:put', error: 'Error: bad listener' }],
    ]);
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

  it('flush waits only for the records put before it when they share aggregates with later ones, and the buffer empties', async () => {
    const kinesis = fakeKinesis();
    const producer = producerFor(kinesis, { maxBufferedTimeMs: 60_000 });
    const records = (suffix: string) =>
      keys(50).map((k) => ({ partitionKey: `${k}${suffix}`, data: utf8(k) }));
    const before = producer.putMany(records(''));
    const flushed = producer.flush();
    const after = producer.putMany(records('-later'));
    expect(producer.outstandingRecords).toBe(100);
    await flushed;
    const written = await before;
    expect(written.every((result) => result.status === 'fulfilled')).toBe(true);
    // One aggregate carried the records of both batches, settled together.
    expect(kinesis.written).toHaveLength(1);
    expect(readBack(kinesis.written)).toHaveLength(100);
    expect((await after).every((result) => result.status === 'fulfilled')).toBe(true);
    expect(producer.outstandingRecords).toBe(0);
    expect(producer.outstandingBytes).toBe(0);
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
