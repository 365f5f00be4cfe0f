import { uniqueName } from '@kinesis-ts/local';
import { describe, expect, it } from 'vitest';
import type { ConsumerEvents, PoisonRecord } from '../../src/index.js';
import {
  putRecords,
  text,
  useLocalStack,
  useTestConsumers,
  useTestStreams,
  waitFor,
} from '../local-stack.js';

const local = useLocalStack();
const createStream = useTestStreams(local);
const kinesis = local.kinesisClient();
const dynamoDb = local.dynamoDbClient();
const consumer = useTestConsumers(kinesis, dynamoDb, {
  failoverTimeMs: 1_500,
  idleTimeBetweenReadsMs: 200,
  maxProcessingAttempts: 2,
  processingBackoff: { baseDelayMs: 10, maxDelayMs: 50 },
  stalledShardWarningMs: 500,
  shutdownTimeoutMs: 5_000,
});
const SHARD = 'shardId-000000000000';

/** Resolves once `signal` aborts; then the caller throws its reason. */
const untilAborted = (signal: AbortSignal) =>
  new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));

describe('a handler that hangs on one record', () => {
  it('is reported by shard:stalled and MillisSinceLastProgress while the lease stays held', async () => {
    const streamName = uniqueName('hung');
    const applicationName = uniqueName('app');
    await createStream(streamName, 1);
    await putRecords(kinesis, streamName, 10);
    const stalls: ConsumerEvents['shard:stalled'][] = [];
    const worker = consumer({
      streamName,
      applicationName,
      handler: async (records, context) => {
        if (records.some((r) => text(r.data) === 'r-4')) {
          await untilAborted(context.signal); // only stop() ends it
          throw context.signal.reason;
        }
      },
    });
    worker.on('shard:stalled', (stall) => stalls.push(stall));
    await worker.start();
    await waitFor(() => stalls.length >= 2, 'two stall reports');
    expect(stalls[0]).toMatchObject({ shardId: SHARD, attempt: 1, timedOut: false });
    // Node timers may fire a millisecond early by Date.now(): bounds with a little slack.
    expect(stalls[0]!.stalledForMs).toBeGreaterThanOrEqual(490);
    expect(stalls[1]!.stalledForMs).toBeGreaterThanOrEqual(990);
    expect(stalls[0]!.records).toBeGreaterThanOrEqual(1);
    expect(stalls[0]!.firstSequenceNumber).toMatch(/^\d+$/);
    const shard = worker.metrics().shards[SHARD]!;
    expect(shard.state).toBe('processing');
    expect(shard.MillisSinceLastProgress).toBeGreaterThanOrEqual(990);
    expect(worker.heldLeaseKeys()).toEqual([SHARD]); // renewed all along
  });

  it('with processingTimeoutMs goes to onPoisonRecord after its tries, and the records after it are delivered', async () => {
    const streamName = uniqueName('hung-timeout');
    const applicationName = uniqueName('app');
    await createStream(streamName, 1);
    const ids = await putRecords(kinesis, streamName, 10);
    const processed: string[] = [];
    const poisoned: PoisonRecord[] = [];
    const stalls: ConsumerEvents['shard:stalled'][] = [];
    const worker = consumer({
      streamName,
      applicationName,
      processingTimeoutMs: 1_000,
      stalledShardWarningMs: 700,
      handler: async (records, context) => {
        if (records.some((r) => text(r.data) === 'r-4')) {
          await untilAborted(context.signal); // hangs until the timeout aborts its signal
          throw context.signal.reason;
        }
        processed.push(...records.map((r) => text(r.data)));
      },
      onPoisonRecord: (poison) => {
        poisoned.push(poison);
      },
    });
    worker.on('shard:stalled', (stall) => stalls.push(stall));
    await worker.start();
    await waitFor(() => processed.includes('r-9'), 'the records after the hung one', 30_000);
    expect(poisoned).toHaveLength(1);
    expect(text(poisoned[0]!.record.data)).toBe('r-4');
    expect(poisoned[0]!.error).toMatchObject({ code: 'PROCESSING_TIMEOUT', timeoutMs: 1_000 });
    expect(new Set(processed)).toEqual(new Set(ids.filter((id) => id !== 'r-4')));
    expect(stalls.length).toBeGreaterThanOrEqual(1);
    expect(stalls[0]).toMatchObject({ shardId: SHARD });

    const later = await putRecords(kinesis, streamName, 3, 'later');
    await waitFor(() => later.every((id) => processed.includes(id)), 'records written later');
    expect(worker.metrics().shards[SHARD]?.MillisSinceLastProgress).toBeLessThan(5_000);
  });
});
