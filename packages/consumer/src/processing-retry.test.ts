import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { RecordProcessingError } from './errors.js';
import { processWithRetries } from './processing-retry.js';
import type { ConsumerRecord } from './record-processor.js';

const record = (i: number): ConsumerRecord => ({
  partitionKey: `k${i}`,
  data: new Uint8Array([i]),
  sequenceNumber: String(100 + i),
  subSequenceNumber: 0,
  aggregated: false,
});
const batch = [record(1), record(2), record(3)];
const policy = { maxAttempts: 3, backoff: { baseDelayMs: 100, maxDelayMs: 1_000 } };

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('processWithRetries', () => {
  it('retries a failing batch with backoff and succeeds once the handler does', async () => {
    let calls = 0;
    const failures: [number, boolean][] = [];
    const result = processWithRetries({
      shardId: 's',
      records: batch,
      policy,
      signal: new AbortController().signal,
      random: () => 0.5,
      onFailure: (_error, attempt, willRetry) => failures.push([attempt, willRetry]),
      process: async () => {
        if (++calls < 3) throw new Error('downstream down');
      },
    });
    await vi.advanceTimersByTimeAsync(49);
    expect(calls).toBe(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(calls).toBe(2);
    await vi.advanceTimersByTimeAsync(100);
    expect(await result).toEqual({ outcome: 'processed', poisoned: 0 });
    expect(failures).toEqual([
      [1, true],
      [2, true],
    ]);
  });

  it('gives up after maxAttempts without a poison handler, naming the first record of the batch', async () => {
    const result = processWithRetries({
      shardId: 'shard-1',
      records: batch,
      policy,
      signal: new AbortController().signal,
      random: () => 0,
      process: async () => {
        throw new Error('always');
      },
    });
    await vi.runAllTimersAsync();
    const outcome = await result;
    expect(outcome.outcome).toBe('failed');
    const error = (outcome as { error: RecordProcessingError }).error;
    expect(error).toBeInstanceOf(RecordProcessingError);
    expect(error).toMatchObject({
      code: 'RECORD_PROCESSING_FAILED',
      shardId: 'shard-1',
      attempts: 3,
      sequenceNumber: '101',
    });
    expect((error.cause as Error).message).toBe('always');
  });

  it('isolates the poison record by retrying one record at a time, hands it over and processes the rest', async () => {
    const processed: string[] = [];
    const poisoned: [string, number][] = [];
    const result = processWithRetries({
      shardId: 's',
      records: batch,
      policy: {
        ...policy,
        onPoisonRecord: (r, _error, attempts) => {
          poisoned.push([r.sequenceNumber, attempts]);
        },
      },
      signal: new AbortController().signal,
      random: () => 0,
      process: async (records) => {
        if (records.some((r) => r.sequenceNumber === '102')) throw new Error('poison');
        for (const r of records) processed.push(r.sequenceNumber);
      },
    });
    await vi.runAllTimersAsync();
    expect(await result).toEqual({ outcome: 'processed', poisoned: 1 });
    expect(poisoned).toEqual([['102', 3]]);
    expect(processed).toEqual(['101', '103']);
  });

  it('stops the shard when the poison handler itself fails', async () => {
    const result = processWithRetries({
      shardId: 's',
      records: [record(1)],
      policy: {
        ...policy,
        onPoisonRecord: () => {
          throw new Error('dead-letter queue unreachable');
        },
      },
      signal: new AbortController().signal,
      random: () => 0,
      process: async () => {
        throw new Error('poison');
      },
    });
    await vi.runAllTimersAsync();
    const outcome = await result;
    expect(outcome.outcome).toBe('failed');
    expect(((outcome as { error: Error }).error.cause as Error).message).toBe(
      'dead-letter queue unreachable',
    );
  });

  it('stops retrying when the signal aborts during a backoff', async () => {
    const controller = new AbortController();
    let calls = 0;
    const result = processWithRetries({
      shardId: 's',
      records: batch,
      policy,
      signal: controller.signal,
      random: () => 0.9,
      process: async () => {
        calls++;
        throw new Error('fails');
      },
    });
    await vi.advanceTimersByTimeAsync(10);
    controller.abort();
    expect(await result).toEqual({ outcome: 'aborted' });
    expect(calls).toBe(1);
  });
});
