import {
  GetRecordsCommand,
  GetShardIteratorCommand,
  KinesisClient,
  SubscribeToShardCommand,
  type SubscribeToShardEventStream,
} from '@aws-sdk/client-kinesis';
import type { ExtendedSequenceNumber } from '@kinesis-ts/core';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { awsError } from '../../test/in-memory-lease-store.js';
import type { ConsumerEventName, ConsumerEvents } from '../consumer-events.js';
import { MetricsRecorder } from '../consumer-metrics.js';
import type { Lease } from '../leases/lease.js';
import type { ShardConsumer } from '../lifecycle/shard-consumer.js';
import { ShardEndNotifier } from '../lifecycle/shard-end-notifier.js';
import { DEFAULT_CONSUMER_OPTIONS } from '../options.js';
import type { ConsumerRecord } from '../processor/record-processor.js';
import {
  type EmitConsumerEvent,
  ShardConsumerFactory,
  type ShardConsumerFactoryConfig,
  type ShardConsumerFactoryOptions,
} from './shard-consumer-factory.js';

const kinesis = mockClient(KinesisClient);
const client = new KinesisClient({ region: 'us-east-1' });
const SHARD = 'shardId-000000000000';
const CONSUMER_ARN = 'arn:aws:kinesis:us-east-1:1:stream/orders/consumer/orders-app:1';
const encoder = new TextEncoder();

const lease: Lease = {
  leaseKey: SHARD,
  leaseOwner: 'worker-1',
  leaseCounter: 3,
  checkpoint: { sequenceNumber: 'TRIM_HORIZON', subSequenceNumber: 0 },
  ownerSwitchesSinceCheckpoint: 0,
  parentShardIds: [],
  childShardIds: [],
};

const record = (sequenceNumber: string, data: string) => ({
  SequenceNumber: sequenceNumber,
  PartitionKey: 'k',
  Data: encoder.encode(data),
});

function config(overrides: Partial<ShardConsumerFactoryConfig> = {}): ShardConsumerFactoryConfig {
  const d = DEFAULT_CONSUMER_OPTIONS;
  return {
    stream: { streamName: 'orders' },
    kinesisClient: client,
    handler: async () => {},
    processor: undefined,
    checkpointIntervalMs: 0,
    initialPosition: 'TRIM_HORIZON',
    maxProcessingAttempts: 3,
    processingBackoff: d.processingBackoff,
    onPoisonRecord: undefined,
    parentShardPollIntervalMs: d.parentShardPollIntervalMs,
    deliverEmptyBatches: false,
    stalledShardWarningMs: 0,
    processingTimeoutMs: 0,
    retrieval: { mode: 'polling' },
    maxRecordsPerFetch: 100,
    idleTimeBetweenReadsMs: 200,
    maxPrefetchBatches: 1,
    maxPrefetchRecords: 1_000,
    maxPrefetchBytes: 1_000_000,
    kinesisRequestTimeoutMs: 30_000,
    retrievalBackoff: { baseDelayMs: 100, maxDelayMs: 1_000 },
    now: () => Date.now(),
    random: () => 0,
    ...overrides,
  };
}

/** A factory over fakes; it records the events emitted and the checkpoints written. */
function factory(
  overrides: Partial<ShardConsumerFactoryConfig> = {},
  options: Partial<ShardConsumerFactoryOptions> = {},
) {
  const events: { event: ConsumerEventName; payload: unknown }[] = [];
  const checkpoints: ExtendedSequenceNumber[] = [];
  const recorder = new MetricsRecorder();
  const emit: EmitConsumerEvent = <E extends ConsumerEventName>(event: E, payload: ConsumerEvents[E]) => {
    events.push({ event, payload });
  };
  let current = lease;
  const instance = new ShardConsumerFactory({
    config: config(overrides),
    leases: {
      getLease: () => current,
      checkpoint: async (_leaseKey, _token, update) => {
        checkpoints.push(update.checkpoint);
        current = { ...current, checkpoint: update.checkpoint, leaseCounter: current.leaseCounter + 1 };
        return current;
      },
      prepareCheckpoint: async () => current,
      verify: async () => true,
    },
    getLease: async () => undefined,
    createChildLeases: async () => 'created',
    shardEnds: new ShardEndNotifier(),
    shard: () => undefined,
    shardStatus: () => async () => 'open',
    consumerArn: () => CONSUMER_ARN,
    recorder,
    emit,
    ...options,
  });
  const named = (name: ConsumerEventName) => events.filter((e) => e.event === name).map((e) => e.payload);
  return { instance, events, named, checkpoints, recorder };
}

const started: ShardConsumer[] = [];

beforeEach(() => {
  kinesis.reset();
  kinesis.on(GetShardIteratorCommand).resolves({ ShardIterator: 'it-0' });
});

afterEach(async () => {
  for (const consumer of started.splice(0)) await consumer.requestShutdown();
});

describe('ShardConsumerFactory', () => {
  it("turns a polled shard's batches into figures and events, and checkpoints each batch (handler path)", async () => {
    kinesis
      .on(GetRecordsCommand)
      .resolvesOnce({
        Records: [record('100', 'abc'), record('101', 'de')],
        NextShardIterator: 'it-1',
        MillisBehindLatest: 1_500,
      })
      .resolves({ Records: [], NextShardIterator: 'it-2', MillisBehindLatest: 0 });
    const seen: ConsumerRecord[] = [];
    const f = factory({ handler: async (records) => void seen.push(...records) });

    const built = f.instance.create(lease, 'token-1')!;
    started.push(built.consumer);
    built.consumer.start();
    await vi.waitFor(() => expect(f.checkpoints).toHaveLength(1));

    expect(seen.map((r) => r.sequenceNumber)).toEqual(['100', '101']);
    expect(f.checkpoints[0]).toEqual({ sequenceNumber: '101', subSequenceNumber: 0 });
    expect(built.metrics).toMatchObject({
      shardId: SHARD,
      state: 'processing',
      RecordsProcessed: 2,
      DataBytesProcessed: 5,
      checkpoint: { sequenceNumber: '101', subSequenceNumber: 0 },
    });
    expect(built.metrics.GetRecordsCalls).toBeGreaterThanOrEqual(1);
    expect(f.recorder.recordsProcessed).toBe(2);
    expect(f.recorder.checkpoints).toBe(1);
    expect(f.named('shard:started')).toEqual([{ shardId: SHARD, checkpoint: lease.checkpoint }]);
    expect(f.named('batch:processed')[0]).toEqual({
      shardId: SHARD,
      records: 2,
      bytes: 5,
      millisBehindLatest: 1_500,
    });
    expect(f.named('checkpoint')).toEqual([
      { shardId: SHARD, checkpoint: { sequenceNumber: '101', subSequenceNumber: 0 } },
    ]);
  });

  it('counts throttled GetRecords calls and reports them as retrieval errors', async () => {
    kinesis
      .on(GetRecordsCommand)
      .rejectsOnce(awsError('ProvisionedThroughputExceededException'))
      .resolves({ Records: [record('100', 'a')], NextShardIterator: 'it-1', MillisBehindLatest: 0 });
    const f = factory();

    const built = f.instance.create(lease, 'token-1')!;
    started.push(built.consumer);
    built.consumer.start();
    await vi.waitFor(() => expect(built.metrics.RecordsProcessed).toBe(1));

    expect(built.metrics.ThrottledCalls).toBe(1);
    expect(built.metrics.RetrievalErrors).toBe(0);
    expect(f.named('retrieval:error')).toEqual([
      {
        shardId: SHARD,
        operation: 'GetRecords',
        error: expect.objectContaining({ name: 'ProvisionedThroughputExceededException' }),
      },
    ]);
  });

  it('subscribes with the registered consumer ARN in fan-out mode and counts the subscriptions', async () => {
    const subscribes: SubscribeToShardCommand['input'][] = [];
    const subscribeClient = {
      async send(command: unknown, options?: { abortSignal?: AbortSignal }) {
        if (!(command instanceof SubscribeToShardCommand)) throw new Error('unexpected command');
        subscribes.push(command.input);
        const signal = options?.abortSignal;
        async function* stream(): AsyncGenerator<SubscribeToShardEventStream> {
          yield {
            SubscribeToShardEvent: {
              Records: [{ ...record('100', 'abc'), ApproximateArrivalTimestamp: new Date(0) }],
              ContinuationSequenceNumber: '100',
              MillisBehindLatest: 250,
            },
          };
          await new Promise((_, reject) => signal?.addEventListener('abort', () => reject(signal.reason)));
        }
        return { EventStream: stream() };
      },
    } as unknown as KinesisClient;
    const f = factory({
      retrieval: {
        mode: 'fan-out',
        consumerName: 'orders-app',
        consumerArn: undefined,
        subscribeClient,
        consumerRegistrationTimeoutMs: 60_000,
        subscriptionIdleTimeoutMs: 30_000,
        shardEndCheckAfterMs: 0,
      },
    });

    const built = f.instance.create(lease, 'token-1')!;
    started.push(built.consumer);
    built.consumer.start();
    await vi.waitFor(() => expect(built.metrics.RecordsProcessed).toBe(1));

    expect(subscribes[0]).toMatchObject({
      ConsumerARN: CONSUMER_ARN,
      ShardId: SHARD,
      StartingPosition: { Type: 'TRIM_HORIZON' },
    });
    expect(built.metrics.SubscribeToShardCalls).toBe(1);
    expect(built.metrics.MillisBehindLatest).toBe(250);
    expect(f.named('subscription:started')).toHaveLength(1);
    expect(kinesis.commandCalls(GetRecordsCommand)).toHaveLength(0);
  });

  it('reports a processor factory that throws as shard:failed and builds nothing', () => {
    const error = new Error('no processor for you');
    const f = factory({
      handler: undefined,
      processor: () => {
        throw error;
      },
    });

    expect(f.instance.create(lease, 'token-1')).toBeUndefined();
    expect(f.named('shard:failed')).toEqual([{ shardId: SHARD, error }]);
    expect(f.recorder.snapshot({} as never, 0).shards).toEqual({});
  });
});
