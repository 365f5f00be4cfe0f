import { deaggregate, partitionKeyToHashKey } from '@kinesis-ts/core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { evenShards, fakeKinesis, serviceError } from '../test/fake-kinesis.js';
import { closeProducers, keys, producerFor, readBack, text, utf8 } from '../test/producer-harness.js';

afterEach(closeProducers);

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
