import { describe, expect, it } from 'vitest';
import { jsonResponse, parseJsonObject, type WireResponse } from './kinesis-wire';
import { type LimitDecision, ServiceLimits } from './service-limits';

const HALF = 2n ** 127n;
const MAX = 2n ** 128n - 1n;

/** A two-shard stream 'orders' as ListShards shows it; `split` adds the children of shard 0. */
function listShards(split = false) {
  const shard = (id: number, start: bigint, end: bigint, closed = false) => ({
    ShardId: `shardId-00000000000${id}`,
    HashKeyRange: { StartingHashKey: String(start), EndingHashKey: String(end) },
    SequenceNumberRange: { StartingSequenceNumber: '1', EndingSequenceNumber: closed ? '2' : null },
  });
  return split
    ? [
        shard(0, 0n, HALF - 1n, true),
        shard(1, HALF, MAX),
        shard(2, 0n, HALF / 2n - 1n),
        shard(3, HALF / 2n, HALF - 1n),
      ]
    : [shard(0, 0n, HALF - 1n), shard(1, HALF, MAX)];
}

function setUp() {
  const clock = { now: 0 };
  const emulator = { listShardsCalls: 0, split: false, waits: [] as number[] };
  const limits = new ServiceLimits({
    accountId: '000000000000',
    subscriptionLifetimeMs: 300_000,
    now: () => clock.now,
    sleep: async (ms) => {
      emulator.waits.push(ms);
    },
    callEmulator: async (operation, request) => {
      expect(operation).toBe('ListShards');
      emulator.listShardsCalls += 1;
      if (request.StreamName !== 'orders')
        return { status: 400, body: { __type: 'ResourceNotFoundException' } };
      return { status: 200, body: { Shards: listShards(emulator.split) } };
    },
  });
  limits.enforce();
  const call = (operation: string, request: unknown) =>
    limits.decide({ operation, headers: {}, body: Buffer.from(JSON.stringify(request)) });
  return { clock, emulator, limits, call };
}

/** Explicit hash keys that land on shard 0 (below half) and shard 1. */
const ON_SHARD_0 = '1';
const ON_SHARD_1 = String(HALF + 1n);
const records = (count: number, explicitHashKey: string) =>
  Array.from({ length: count }, (_, index) => ({
    Data: Buffer.from(`r${index}`).toString('base64'),
    PartitionKey: 'k',
    ExplicitHashKey: explicitHashKey,
  }));

const bodyOf = (decision: LimitDecision) => {
  if (decision.kind !== 'forward') throw new Error(`expected forward, got ${decision.kind}`);
  return parseJsonObject(decision.body)!;
};
const responseOf = (decision: LimitDecision) => {
  if (decision.kind !== 'respond') throw new Error(`expected respond, got ${decision.kind}`);
  return { status: decision.response.status, body: parseJsonObject(decision.response.body)! };
};
/** What the emulator answers to a PutRecords of `count` entries, all written to `shardId`. */
const written = (count: number, shardId: string): WireResponse =>
  jsonResponse(200, {
    EncryptionType: 'NONE',
    FailedRecordCount: 0,
    Records: Array.from({ length: count }, (_, index) => ({
      ErrorCode: null,
      ErrorMessage: null,
      SequenceNumber: String(1_000 + index),
      ShardId: shardId,
    })),
  });

describe('ServiceLimits, PutRecords', () => {
  it('forwards the entries a shard has room for, and puts the refused ones back at their positions', async () => {
    const { call } = setUp();
    const first = await call('PutRecords', { StreamName: 'orders', Records: records(500, ON_SHARD_0) });
    expect(first.kind === 'forward' && first.onResponse).toBeTruthy();
    await call('PutRecords', { StreamName: 'orders', Records: records(400, ON_SHARD_0) });
    // 100 records left on shard 0; shard 1 is free
    const mixed = [...records(150, ON_SHARD_0), ...records(10, ON_SHARD_1)];
    const third = await call('PutRecords', { StreamName: 'orders', Records: mixed });
    const sent = bodyOf(third).Records as unknown[];
    expect(sent).toHaveLength(110);
    if (third.kind !== 'forward' || !third.onResponse) throw new Error('expected a rewritten response');
    const emulatorAnswer = written(110, 'shardId-000000000000');
    const output = parseJsonObject((await third.onResponse(emulatorAnswer)).body)!;
    const results = output.Records as {
      ErrorCode?: string | null;
      ErrorMessage?: string;
      SequenceNumber?: string;
    }[];
    expect(results).toHaveLength(160);
    expect(output.FailedRecordCount).toBe(50);
    expect(results.slice(0, 100).every((result) => result.SequenceNumber !== undefined)).toBe(true);
    expect(results.slice(100, 150)).toEqual(
      Array.from({ length: 50 }, () => ({
        ErrorCode: 'ProvisionedThroughputExceededException',
        ErrorMessage:
          'Rate exceeded for shard shardId-000000000000 in stream orders under account 000000000000.',
      })),
    );
    expect(results.slice(150).every((result) => result.SequenceNumber !== undefined)).toBe(true);
  });

  it('answers a PutRecords whose entries are all refused itself, without the emulator', async () => {
    const { call, limits } = setUp();
    await call('PutRecords', { StreamName: 'orders', Records: records(500, ON_SHARD_1) });
    await call('PutRecords', { StreamName: 'orders', Records: records(500, ON_SHARD_1) });
    const refused = responseOf(
      await call('PutRecords', { StreamName: 'orders', Records: records(3, ON_SHARD_1) }),
    );
    expect(refused.status).toBe(200);
    expect(refused.body).toMatchObject({ FailedRecordCount: 3, EncryptionType: 'NONE' });
    expect(limits.stats().refusedEntries).toBe(3);
  });

  it('refuses a PutRecord over the limit whole, with ProvisionedThroughputExceededException', async () => {
    const { call, limits } = setUp();
    await call('PutRecords', { StreamName: 'orders', Records: records(500, ON_SHARD_0) });
    await call('PutRecords', { StreamName: 'orders', Records: records(500, ON_SHARD_0) });
    const refused = responseOf(
      await call('PutRecord', { StreamName: 'orders', ...records(1, ON_SHARD_0)[0] }),
    );
    expect(refused).toEqual({
      status: 400,
      body: {
        __type: 'ProvisionedThroughputExceededException',
        message: 'Rate exceeded for shard shardId-000000000000 in stream orders under account 000000000000.',
      },
    });
    expect(limits.stats().refusedCalls).toEqual({ PutRecord: 1 });
    expect((await call('PutRecord', { StreamName: 'orders', ...records(1, ON_SHARD_1)[0] })).kind).toBe(
      'forward',
    );
  });

  it('forwards unchanged what it cannot judge: an unknown stream, a malformed request', async () => {
    const { call } = setUp();
    const unknown = { StreamName: 'nope', Records: records(2, ON_SHARD_0) };
    expect(bodyOf(await call('PutRecords', unknown))).toEqual(unknown);
    const malformed = { StreamName: 'orders', Records: [{ Data: 'AA==' }] };
    expect(bodyOf(await call('PutRecords', malformed))).toEqual(malformed);
  });

  it('reads the hash ranges once a second, after a reshard, and when a write lands elsewhere', async () => {
    const { call, clock, emulator } = setUp();
    await call('PutRecords', { StreamName: 'orders', Records: records(1, ON_SHARD_0) });
    await call('PutRecords', { StreamName: 'orders', Records: records(1, ON_SHARD_0) });
    expect(emulator.listShardsCalls).toBe(1);
    clock.now = 1_000;
    await call('PutRecords', { StreamName: 'orders', Records: records(1, ON_SHARD_0) });
    expect(emulator.listShardsCalls).toBe(2);
    emulator.split = true;
    await call('SplitShard', {
      StreamName: 'orders',
      ShardToSplit: 'shardId-000000000000',
      NewStartingHashKey: '1',
    });
    const after = await call('PutRecords', { StreamName: 'orders', Records: records(1, ON_SHARD_0) });
    expect(emulator.listShardsCalls).toBe(3);
    // the emulator wrote it elsewhere than predicted: the next write reads the ranges again
    if (after.kind !== 'forward' || !after.onResponse) throw new Error('expected forward');
    after.onResponse(written(1, 'shardId-000000000003'));
    await call('PutRecords', { StreamName: 'orders', Records: records(1, ON_SHARD_0) });
    expect(emulator.listShardsCalls).toBe(4);
  });
});

describe('ServiceLimits, reads', () => {
  async function iterator(call: ReturnType<typeof setUp>['call']) {
    const decision = await call('GetShardIterator', {
      StreamName: 'orders',
      ShardId: 'shardId-000000000001',
      ShardIteratorType: 'TRIM_HORIZON',
    });
    if (decision.kind !== 'forward' || !decision.onResponse) throw new Error('expected forward');
    decision.onResponse(jsonResponse(200, { ShardIterator: 'iterator-1' }));
    return 'iterator-1';
  }

  it('refuses the sixth GetRecords on a shard within a second, and takes it a second later', async () => {
    const { call, clock } = setUp();
    const ShardIterator = await iterator(call);
    for (let read = 0; read < 5; read++)
      expect((await call('GetRecords', { ShardIterator })).kind).toBe('forward');
    clock.now = 999;
    expect(responseOf(await call('GetRecords', { ShardIterator }))).toEqual({
      status: 400,
      body: {
        __type: 'ProvisionedThroughputExceededException',
        message: 'Rate exceeded for Shard - 000000000000/orders/shardId-000000000001',
      },
    });
    clock.now = 1_000;
    expect((await call('GetRecords', { ShardIterator })).kind).toBe('forward');
  });

  it('blocks a shard for 5 seconds after a GetRecords returned 10 MiB, and follows NextShardIterator', async () => {
    const { call, clock } = setUp();
    const ShardIterator = await iterator(call);
    const read = await call('GetRecords', { ShardIterator });
    if (read.kind !== 'forward' || !read.onResponse) throw new Error('expected forward');
    const tenMiB = Array.from({ length: 10 }, () => ({
      Data: Buffer.alloc(1_048_576 - 1).toString('base64'),
      PartitionKey: 'k',
    }));
    read.onResponse(jsonResponse(200, { Records: tenMiB, NextShardIterator: 'iterator-2' }));
    clock.now = 4_900;
    expect((await call('GetRecords', { ShardIterator: 'iterator-2' })).kind).toBe('respond');
    clock.now = 5_000;
    expect((await call('GetRecords', { ShardIterator: 'iterator-2' })).kind).toBe('forward');
  });

  it('does not count a GetRecords with an iterator it did not hand out', async () => {
    const { call } = setUp();
    for (let read = 0; read < 10; read++) {
      expect((await call('GetRecords', { ShardIterator: 'from elsewhere' })).kind).toBe('forward');
    }
  });

  it('refuses the sixth GetShardIterator on a shard within a second', async () => {
    const { call } = setUp();
    for (let calls = 0; calls < 5; calls++) await iterator(call);
    const sixth = await call('GetShardIterator', { StreamName: 'orders', ShardId: 'shardId-000000000001' });
    expect(responseOf(sixth).body.__type).toBe('ProvisionedThroughputExceededException');
  });
});

describe('ServiceLimits, SubscribeToShard and the control plane', () => {
  const subscribe = {
    ConsumerARN: 'arn:aws:kinesis:us-east-1:000000000000:stream/orders/consumer/app:1',
    ShardId: 'shardId-000000000000',
  };

  it('refuses a second SubscribeToShard of a consumer to a shard within a second with LimitExceededException', async () => {
    const { call, clock } = setUp();
    const first = await call('SubscribeToShard', subscribe);
    expect(first.kind === 'forward' && first.subscription?.lifetimeMs).toBe(300_000);
    clock.now = 999;
    expect(responseOf(await call('SubscribeToShard', subscribe)).body.__type).toBe('LimitExceededException');
    expect((await call('SubscribeToShard', { ...subscribe, ShardId: 'shardId-000000000001' })).kind).toBe(
      'forward',
    );
    clock.now = 1_000;
    expect((await call('SubscribeToShard', subscribe)).kind).toBe('forward');
  });

  it('holds back the renewal of a subscription it ended until the emulator has let go of it', async () => {
    const { call, clock, emulator, limits } = setUp();
    const first = await call('SubscribeToShard', subscribe);
    clock.now = 300_000;
    if (first.kind !== 'forward' || !first.subscription) throw new Error('expected a subscription');
    first.subscription.onExpired();
    expect(limits.stats().subscriptionsEnded).toBe(1);
    clock.now = 300_100;
    await call('SubscribeToShard', subscribe);
    expect(emulator.waits).toEqual([2_900]);
  });

  it('refuses the sixth ListStreams within a second, and counts every refusal', async () => {
    const { call, limits } = setUp();
    for (let calls = 0; calls < 5; calls++) expect((await call('ListStreams', {})).kind).toBe('forward');
    expect(responseOf(await call('ListStreams', {})).body.__type).toBe('LimitExceededException');
    expect(limits.stats()).toEqual({
      enforced: true,
      refusedEntries: 0,
      refusedCalls: { ListStreams: 1 },
      subscriptionsEnded: 0,
    });
  });

  it('intercepts nothing until it enforces, and only the limited operations then', () => {
    const limits = new ServiceLimits({
      accountId: '000000000000',
      subscriptionLifetimeMs: 1,
      callEmulator: async () => ({ status: 500, body: undefined }),
    });
    expect(limits.intercepts('PutRecords')).toBe(false);
    limits.enforce();
    expect(limits.intercepts('PutRecords')).toBe(true);
    expect(limits.intercepts('ListShards')).toBe(true);
    expect(limits.intercepts('IncreaseStreamRetentionPeriod')).toBe(false);
    expect(limits.intercepts(undefined)).toBe(false);
  });
});
