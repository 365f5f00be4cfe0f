import type { KinesisRecordInput, Logger } from '@kinesis-ts/core';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { FakeRetrieval } from '../../test/fake-retrieval.js';
import { InMemoryLeaseStore } from '../../test/in-memory-lease-store.js';
import { LeaseRenewer } from '../leases/lease-renewer.js';
import type {
  ConsumerRecord,
  HandlerContext,
  RecordHandler,
  ShardRecordProcessor,
} from '../processor/record-processor.js';
import { ShardConsumer } from './shard-consumer.js';
import type { Delivery, ShardConsumerOptions } from './shard-consumer-options.js';
import type { StallReport } from './stall-watch.js';

const plain = (sequenceNumber: string): KinesisRecordInput => ({
  partitionKey: 'k',
  data: new TextEncoder().encode(sequenceNumber),
  sequenceNumber,
});
const sequenceNumbers = (records: readonly ConsumerRecord[]) => records.map((r) => r.sequenceNumber);

/** Resolves when `signal` aborts, never otherwise. */
const aborted = (signal: AbortSignal) =>
  new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));

function setup(delivery: Delivery, overrides: Partial<ShardConsumerOptions> = {}) {
  const store = new InMemoryLeaseStore();
  const row = store.put({ leaseKey: 'shard-1', leaseOwner: 'me', leaseCounter: 1 });
  const renewer = new LeaseRenewer({
    table: store,
    workerId: 'me',
    failoverTimeMs: 600_000,
    renewalIntervalMs: 200_000,
    maxConcurrentRenewals: 1,
    now: Date.now,
    random: () => 0,
    onLeaseLost: () => {},
  });
  const token = renewer.add(row, Date.now());
  const retrievals: FakeRetrieval[] = [];
  const stalls: StallReport[] = [];
  const progress: number[] = [];
  const errors: { error: unknown; attempt: number; willRetry: boolean }[] = [];
  const poisoned: { record: string; error: unknown; attempts: number }[] = [];
  const warnings: { message: string; context?: object }[] = [];
  const logger: Logger = {
    debug: () => {},
    info: () => {},
    warn: (message, context) => void warnings.push({ message, context }),
    error: () => {},
  };
  const consumer = new ShardConsumer({
    shardId: 'shard-1',
    lease: row,
    token,
    store: renewer,
    getLease: (key) => store.getLease(key),
    createChildLeases: async () => 'created',
    retrieval: (request) => {
      const retrieval = new FakeRetrieval(request);
      retrievals.push(retrieval);
      return retrieval;
    },
    timestamp: undefined,
    hashKeyRange: undefined,
    delivery,
    policy: { maxAttempts: 2, backoff: { baseDelayMs: 1, maxDelayMs: 1 }, deadLetter: true },
    parentShardPollIntervalMs: 10,
    deliverEmptyBatches: false,
    stalledShardWarningMs: 60_000,
    now: Date.now,
    random: () => 0,
    logger,
    hooks: {
      onStalled: (report) => stalls.push(report),
      onProgress: (atMs) => progress.push(atMs),
      onProcessingError: (error, attempt, willRetry) => errors.push({ error, attempt, willRetry }),
      onPoisonRecord: (record, error, attempts) =>
        void poisoned.push({ record: record.sequenceNumber, error, attempts }),
    },
    ...overrides,
  });
  consumer.start();
  const retrieval = async () => {
    for (let i = 0; i < 100 && retrievals.length === 0; i++) await vi.advanceTimersByTimeAsync(0);
    return retrievals[0]!;
  };
  return { store, consumer, retrieval, stalls, progress, errors, poisoned, warnings };
}

const handlerDelivery = (handler: RecordHandler): Delivery => ({
  kind: 'handler',
  checkpointIntervalMs: 0,
  handler,
});

describe('ShardConsumer stall reports and processing timeout', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 1_000_000 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('reports a handler that never resolves as stalled after stalledShardWarningMs, not before, then at each multiple', async () => {
    const { consumer, retrieval, stalls, progress, warnings } = setup(
      handlerDelivery(() => new Promise<void>(() => {})),
    );
    const r = await retrieval();
    const startedAt = Date.now();
    expect(progress).toEqual([startedAt]); // processing began
    r.push([plain('100'), plain('101')]);
    await vi.advanceTimersByTimeAsync(59_999);
    expect(stalls).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(stalls).toEqual([
      { records: 2, firstSequenceNumber: '100', attempt: 1, stalledForMs: 60_000, timedOut: false },
    ]);
    expect(warnings).toEqual([
      {
        message: 'Shard stalled: a batch in delivery has made no progress',
        context: expect.objectContaining({ shardId: 'shard-1', stalledForMs: 60_000, records: 2 }),
      },
    ]);
    await vi.advanceTimersByTimeAsync(59_999);
    expect(stalls).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(stalls.map((s) => s.stalledForMs)).toEqual([60_000, 120_000]);
    expect(progress).toEqual([startedAt]); // nothing progressed since
    expect(consumer.state).toBe('processing');
  });

  it('never reports a slow shard that keeps completing batches, nor one whose long batch checkpoints as it goes', async () => {
    const seen: string[] = [];
    const { consumer, retrieval, stalls, store } = setup(
      handlerDelivery(async (records, context) => {
        for (const record of records) {
          await new Promise((resolve) => setTimeout(resolve, 45_000)); // each record takes 45 s
          seen.push(record.sequenceNumber);
          await context.checkpointer.checkpoint(record);
        }
      }),
    );
    const r = await retrieval();
    r.push([plain('100')]);
    r.push([plain('101')]);
    r.push([plain('102')]);
    r.push([plain('103'), plain('104'), plain('105'), plain('106')]); // 180 s in one batch
    await vi.advanceTimersByTimeAsync(7 * 45_000 + 1);
    expect(seen).toEqual(['100', '101', '102', '103', '104', '105', '106']);
    expect(store.rows.get('shard-1')?.checkpoint.sequenceNumber).toBe('106');
    // Idle now (no batch in delivery): waiting for records is not a stall either.
    await vi.advanceTimersByTimeAsync(300_000);
    expect(stalls).toEqual([]);
    expect(consumer.state).toBe('processing');
  });

  it('with stalledShardWarningMs 0 reports nothing', async () => {
    const { retrieval, stalls } = setup(
      handlerDelivery(() => new Promise<void>(() => {})),
      { stalledShardWarningMs: 0 },
    );
    (await retrieval()).push([plain('100')]);
    await vi.advanceTimersByTimeAsync(600_000);
    expect(stalls).toEqual([]);
  });

  it('processingTimeoutMs aborts the signal and fails the try with PROCESSING_TIMEOUT; retried, then dead-lettered, and the rest is delivered', async () => {
    const done: string[] = [];
    const reasons: unknown[] = [];
    const { retrieval, errors, poisoned, store } = setup(
      handlerDelivery(async (records, context: HandlerContext) => {
        if (records.some((r) => r.sequenceNumber === '101')) {
          await aborted(context.signal); // hangs on 101 until its signal aborts, then gives up
          reasons.push(context.signal.reason);
          throw context.signal.reason;
        }
        done.push(...sequenceNumbers(records));
      }),
      { processingTimeoutMs: 10_000 },
    );
    const r = await retrieval();
    r.push([plain('100'), plain('101'), plain('102')]);
    await vi.advanceTimersByTimeAsync(9_999);
    expect(errors).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ attempt: 1, willRetry: true });
    expect(errors[0]!.error).toMatchObject({
      name: 'ProcessingTimeoutError',
      code: 'PROCESSING_TIMEOUT',
      retryable: true,
      timeoutMs: 10_000,
      records: 3,
      sequenceNumber: '100',
    });
    expect(reasons[0]).toBe(errors[0]!.error); // the signal's reason is the same error
    // 2 tries of the batch, then isolated: 100 alone passes, 101 alone times out twice.
    await vi.advanceTimersByTimeAsync(60_000);
    expect(poisoned).toEqual([
      { record: '101', error: expect.objectContaining({ code: 'PROCESSING_TIMEOUT' }), attempts: 4 },
    ]);
    expect(done).toEqual(['100', '102']);
    expect(errors.map((e) => (e.error as { code: string }).code)).toEqual(
      Array(4).fill('PROCESSING_TIMEOUT'),
    );
    expect(store.rows.get('shard-1')?.checkpoint.sequenceNumber).toBe('102');
    r.push([plain('103')]);
    await vi.advanceTimersByTimeAsync(0);
    expect(done).toEqual(['100', '102', '103']);
  });

  it('never runs a second try beside a timed-out one that ignores its signal: it waits, reports stalled (timedOut), then retries', async () => {
    let running = 0;
    let mostRunning = 0;
    const calls: number[] = [];
    let release!: () => void;
    const { retrieval, stalls, errors, warnings, store } = setup(
      handlerDelivery(async (_records, context) => {
        calls.push(context.attempt);
        running++;
        mostRunning = Math.max(mostRunning, running);
        try {
          if (context.attempt === 1) await new Promise<void>((resolve) => (release = resolve)); // deaf to its signal
        } finally {
          running--;
        }
      }),
      { processingTimeoutMs: 10_000 },
    );
    const r = await retrieval();
    r.push([plain('100')]);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(warnings.map((w) => w.message)).toEqual([
      'Processing a batch timed out: its signal is aborted, and it is retried once the handler returns',
    ]);
    await vi.advanceTimersByTimeAsync(300_000);
    expect(calls).toEqual([1]);
    expect(errors).toEqual([]); // the try has not returned: no failure is reported yet
    expect(stalls.map((s) => [s.stalledForMs, s.timedOut])).toEqual([
      [60_000, true],
      [120_000, true],
      [180_000, true],
      [240_000, true],
      [300_000, true],
    ]);
    release(); // it returns at last (successfully, too late): the try still counts as timed out
    await vi.advanceTimersByTimeAsync(10);
    expect(errors).toMatchObject([{ attempt: 1, willRetry: true, error: { code: 'PROCESSING_TIMEOUT' } }]);
    expect(calls).toEqual([1, 2]);
    expect(mostRunning).toBe(1);
    expect(store.rows.get('shard-1')?.checkpoint.sequenceNumber).toBe('100');
  });

  it('watches and times out processRecords on the processor path too', async () => {
    let signal: AbortSignal | undefined;
    const processor: ShardRecordProcessor = {
      processRecords: async (input) => {
        signal = input.signal;
        await aborted(input.signal);
        throw input.signal.reason;
      },
    };
    const { retrieval, stalls, errors } = setup(
      { kind: 'processor', processor },
      { stalledShardWarningMs: 5_000, processingTimeoutMs: 8_000 },
    );
    (await retrieval()).push([plain('100')]);
    await vi.advanceTimersByTimeAsync(5_000);
    expect(stalls).toMatchObject([{ records: 1, firstSequenceNumber: '100', timedOut: false }]);
    expect(signal?.aborted).toBe(false);
    await vi.advanceTimersByTimeAsync(3_000);
    expect(signal?.aborted).toBe(true);
    expect(errors).toMatchObject([{ attempt: 1, error: { code: 'PROCESSING_TIMEOUT' } }]);
  });

  it('without processingTimeoutMs hands the handler the consumer signal, which only a stop aborts', async () => {
    let signal: AbortSignal | undefined;
    const { retrieval, consumer } = setup(
      handlerDelivery(async (_records, context) => {
        signal = context.signal;
        await aborted(context.signal);
      }),
    );
    (await retrieval()).push([plain('100')]);
    await vi.advanceTimersByTimeAsync(3_600_000);
    expect(signal?.aborted).toBe(false);
    const stopped = consumer.requestShutdown();
    await vi.advanceTimersByTimeAsync(0);
    expect(signal?.aborted).toBe(true);
    expect(await stopped).toBe('requested');
  });
});
