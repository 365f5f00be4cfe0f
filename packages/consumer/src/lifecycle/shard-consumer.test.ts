import { encodeAggregatedRecord, type KinesisRecordInput } from '@kinesis-ts/core';
import { describe, expect, it } from 'vitest';
import { FakeRetrieval } from '../../test/fake-retrieval.js';
import { InMemoryLeaseStore } from '../../test/in-memory-lease-store.js';
import type { Lease } from '../leases/lease.js';
import { LeaseRenewer } from '../leases/lease-renewer.js';
import { PartialBatchFailureError } from '../processing/processing-errors.js';
import type { ConsumerRecord, ShardRecordProcessor } from '../processor/record-processor.js';
import type { ChildShard } from '../retrieval/records-retrieval.js';
import { ShardConsumer } from './shard-consumer.js';
import type { Delivery, ShardConsumerOptions } from './shard-consumer-options.js';
import { ShardEndNotifier } from './shard-end-notifier.js';

const bytes = (text: string) => new TextEncoder().encode(text);
const plain = (sequenceNumber: string): KinesisRecordInput => ({
  partitionKey: 'k',
  data: bytes(sequenceNumber),
  sequenceNumber,
});
const esn = (sequenceNumber: string, subSequenceNumber = 0) => ({ sequenceNumber, subSequenceNumber });
const tick = () => new Promise((resolve) => setTimeout(resolve, 5));

function setup(
  delivery: Delivery,
  lease: Partial<Lease> = {},
  overrides: Partial<ShardConsumerOptions> = {},
) {
  const store = new InMemoryLeaseStore();
  const row = store.put({ leaseKey: 'shard-1', leaseOwner: 'me', leaseCounter: 1, ...lease });
  const renewer = new LeaseRenewer({
    table: store,
    workerId: 'me',
    failoverTimeMs: 60_000,
    renewalIntervalMs: 20_000,
    maxConcurrentRenewals: 1,
    now: Date.now,
    random: () => 0,
    onLeaseLost: () => {},
  });
  const token = renewer.add(row, Date.now());
  const retrievals: FakeRetrieval[] = [];
  const events: string[] = [];
  const children: ChildShard[] = [];
  const consumer = new ShardConsumer({
    shardId: 'shard-1',
    lease: row,
    token,
    store: renewer,
    getLease: (key) => store.getLease(key),
    createChildLeases: async (_parent, created) => {
      children.push(...created);
      return 'created';
    },
    retrieval: (request) => {
      const retrieval = new FakeRetrieval(request);
      retrievals.push(retrieval);
      return retrieval;
    },
    timestamp: undefined,
    hashKeyRange: undefined,
    delivery,
    policy: { maxAttempts: 2, backoff: { baseDelayMs: 1, maxDelayMs: 1 }, deadLetter: false },
    parentShardPollIntervalMs: 10,
    deliverEmptyBatches: false,
    now: Date.now,
    random: () => 0,
    hooks: {
      onCheckpoint: (c) => events.push(`checkpoint ${c.sequenceNumber}/${c.subSequenceNumber}`),
      onFailed: (error) => events.push(`failed ${(error as Error).name}`),
      onShardEnd: (ids) => events.push(`shard-end ${ids.join(',')}`),
      onStarted: (c) => events.push(`started ${c.sequenceNumber}`),
    },
    ...overrides,
  });
  consumer.start();
  const retrieval = async () => {
    for (let i = 0; i < 100 && retrievals.length === 0; i++) await tick();
    return retrievals[0]!;
  };
  return { store, renewer, consumer, retrieval, events, children, row };
}

function handler(
  seen: ConsumerRecord[][],
  behaviour?: (records: readonly ConsumerRecord[]) => Promise<void> | void,
): Delivery {
  return {
    kind: 'handler',
    checkpointIntervalMs: 0,
    handler: async (records) => {
      await behaviour?.(records);
      seen.push([...records]);
    },
  };
}

describe('ShardConsumer', () => {
  it('starts reading AT_SEQUENCE_NUMBER of the checkpoint and delivers only what follows it, deaggregated', async () => {
    const seen: ConsumerRecord[][] = [];
    const { retrieval, store, consumer } = setup(handler(seen), { checkpoint: esn('200', 1) });
    const r = await retrieval();
    expect(r.request.startingPosition).toEqual({ type: 'AT_SEQUENCE_NUMBER', sequenceNumber: '200' });
    const aggregate: KinesisRecordInput = {
      partitionKey: 'a',
      sequenceNumber: '200',
      data: encodeAggregatedRecord(
        [0, 1, 2, 3].map((i) => ({ partitionKey: `u${i}`, data: bytes(`u${i}`) })),
      ),
    };
    r.push([aggregate, plain('300')]);
    await tick();
    expect(seen.flat().map((x) => `${x.sequenceNumber}/${x.subSequenceNumber}`)).toEqual([
      '200/2',
      '200/3',
      '300/0',
    ]);
    expect(store.rows.get('shard-1')?.checkpoint).toEqual(esn('300'));
    await consumer.requestShutdown();
  });

  it('checkpoints each batch after the handler resolves, never before', async () => {
    const seen: ConsumerRecord[][] = [];
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const { retrieval, store, consumer } = setup(handler(seen, () => gate));
    const r = await retrieval();
    r.push([plain('100'), plain('101')]);
    await tick();
    expect(store.rows.get('shard-1')?.checkpoint.sequenceNumber).toBe('TRIM_HORIZON');
    release();
    await tick();
    expect(store.rows.get('shard-1')?.checkpoint).toEqual(esn('101'));
    await consumer.requestShutdown();
  });

  it('on graceful stop lets the batch in delivery finish and checkpoints it, then stops reading', async () => {
    const seen: ConsumerRecord[][] = [];
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const { retrieval, store, consumer } = setup({
      kind: 'handler',
      checkpointIntervalMs: 60_000,
      handler: async (records) => {
        await gate;
        seen.push([...records]);
      },
    });
    const r = await retrieval();
    r.push([plain('100')]);
    await tick();
    const stopped = consumer.requestShutdown();
    r.push([plain('101')]);
    release();
    expect(await stopped).toBe('requested');
    expect(seen.flat().map((x) => x.sequenceNumber)).toEqual(['100']);
    expect(store.rows.get('shard-1')?.checkpoint).toEqual(esn('100'));
    expect(r.closed).toBe(true);
  });

  it('runs the processor lifecycle: initialize with the checkpoint and pending checkpoint, records, shutdownRequested', async () => {
    const calls: string[] = [];
    const processor: ShardRecordProcessor = {
      initialize: (input) =>
        void calls.push(
          `initialize ${input.extendedSequenceNumber.sequenceNumber} pending ${input.pendingCheckpointSequenceNumber?.sequenceNumber}`,
        ),
      processRecords: async (input) => {
        calls.push(
          `process ${input.records.map((r) => r.sequenceNumber).join(',')} behind ${input.millisBehindLatest}`,
        );
        await input.checkpointer.checkpoint();
      },
      leaseLost: () => void calls.push('leaseLost'),
      shardEnded: () => void calls.push('shardEnded'),
      shutdownRequested: async ({ checkpointer }) => {
        calls.push(`shutdownRequested at ${checkpointer.lastCheckpoint().sequenceNumber}`);
      },
    };
    const { retrieval, consumer } = setup(
      { kind: 'processor', processor },
      { checkpoint: esn('50'), pendingCheckpoint: esn('60') },
    );
    const r = await retrieval();
    r.push([plain('70'), plain('80')]);
    await tick();
    expect(await consumer.requestShutdown()).toBe('requested');
    expect(calls).toEqual(['initialize 50 pending 60', 'process 70,80 behind 42', 'shutdownRequested at 80']);
  });

  it('lets a processor on a new shard checkpoint any record it was delivered, and refuses a position before the first', async () => {
    const outcomes: string[] = [];
    const processor: ShardRecordProcessor = {
      processRecords: async ({ records, checkpointer }) => {
        for (const position of ['99', records[0]!, records.at(-1)!, '103']) {
          const label = typeof position === 'string' ? position : position.sequenceNumber;
          const error = await checkpointer.checkpoint(position).catch((e: unknown) => e);
          outcomes.push(`${label} ${error === undefined ? 'ok' : (error as { code: string }).code}`);
        }
      },
    };
    const { retrieval, consumer, store } = setup({ kind: 'processor', processor });
    const r = await retrieval();
    r.push([plain('100'), plain('101'), plain('102')]);
    await tick();
    expect(outcomes).toEqual(['99 INVALID_CHECKPOINT', '100 ok', '102 ok', '103 INVALID_CHECKPOINT']);
    expect(store.rows.get('shard-1')?.checkpoint).toEqual(esn('102'));
    await consumer.requestShutdown();
  });

  it('after a lease loss delivers nothing more and calls leaseLost, and the late checkpoint fails', async () => {
    const calls: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    let checkpointError: unknown;
    const processor: ShardRecordProcessor = {
      processRecords: async (input) => {
        calls.push(`process ${input.records.map((r) => r.sequenceNumber).join(',')}`);
        await gate;
        checkpointError = await input.checkpointer.checkpoint().catch((e: unknown) => e);
      },
      leaseLost: () => void calls.push('leaseLost'),
      shutdownRequested: () => void calls.push('shutdownRequested'),
    };
    const { retrieval, consumer, store } = setup({ kind: 'processor', processor });
    const r = await retrieval();
    r.push([plain('100')]);
    await tick();
    store.put({ ...store.rows.get('shard-1')!, leaseOwner: 'thief', leaseCounter: 7 });
    consumer.leaseLost();
    r.push([plain('101')]);
    release();
    expect(await consumer.done).toBe('lease-lost');
    expect(calls).toEqual(['process 100', 'leaseLost']);
    expect(checkpointError).toMatchObject({ code: 'LEASE_LOST' });
    expect(store.rows.get('shard-1')?.checkpoint.sequenceNumber).toBe('TRIM_HORIZON');
  });

  it('at shard end with a handler creates the child leases and checkpoints SHARD_END with the children', async () => {
    const seen: ConsumerRecord[][] = [];
    const { retrieval, consumer, store, children, events } = setup(handler(seen));
    const r = await retrieval();
    const child = {
      shardId: 'shard-2',
      parentShardIds: ['shard-1'],
      startingHashKey: '0',
      endingHashKey: '9',
    };
    r.push([plain('100')], { childShards: [child] });
    expect(await consumer.done).toBe('shard-end');
    expect(children).toEqual([child]);
    expect(store.rows.get('shard-1')).toMatchObject({
      checkpoint: esn('SHARD_END'),
      childShardIds: ['shard-2'],
    });
    expect(events).toContain('shard-end shard-2');
  });

  it('ends the shard when the processor checkpoints its last record in both processRecords and shardEnded (KCL #211)', async () => {
    const processor: ShardRecordProcessor = {
      processRecords: async ({ records, checkpointer }) => {
        await checkpointer.checkpoint(records.at(-1)!);
      },
      shardEnded: async ({ checkpointer }) => {
        await checkpointer.checkpoint('100');
      },
    };
    const { retrieval, consumer, store } = setup({ kind: 'processor', processor });
    const r = await retrieval();
    r.push([plain('100')], { childShards: [] });
    expect(await consumer.done).toBe('shard-end');
    expect(store.rows.get('shard-1')?.checkpoint).toEqual(esn('SHARD_END'));
  });

  it('retries shardEnded that does not checkpoint, then stops the shard with SHARD_END_NOT_CHECKPOINTED', async () => {
    const errors: unknown[] = [];
    const processor: ShardRecordProcessor = { processRecords: () => {}, shardEnded: () => {} };
    const { retrieval, consumer, store } = setup(
      { kind: 'processor', processor },
      {},
      {
        hooks: { onProcessingError: (error) => errors.push(error) },
      },
    );
    const r = await retrieval();
    r.push([plain('100')], { childShards: [] });
    expect(await consumer.done).toBe('failed');
    expect(errors).toHaveLength(2);
    expect(errors[0]).toMatchObject({ code: 'SHARD_END_NOT_CHECKPOINTED' });
    expect(store.rows.get('shard-1')?.checkpoint.sequenceNumber).toBe('TRIM_HORIZON');
  });

  it('stops the shard without checkpointing past a batch the handler keeps failing on', async () => {
    let calls = 0;
    const { retrieval, consumer, store, events } = setup({
      kind: 'handler',
      checkpointIntervalMs: 0,
      handler: async () => {
        calls++;
        throw new Error('boom');
      },
    });
    const r = await retrieval();
    r.push([plain('100')]);
    r.push([plain('101')]);
    expect(await consumer.done).toBe('failed');
    expect(calls).toBe(2);
    expect(consumer.state).toBe('failed');
    expect(events).toContain('failed RecordProcessingError');
    expect(store.rows.get('shard-1')?.checkpoint.sequenceNumber).toBe('TRIM_HORIZON');
  });

  it('hands a poison record to the dead-letter hook and checkpoints past it', async () => {
    const poisoned: string[] = [];
    const delivered: string[] = [];
    const { retrieval, consumer, store } = setup(
      {
        kind: 'handler',
        checkpointIntervalMs: 0,
        handler: async (records) => {
          if (records.some((x) => x.sequenceNumber === '101')) throw new Error('poison');
          delivered.push(...records.map((x) => x.sequenceNumber));
        },
      },
      {},
      {
        policy: { maxAttempts: 2, backoff: { baseDelayMs: 1, maxDelayMs: 1 }, deadLetter: true },
        hooks: { onPoisonRecord: (record) => void poisoned.push(record.sequenceNumber) },
      },
    );
    const r = await retrieval();
    r.push([plain('100'), plain('101'), plain('102')]);
    for (let i = 0; i < 20 && store.rows.get('shard-1')?.checkpoint.sequenceNumber !== '102'; i++)
      await tick();
    expect(poisoned).toEqual(['101']);
    expect(delivered).toEqual(['100', '102']);
    expect(store.rows.get('shard-1')?.checkpoint).toEqual(esn('102'));
    await consumer.requestShutdown();
  });

  it('on a partial failure checkpoints just before the first failed record and retries from it (SC-35)', async () => {
    const calls: string[][] = [];
    const { retrieval, consumer, store, events } = setup({
      kind: 'handler',
      checkpointIntervalMs: 0,
      handler: async (records) => {
        calls.push(records.map((x) => x.sequenceNumber));
        const bad = records.find((x) => x.sequenceNumber === '102');
        if (bad) throw new PartialBatchFailureError([{ record: bad, error: new Error('bad 102') }]);
      },
    });
    const r = await retrieval();
    r.push([plain('100'), plain('101'), plain('102'), plain('103')]);
    expect(await consumer.done).toBe('failed');
    expect(calls).toEqual([
      ['100', '101', '102', '103'],
      ['102', '103'],
    ]);
    expect(store.rows.get('shard-1')?.checkpoint).toEqual(esn('101'));
    expect(events).toContain('checkpoint 101/0');
  });

  it('with a poison handler, checkpoints past the failed record of a partial failure and goes on after it', async () => {
    const calls: string[][] = [];
    const poisoned: string[] = [];
    const { retrieval, consumer, store } = setup(
      {
        kind: 'handler',
        checkpointIntervalMs: 0,
        handler: async (records) => {
          calls.push(records.map((x) => x.sequenceNumber));
          const bad = records.find((x) => x.sequenceNumber === '101');
          if (bad) throw new PartialBatchFailureError([{ record: bad, error: 'bad 101' }]);
        },
      },
      {},
      {
        policy: { maxAttempts: 2, backoff: { baseDelayMs: 1, maxDelayMs: 1 }, deadLetter: true },
        hooks: { onPoisonRecord: (record) => void poisoned.push(record.sequenceNumber) },
      },
    );
    const r = await retrieval();
    r.push([plain('100'), plain('101'), plain('102')]);
    for (let i = 0; i < 40 && store.rows.get('shard-1')?.checkpoint.sequenceNumber !== '102'; i++)
      await tick();
    expect(calls).toEqual([['100', '101', '102'], ['101', '102'], ['102']]);
    expect(poisoned).toEqual(['101']);
    expect(store.rows.get('shard-1')?.checkpoint).toEqual(esn('102'));
    await consumer.requestShutdown();
  });

  it('leaves checkpoints to the processor on a partial failure, but retries from the failed record', async () => {
    const calls: string[][] = [];
    const { retrieval, consumer, store } = setup({
      kind: 'processor',
      processor: {
        processRecords: async ({ records }) => {
          calls.push(records.map((x) => x.sequenceNumber));
          const bad = records.find((x) => x.sequenceNumber === '101');
          if (bad && calls.length === 1) throw new PartialBatchFailureError([{ record: bad, error: 'x' }]);
        },
      },
    });
    const r = await retrieval();
    r.push([plain('100'), plain('101')]);
    for (let i = 0; i < 40 && calls.length < 2; i++) await tick();
    expect(calls).toEqual([['100', '101'], ['101']]);
    expect(store.rows.get('shard-1')?.checkpoint.sequenceNumber).toBe('TRIM_HORIZON');
    await consumer.requestShutdown();
  });

  it('waits for a parent shard to reach SHARD_END before reading a child', async () => {
    const seen: ConsumerRecord[][] = [];
    const { consumer, store, retrieval } = setup(handler(seen), { parentShardIds: ['shard-0'] });
    store.put({ leaseKey: 'shard-0', leaseOwner: 'other', checkpoint: esn('5') });
    await tick();
    await tick();
    expect(consumer.state).toBe('waiting-on-parents');
    store.put({ leaseKey: 'shard-0', leaseOwner: 'other', checkpoint: esn('SHARD_END') });
    const r = await retrieval();
    expect(r.request.startingPosition).toEqual({ type: 'TRIM_HORIZON' });
    expect(consumer.state).toBe('processing');
    await consumer.requestShutdown();
  });

  it('makes no lifecycle call when stopped while waiting for a parent, before initialize', async () => {
    const calls: string[] = [];
    const processor: ShardRecordProcessor = {
      initialize: () => void calls.push('initialize'),
      processRecords: () => {},
      shutdownRequested: () => void calls.push('shutdownRequested'),
      leaseLost: () => void calls.push('leaseLost'),
    };
    const { consumer, store } = setup({ kind: 'processor', processor }, { parentShardIds: ['shard-0'] });
    store.put({ leaseKey: 'shard-0', leaseOwner: 'other', checkpoint: esn('5') });
    await tick();
    expect(await consumer.requestShutdown()).toBe('requested');
    expect(calls).toEqual([]);
  });

  it('does not wait for a parent whose lease no longer exists', async () => {
    const { consumer, retrieval } = setup(handler([]), { parentShardIds: ['shard-gone'] });
    await retrieval();
    expect(consumer.state).toBe('processing');
    await consumer.requestShutdown();
  });

  it('ends at once, reading nothing, when the lease is already at SHARD_END', async () => {
    const calls: string[] = [];
    const { consumer } = setup(
      {
        kind: 'processor',
        processor: { processRecords: () => {}, shardEnded: () => void calls.push('shardEnded') },
      },
      { checkpoint: esn('SHARD_END') },
    );
    expect(await consumer.done).toBe('shard-end');
    expect(calls).toEqual([]);
  });

  it('wakes a waiting child as soon as its parent ends on this worker, without waiting for the next poll', async () => {
    const notifier = new ShardEndNotifier();
    const { consumer, store, retrieval } = setup(
      handler([]),
      { parentShardIds: ['shard-0'] },
      {
        parentShardPollIntervalMs: 60_000,
        waitForParents: (ids, timeoutMs, signal) => notifier.wait(ids, timeoutMs, signal),
      },
    );
    store.put({ leaseKey: 'shard-0', leaseOwner: 'me', checkpoint: esn('5') });
    await tick();
    expect(consumer.state).toBe('waiting-on-parents');
    store.put({ leaseKey: 'shard-0', leaseOwner: 'me', checkpoint: esn('SHARD_END') });
    notifier.notify('shard-0');
    // The next poll is 60 s away, past the test's timeout: only the wake-up can start the child.
    await retrieval();
    expect(consumer.state).not.toBe('waiting-on-parents');
    await consumer.requestShutdown();
  });

  it('at the end of a merge parent whose sibling has no lease yet, keeps the lease and retries the child leases until allowed', async () => {
    const outcomes: ('created' | 'blocked')[] = ['blocked', 'blocked', 'created'];
    const attempts: string[][] = [];
    const { retrieval, consumer, store, events } = setup(
      handler([]),
      {},
      {
        createChildLeases: async (_parent, children) => {
          attempts.push(children.map((c) => c.shardId));
          return outcomes.shift()!;
        },
      },
    );
    const r = await retrieval();
    const merged = {
      shardId: 'shard-9',
      parentShardIds: ['shard-1', 'shard-2'],
      startingHashKey: '0',
      endingHashKey: '9',
    };
    r.push([plain('100')], { childShards: [merged] });
    expect(await consumer.done).toBe('shard-end');
    expect(attempts).toEqual([['shard-9'], ['shard-9'], ['shard-9']]);
    expect(store.rows.get('shard-1')?.checkpoint).toEqual(esn('SHARD_END'));
    expect(events.filter((e) => e.startsWith('failed'))).toEqual([]);
  });

  it('is woken by a parent that ends on this worker while the child is reading the parent lease', async () => {
    const notifier = new ShardEndNotifier();
    let reads = 0;
    const parent = (checkpoint: string): Lease => ({
      leaseKey: 'shard-0',
      leaseCounter: 1,
      checkpoint: esn(checkpoint),
      ownerSwitchesSinceCheckpoint: 0,
      parentShardIds: [],
      childShardIds: [],
    });
    const { consumer, retrieval } = setup(
      handler([]),
      { parentShardIds: ['shard-0'] },
      {
        parentShardPollIntervalMs: 60_000,
        waitForParents: (ids, timeoutMs, signal) => notifier.wait(ids, timeoutMs, signal),
        // The first read returns the parent before its end, which happens (and is notified) meanwhile.
        getLease: async () => {
          reads++;
          if (reads > 1) return parent('SHARD_END');
          notifier.notify('shard-0');
          return parent('5');
        },
      },
    );
    // The next poll is 60 s away, past the test's timeout: only the wake-up can start the child.
    await retrieval();
    expect(reads).toBe(2);
    await consumer.requestShutdown();
  });
});
