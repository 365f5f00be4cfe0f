import type { KinesisRecordInput } from '@kinesis-ts/core';
import { describe, expect, it } from 'vitest';
import { FakeRetrieval } from '../../test/fake-retrieval.js';
import { InMemoryLeaseStore } from '../../test/in-memory-lease-store.js';
import type { Lease } from '../leases/lease.js';
import { LeaseRenewer } from '../leases/lease-renewer.js';
import type { ShardRecordProcessor } from '../processor/record-processor.js';
import { ShardConsumer } from './shard-consumer.js';
import type { Delivery } from './shard-consumer-options.js';
import {
  INITIAL_SHARD_CONSUMER_STATE,
  isValidShardConsumerTransition,
  SHARD_CONSUMER_TRANSITIONS,
  type ShardConsumerState,
  type ShardShutdownReason,
} from './shard-consumer-states.js';

const tick = () => new Promise((resolve) => setTimeout(resolve, 5));
const record = (sequenceNumber: string): KinesisRecordInput => ({
  partitionKey: 'k',
  data: new TextEncoder().encode(sequenceNumber),
  sequenceNumber,
});
const handler: Delivery = { kind: 'handler', checkpointIntervalMs: 0, handler: async () => {} };
const failing: Delivery = {
  kind: 'handler',
  checkpointIntervalMs: 0,
  handler: async () => {
    throw new Error('handler failed');
  },
};

/** A shard consumer whose every state change is recorded (the first entry is its initial state). */
function run(
  delivery: Delivery,
  lease: Partial<Lease> = {},
  parents: Lease[] = [],
  start = true,
  createChildLeases: () => Promise<'created' | 'blocked'> = async () => 'created',
) {
  const store = new InMemoryLeaseStore();
  for (const parent of parents) store.put(parent);
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
  const states: ShardConsumerState[] = [];
  const consumer = new ShardConsumer({
    shardId: 'shard-1',
    lease: row,
    token,
    store: renewer,
    getLease: (key) => store.getLease(key),
    createChildLeases,
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
    hooks: { onStateChange: (state) => states.push(state) },
  });
  states.push(consumer.state);
  if (start) consumer.start();
  const retrieval = async () => {
    for (let i = 0; i < 100 && retrievals.length === 0; i++) await tick();
    return retrievals[0]!;
  };
  return { consumer, states, retrieval };
}

/** The transitions a list of states went through. */
function transitions(states: readonly ShardConsumerState[]): [ShardConsumerState, ShardConsumerState][] {
  return states.slice(1).map((to, i) => [states[i]!, to]);
}

/** Every transition seen by the tests below, to check that they cover the whole table. */
const seen = new Set<string>();

function expectValid(
  states: readonly ShardConsumerState[],
  reason: ShardShutdownReason,
  expected: ShardShutdownReason,
) {
  expect(reason).toBe(expected);
  expect(states[0]).toBe(INITIAL_SHARD_CONSUMER_STATE);
  for (const [from, to] of transitions(states)) {
    expect(isValidShardConsumerTransition(from, to), `${from} → ${to}`).toBe(true);
    seen.add(`${from} → ${to}`);
  }
}

describe('the shard consumer state machine', () => {
  it('goes waiting-on-parents → initializing → processing → shutting-down → shutdown-complete on a stop', async () => {
    const { consumer, states, retrieval } = run(handler);
    (await retrieval()).push([record('100')]);
    await tick();
    const reason = await consumer.requestShutdown();
    expectValid(states, reason, 'requested');
    expect(states).toEqual([
      'waiting-on-parents',
      'initializing',
      'processing',
      'shutting-down',
      'shutdown-complete',
    ]);
  });

  it('goes processing → shutting-down → shutdown-complete at a shard end', async () => {
    const { consumer, states, retrieval } = run(handler);
    (await retrieval()).push([record('100')], { childShards: [] });
    const reason = await consumer.done;
    expectValid(states, reason, 'shard-end');
    expect(states.slice(-3)).toEqual(['processing', 'shutting-down', 'shutdown-complete']);
  });

  it("goes shutting-down → failed at a shard end whose children's leases cannot be created", async () => {
    const { consumer, states, retrieval } = run(handler, {}, [], true, async () => {
      throw new Error('CreateLease failed');
    });
    (await retrieval()).push([record('100')], {
      childShards: [
        { shardId: 'shard-2', parentShardIds: ['shard-1'], startingHashKey: '0', endingHashKey: '9' },
      ],
    });
    const reason = await consumer.done;
    expectValid(states, reason, 'failed');
    expect(states.slice(-3)).toEqual(['processing', 'shutting-down', 'failed']);
  });

  it('goes processing → failed when processing keeps failing', async () => {
    const { consumer, states, retrieval } = run(failing);
    (await retrieval()).push([record('100')]);
    const reason = await consumer.done;
    expectValid(states, reason, 'failed');
    expect(states.slice(-2)).toEqual(['processing', 'failed']);
  });

  it('goes initializing → failed when initialize keeps failing', async () => {
    const processor: ShardRecordProcessor = {
      initialize: () => {
        throw new Error('initialize failed');
      },
      processRecords: () => {},
    };
    const { consumer, states } = run({ kind: 'processor', processor });
    const reason = await consumer.done;
    expectValid(states, reason, 'failed');
    expect(states.slice(-2)).toEqual(['initializing', 'failed']);
  });

  it('goes initializing → shutdown-complete for a lease already at SHARD_END', async () => {
    const { consumer, states } = run(handler, {
      checkpoint: { sequenceNumber: 'SHARD_END', subSequenceNumber: 0 },
    });
    const reason = await consumer.done;
    expectValid(states, reason, 'shard-end');
    expect(states).toEqual(['waiting-on-parents', 'initializing', 'shutdown-complete']);
  });

  it('goes initializing → shutting-down when the lease is lost during initialize', async () => {
    let consumerRef: ShardConsumer | undefined;
    const processor: ShardRecordProcessor = {
      initialize: () => {
        consumerRef?.leaseLost();
        throw new Error('initialize failed once the lease was lost');
      },
      processRecords: () => {},
    };
    const { consumer, states } = run({ kind: 'processor', processor });
    consumerRef = consumer;
    const reason = await consumer.done;
    expectValid(states, reason, 'lease-lost');
    expect(states.slice(-3)).toEqual(['initializing', 'shutting-down', 'shutdown-complete']);
  });

  it('goes waiting-on-parents → shutting-down when stopped while a parent is unfinished', async () => {
    const parent: Lease = {
      leaseKey: 'shard-0',
      leaseCounter: 1,
      checkpoint: { sequenceNumber: '100', subSequenceNumber: 0 },
      ownerSwitchesSinceCheckpoint: 0,
      parentShardIds: [],
      childShardIds: [],
    };
    const { consumer, states } = run(handler, { parentShardIds: ['shard-0'] }, [parent]);
    await tick();
    expect(consumer.state).toBe('waiting-on-parents');
    const reason = await consumer.requestShutdown();
    expectValid(states, reason, 'requested');
    expect(states).toEqual(['waiting-on-parents', 'shutting-down', 'shutdown-complete']);
  });

  it('goes waiting-on-parents → shutdown-complete when stopped before it started', async () => {
    const { consumer, states } = run(handler, {}, [], false);
    const reason = await consumer.requestShutdown();
    expectValid(states, reason, 'requested');
    expect(states).toEqual(['waiting-on-parents', 'shutdown-complete']);
  });

  it('has no way out of its terminal states, and every listed transition was seen above', () => {
    for (const to of Object.keys(SHARD_CONSUMER_TRANSITIONS) as ShardConsumerState[]) {
      expect(isValidShardConsumerTransition('shutdown-complete', to)).toBe(false);
      expect(isValidShardConsumerTransition('failed', to)).toBe(false);
    }
    const listed = Object.entries(SHARD_CONSUMER_TRANSITIONS).flatMap(([from, tos]) =>
      tos.map((to) => `${from} → ${to}`),
    );
    expect(listed.filter((transition) => !seen.has(transition))).toEqual([]);
  });
});
