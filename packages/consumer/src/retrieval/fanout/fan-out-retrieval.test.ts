import {
  SubscribeToShardCommand,
  type SubscribeToShardEvent,
  type SubscribeToShardEventStream,
} from '@aws-sdk/client-kinesis';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { RetrievedBatch } from '../records-retrieval.js';
import type { ShardEndProbe } from '../shard-end-probe.js';
import type { ListedShardStatus } from '../shard-status.js';
import { FanOutRetrieval } from './fan-out-retrieval.js';
import type { FanOutRetrievalEvent, FanOutRetrievalOptions } from './fan-out-retrieval-options.js';

/** One subscription served by the fake client: events are pushed by the test. */
class FakeSubscription {
  readonly events: (SubscribeToShardEventStream | Error | 'end')[] = [];
  /** How many events the consumer pulled. */
  pulled = 0;
  aborted = false;
  private wake: (() => void) | undefined;

  constructor(
    readonly input: SubscribeToShardCommand['input'],
    readonly signal: AbortSignal | undefined,
  ) {
    signal?.addEventListener('abort', () => {
      this.aborted = true;
      this.wake?.();
    });
  }

  push(...items: (SubscribeToShardEventStream | Error | 'end')[]): void {
    this.events.push(...items);
    this.wake?.();
  }

  async *stream(): AsyncGenerator<SubscribeToShardEventStream> {
    for (;;) {
      while (this.events.length === 0) {
        if (this.aborted) throw Object.assign(new Error('aborted'), { name: 'AbortError' });
        await new Promise<void>((resolve) => {
          this.wake = resolve;
        });
      }
      const item = this.events.shift()!;
      this.pulled++;
      if (item === 'end') return;
      if (item instanceof Error) throw item;
      yield item;
    }
  }
}

/** A client whose SubscribeToShard calls are answered by the test, in order. */
class FakeSubscribeClient {
  readonly subscriptions: FakeSubscription[] = [];
  readonly callTimes: number[] = [];
  /** Errors the next calls reject with (instead of answering). */
  readonly refusals: Error[] = [];

  async send(command: unknown, options?: { abortSignal?: AbortSignal }): Promise<unknown> {
    if (!(command instanceof SubscribeToShardCommand)) throw new Error('unexpected command');
    this.callTimes.push(Date.now());
    const refusal = this.refusals.shift();
    if (refusal) throw refusal;
    const subscription = new FakeSubscription(command.input, options?.abortSignal);
    this.subscriptions.push(subscription);
    return { EventStream: subscription.stream() };
  }

  last(): FakeSubscription {
    return this.subscriptions.at(-1)!;
  }
}

const event = (
  continuation: string | undefined,
  records: string[] = [],
  extra: Partial<SubscribeToShardEvent> = {},
) => ({
  SubscribeToShardEvent: {
    Records: records.map((sequenceNumber) => ({
      SequenceNumber: sequenceNumber,
      PartitionKey: 'k',
      Data: new TextEncoder().encode(sequenceNumber),
    })),
    ContinuationSequenceNumber: continuation,
    MillisBehindLatest: 0,
    ...extra,
  },
});
const awsError = (name: string) => Object.assign(new Error(name), { name, $metadata: {} });
const CHILD = {
  ShardId: 'shardId-000000000002',
  ParentShards: ['shardId-000000000000'],
  HashKeyRange: { StartingHashKey: '0', EndingHashKey: '9' },
};

let client: FakeSubscribeClient;
let retrieval: FanOutRetrieval | undefined;
let events: FanOutRetrievalEvent[];
let probes: ShardEndProbe[];
/** What the shard listing says, and the listing ages asked for. */
let listed: ListedShardStatus;
let listings: number[];
let leaseHeld: boolean;
let verifications: number;

function start(overrides: Partial<FanOutRetrievalOptions> = {}): FanOutRetrieval {
  retrieval = new FanOutRetrieval({
    client,
    consumerArn: 'arn:aws:kinesis:us-east-1:1:stream/s/consumer/c:1',
    shardId: 'shardId-000000000000',
    startingPosition: { type: 'AT_SEQUENCE_NUMBER', sequenceNumber: '100' },
    subscriptionIdleTimeoutMs: 30_000,
    shardEndCheckAfterMs: 10_000,
    backoff: { baseDelayMs: 1_000, maxDelayMs: 10_000 },
    shardStatus: async (maxAgeMs) => {
      listings.push(maxAgeMs);
      return listed;
    },
    probeShardEnd: async () => probes.shift() ?? { kind: 'open' },
    verifyLease: async () => {
      verifications++;
      return leaseHeld;
    },
    now: () => Date.now(),
    random: () => 0.5,
    onEvent: (e) => events.push(e),
    ...overrides,
  });
  return retrieval;
}

/** Runs `next()` while advancing the fake clock until it settles (or `maxMs` passes). */
async function nextBatch(r: FanOutRetrieval, maxMs = 60_000, stepMs = 100): Promise<RetrievedBatch> {
  let settled: { value?: RetrievedBatch; error?: unknown } | undefined;
  r.next().then(
    (value) => {
      settled = { value };
    },
    (error) => {
      settled = { error };
    },
  );
  for (let waited = 0; settled === undefined && waited <= maxMs; waited += stepMs) {
    await vi.advanceTimersByTimeAsync(stepMs);
  }
  if (!settled) throw new Error(`next() did not settle within ${maxMs} ms`);
  if ('error' in settled) throw settled.error;
  return settled.value!;
}

beforeEach(() => {
  vi.useFakeTimers();
  client = new FakeSubscribeClient();
  events = [];
  probes = [];
  listed = 'open';
  listings = [];
  leaseHeld = true;
  verifications = 0;
});

afterEach(() => {
  retrieval?.close();
  retrieval = undefined;
  vi.useRealTimers();
});

describe('FanOutRetrieval', () => {
  it('subscribes from the checkpoint and pulls one event per next(): a slow processor slows the subscription', async () => {
    const r = start();
    const pending = r.next();
    await vi.advanceTimersByTimeAsync(0);
    const subscription = client.last();
    expect(subscription.input.StartingPosition).toEqual({
      Type: 'AT_SEQUENCE_NUMBER',
      SequenceNumber: '100',
    });
    subscription.push(event('110', ['101', '110']), event('120', ['120']), event('130', ['130']));
    const first = await pending;
    expect(first.records.map((record) => record.sequenceNumber)).toEqual(['101', '110']);
    await vi.advanceTimersByTimeAsync(5_000); // the processor takes its time
    expect(subscription.pulled).toBe(1);
    expect((await r.next()).records.map((record) => record.sequenceNumber)).toEqual(['120']);
    expect(subscription.pulled).toBe(2);
  });

  it('renews a completed subscription AFTER the last acknowledged continuation number, at most once per second', async () => {
    const r = start();
    const pending = r.next();
    await vi.advanceTimersByTimeAsync(0);
    client.last().push(event('110', ['110']), 'end');
    await pending;
    const batch = await nextBatch(r, 5_000).catch(() => undefined);
    expect(batch).toBeUndefined(); // the renewal has not answered yet
    expect(client.subscriptions).toHaveLength(2);
    expect(client.callTimes[1]! - client.callTimes[0]!).toBeGreaterThanOrEqual(1_000);
    expect(client.last().input.StartingPosition).toEqual({
      Type: 'AFTER_SEQUENCE_NUMBER',
      SequenceNumber: '110',
    });
    expect(events.find((e) => e.type === 'subscription-ended')).toMatchObject({
      reason: 'completed',
      events: 1,
    });
    expect(verifications).toBe(0); // a normal end needs no lease check
  });

  it('after ResourceInUseException waits at least 5 s and checks the lease before subscribing again', async () => {
    client.refusals.push(awsError('ResourceInUseException'));
    const r = start();
    const pending = nextBatch(r, 10_000);
    await vi.advanceTimersByTimeAsync(4_900);
    expect(client.callTimes).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1_200);
    expect(client.callTimes).toHaveLength(2);
    expect(client.callTimes[1]! - client.callTimes[0]!).toBeGreaterThanOrEqual(5_000);
    expect(verifications).toBe(1);
    client.last().push(event('100', ['100']));
    expect((await pending).records).toHaveLength(1);
    expect(events.filter((e) => e.type === 'error').map((e) => (e as { kind: string }).kind)).toEqual([
      'transient',
    ]);
  });

  it('does not subscribe again once the lease is gone; close() then ends next()', async () => {
    client.refusals.push(awsError('ResourceInUseException'));
    leaseHeld = false;
    const r = start();
    const outcome = r.next().catch((error) => error);
    await vi.advanceTimersByTimeAsync(20_000);
    expect(client.callTimes).toHaveLength(1);
    r.close();
    expect(await outcome).toBeInstanceOf(Error);
  });

  it('backs off after KMS and internal errors, and resubscribes from the last acknowledged event', async () => {
    const r = start();
    const pending = r.next();
    await vi.advanceTimersByTimeAsync(0);
    client.last().push(event('110', ['110']), awsError('KMSThrottlingException'));
    await pending;
    const renewed = nextBatch(r, 20_000);
    await vi.advanceTimersByTimeAsync(400);
    expect(client.subscriptions).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(700);
    expect(client.subscriptions).toHaveLength(2);
    client.last().push(awsError('InternalFailureException'));
    await vi.advanceTimersByTimeAsync(1_100);
    expect(client.subscriptions).toHaveLength(3);
    for (const subscription of client.subscriptions.slice(1)) {
      expect(subscription.input.StartingPosition).toEqual({
        Type: 'AFTER_SEQUENCE_NUMBER',
        SequenceNumber: '110',
      });
    }
    client.last().push(event('120', ['120']));
    expect((await renewed).records.map((record) => record.sequenceNumber)).toEqual(['120']);
    const ends = events
      .filter((e) => e.type === 'subscription-ended')
      .map((e) => (e as { reason: string }).reason);
    expect(ends).toEqual(['throttled', 'error']);
  });

  it('aborts a subscription that stays silent for the idle timeout and renews it', async () => {
    const r = start({ subscriptionIdleTimeoutMs: 3_000 });
    const pending = nextBatch(r, 10_000);
    await vi.advanceTimersByTimeAsync(2_900);
    expect(client.subscriptions).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1_200);
    expect(client.subscriptions[0]!.aborted).toBe(true);
    expect(client.subscriptions).toHaveLength(2);
    client.last().push(event('100', ['100']));
    await pending;
    expect(events.find((e) => e.type === 'subscription-ended')).toMatchObject({ reason: 'idle-timeout' });
  });

  it('ends the shard on the final event: no continuation number, with the children', async () => {
    const r = start();
    const pending = r.next();
    await vi.advanceTimersByTimeAsync(0);
    client.last().push(event(undefined, ['190'], { ChildShards: [CHILD] }));
    const last = await pending;
    expect(last.records).toHaveLength(1);
    expect(last.shardEnd).toEqual({
      childShards: [
        {
          shardId: CHILD.ShardId,
          parentShardIds: CHILD.ParentShards,
          startingHashKey: '0',
          endingHashKey: '9',
        },
      ],
    });
    expect(client.last().aborted).toBe(true);
  });

  it('refuses an inconsistent event (children with a continuation number) and reads again from the last acknowledged one', async () => {
    const r = start();
    const pending = r.next();
    await vi.advanceTimersByTimeAsync(0);
    client.last().push(event('110', ['110']));
    await pending;
    const next = nextBatch(r, 10_000);
    await vi.advanceTimersByTimeAsync(0);
    client.last().push(event('120', ['120'], { ChildShards: [CHILD] }));
    await vi.advanceTimersByTimeAsync(1_500);
    expect(client.subscriptions).toHaveLength(2);
    expect(client.last().input.StartingPosition).toEqual({
      Type: 'AFTER_SEQUENCE_NUMBER',
      SequenceNumber: '110',
    });
    client.last().push(event('120', ['120']));
    expect((await next).shardEnd).toBeUndefined();
    const error = events.find((e) => e.type === 'error') as { error: { code: string } };
    expect(error.error.code).toBe('INVALID_RETRIEVAL_RESULT');
  });

  it('on ResourceNotFoundException ends the shard only when GetRecords says it is gone or ended', async () => {
    client.refusals.push(awsError('ResourceNotFoundException'), awsError('ResourceNotFoundException'));
    // First the shard is readable (so the stream consumer is what is missing), then it is gone.
    probes.push({ kind: 'open' }, { kind: 'gone' });
    listed = 'gone';
    const r = start();
    const batch = await nextBatch(r, 10_000);
    expect(batch).toMatchObject({ records: [], shardEnd: { childShards: [] } });
    expect(client.callTimes).toHaveLength(2);
    const reported = events.find((e) => e.type === 'error') as { error: { code: string } };
    expect(reported.error.code).toBe('STREAM_CONSUMER_NOT_FOUND');
  });

  it('on ResourceNotFoundException does not end a shard that the shard listing shows open, even when GetRecords says not found too', async () => {
    client.refusals.push(awsError('ResourceNotFoundException'));
    probes.push({ kind: 'gone' });
    const r = start();
    const pending = r.next();
    for (let waited = 0; client.subscriptions.length === 0 && waited < 30_000; waited += 100) {
      await vi.advanceTimersByTimeAsync(100);
    }
    expect(client.subscriptions).toHaveLength(1); // subscribed again after a backoff
    client.last().push(event('110', ['110']));
    const batch = await pending;
    expect(batch.shardEnd).toBeUndefined();
    expect(batch.records.map((record) => record.sequenceNumber)).toEqual(['110']);
    expect(listings).toEqual([0]);
    expect(events.find((e) => e.type === 'error')).toMatchObject({
      operation: 'SubscribeToShard',
      error: { name: 'ResourceNotFoundException' },
    });
  });

  it('on a closed shard whose subscription makes no progress, confirms the end with GetRecords (the emulator never sends it)', async () => {
    const r = start({ shardEndCheckAfterMs: 2_000 });
    const pending = r.next();
    await vi.advanceTimersByTimeAsync(0);
    const subscription = client.last();
    subscription.push(event('110', ['110']));
    await pending;
    // Empty events with the same continuation number, once a second: an open shard at first.
    const batches: RetrievedBatch[] = [];
    for (let i = 0; i < 3; i++) {
      await vi.advanceTimersByTimeAsync(1_000);
      subscription.push(event('110'));
      batches.push(await r.next());
    }
    expect(batches.every((b) => b.shardEnd === undefined && b.records.length === 0)).toBe(true);
    expect(events.filter((e) => e.type === 'shard-end-check')).toEqual([
      { type: 'shard-end-check', closed: false, ended: false },
    ]);
    listed = 'closed';
    probes.push({
      kind: 'ended',
      records: [{ partitionKey: 'k', data: new Uint8Array(1), sequenceNumber: '111' }],
      childShards: [
        {
          shardId: CHILD.ShardId,
          parentShardIds: CHILD.ParentShards,
          startingHashKey: '0',
          endingHashKey: '9',
        },
      ],
    });
    await vi.advanceTimersByTimeAsync(2_000);
    subscription.push(event('110'));
    const last = await r.next();
    expect(last.records.map((record) => record.sequenceNumber)).toEqual(['111']);
    expect(last.shardEnd?.childShards.map((child) => child.shardId)).toEqual([CHILD.ShardId]);
    expect(subscription.aborted).toBe(true);
  });

  it('close() aborts the subscription and rejects a pending next()', async () => {
    const r = start();
    const pending = r.next().catch((error) => error);
    await vi.advanceTimersByTimeAsync(0);
    r.close();
    expect(await pending).toBeInstanceOf(Error);
    expect(client.last().aborted).toBe(true);
    expect(events.at(-1)).toMatchObject({ type: 'subscription-ended', reason: 'closed' });
  });
});
