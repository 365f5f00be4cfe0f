import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { secondCopyPartialBatchFailure } from '../../test/second-copy-errors.js';
import { RecordProcessingError } from '../errors.js';
import type { ConsumerRecord } from '../processor/record-processor.js';
import { PartialBatchFailureError } from './processing-errors.js';
import { type ProcessWithRetriesInput, processWithRetries } from './processing-retry.js';

const record = (i: number): ConsumerRecord => ({
  partitionKey: `k${i}`,
  data: new Uint8Array([i]),
  sequenceNumber: String(100 + i),
  subSequenceNumber: 0,
  aggregated: false,
});
const batch = [record(1), record(2), record(3)];
const policy = { maxAttempts: 3, backoff: { baseDelayMs: 100, maxDelayMs: 1_000 } };

/** `processWithRetries` on `batch` with `policy`, a signal that never aborts and no jitter, unless given. */
const run = (input: Partial<ProcessWithRetriesInput> & Pick<ProcessWithRetriesInput, 'process'>) =>
  processWithRetries({
    shardId: 's',
    records: batch,
    policy,
    signal: new AbortController().signal,
    random: () => 0,
    ...input,
  });

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
    const result = run({
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

  it('hands an empty batch over once (deliverEmptyBatches), with the same retries', async () => {
    const seen: number[] = [];
    let calls = 0;
    const result = run({
      records: [],
      process: async (records) => {
        seen.push(records.length);
        if (++calls < 2) throw new Error('once');
      },
    });
    await vi.advanceTimersByTimeAsync(1_000);
    expect(await result).toEqual({ outcome: 'processed', poisoned: 0 });
    expect(seen).toEqual([0, 0]);
  });

  it('gives up after maxAttempts without a poison handler, naming the first record of the batch', async () => {
    const result = run({
      shardId: 'shard-1',
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
    const result = run({
      policy: {
        ...policy,
        onPoisonRecord: (r, _error, attempts) => {
          poisoned.push([r.sequenceNumber, attempts]);
        },
      },
      process: async (records) => {
        if (records.some((r) => r.sequenceNumber === '102')) throw new Error('poison');
        for (const r of records) processed.push(r.sequenceNumber);
      },
    });
    await vi.runAllTimersAsync();
    expect(await result).toEqual({ outcome: 'processed', poisoned: 1 });
    expect(poisoned).toEqual([['102', 6]]); // 3 tries of the batch, then 3 of its own
    expect(processed).toEqual(['101', '103']);
  });

  it('stops the shard when the poison handler itself fails', async () => {
    const result = run({
      records: [record(1)],
      policy: {
        ...policy,
        onPoisonRecord: () => {
          throw new Error('dead-letter queue unreachable');
        },
      },
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
    const result = run({
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

  describe('partial batch failures', () => {
    const hundred = Array.from({ length: 100 }, (_, i) => record(i + 1));

    it('moves the position to just before the first failed record and retries from it, not from the start (SC-35)', async () => {
      const calls: string[][] = [];
      const progress: string[] = [];
      const result = run({
        records: hundred,
        onProgress: (lastDone) => {
          progress.push(lastDone.sequenceNumber);
        },
        process: async (records) => {
          calls.push(records.map((r) => r.sequenceNumber));
          if (calls.length === 1) {
            throw new PartialBatchFailureError([{ record: records[36]!, error: new Error('#37 failed') }]);
          }
        },
      });
      await vi.runAllTimersAsync();
      expect(await result).toEqual({ outcome: 'processed', poisoned: 0 });
      expect(progress).toEqual(['136']); // records 1–36 (sequence numbers 101–136) are done
      expect(calls).toHaveLength(2);
      expect(calls[1]![0]).toBe('137');
      expect(calls[1]).toHaveLength(64);
    });

    it('matches failed records by sequence and sub-sequence number, not by identity', async () => {
      const calls: number[] = [];
      const result = run({
        process: async (records) => {
          calls.push(records.length);
          if (calls.length === 1) {
            throw new PartialBatchFailureError([{ record: { sequenceNumber: '103' }, error: 'x' }]);
          }
        },
      });
      await vi.runAllTimersAsync();
      expect(await result).toEqual({ outcome: 'processed', poisoned: 0 });
      expect(calls).toEqual([3, 1]);
    });

    it('reads a partial failure made by a second copy of the package (no instanceof, no methods)', async () => {
      const calls: string[] = [];
      const result = run({
        process: async (records) => {
          calls.push(records[0]!.sequenceNumber);
          if (calls.length === 1) {
            throw secondCopyPartialBatchFailure([{ record: { sequenceNumber: '102' }, error: 'x' }]);
          }
        },
      });
      await vi.runAllTimersAsync();
      expect(await result).toEqual({ outcome: 'processed', poisoned: 0 });
      // resumed at the record it named, not at the start of the batch
      expect(calls).toEqual(['101', '102']);
    });

    it('counts tries per record: progress starts the count again', async () => {
      // each try fails one record further on: 3 failures, but never 3 at the same record
      let calls = 0;
      const attemptsSeen: number[] = [];
      const result = run({
        process: async (records, attempt) => {
          attemptsSeen.push(attempt);
          calls++;
          const failAt = ['101', '102', '103'][calls - 1]; // 101 once, then 102 once, then 103 once
          const failed = records.find((r) => r.sequenceNumber === failAt);
          if (failed) throw new PartialBatchFailureError([{ record: failed, error: 'x' }]);
        },
      });
      await vi.runAllTimersAsync();
      expect((await result).outcome).toBe('processed');
      expect(attemptsSeen).toEqual([1, 2, 2, 2]);
    });

    it('hands the failed record to the poison handler after maxAttempts and goes on after it, without re-running earlier records', async () => {
      const processed: string[] = [];
      const poisoned: [string, string, number][] = [];
      const progress: string[] = [];
      const result = run({
        records: hundred.slice(0, 5),
        policy: {
          ...policy,
          onPoisonRecord: (r, error, attempts) => {
            poisoned.push([r.sequenceNumber, (error as Error).message, attempts]);
          },
        },
        onProgress: (r) => {
          progress.push(r.sequenceNumber);
        },
        process: async (records) => {
          const failures = [];
          for (const r of records) {
            if (r.sequenceNumber === '103') {
              failures.push({ record: r, error: new Error('bad 103') });
              break;
            }
            processed.push(r.sequenceNumber);
          }
          if (failures.length > 0) throw new PartialBatchFailureError(failures);
        },
      });
      await vi.runAllTimersAsync();
      expect(await result).toEqual({ outcome: 'processed', poisoned: 1 });
      expect(poisoned).toEqual([['103', 'bad 103', 3]]);
      expect(processed).toEqual(['101', '102', '104', '105']);
      expect(progress).toEqual(['102', '103']);
    });

    it('without a poison handler, fails at the first failed record (the position stays just before it)', async () => {
      const progress: string[] = [];
      const result = run({
        onProgress: (r) => {
          progress.push(r.sequenceNumber);
        },
        process: async (records) => {
          const second = records.find((r) => r.sequenceNumber === '102');
          if (second) throw new PartialBatchFailureError([{ record: second, error: new Error('bad 102') }]);
        },
      });
      await vi.runAllTimersAsync();
      const outcome = await result;
      expect(outcome.outcome).toBe('failed');
      expect((outcome as { error: RecordProcessingError }).error).toMatchObject({
        sequenceNumber: '102',
        attempts: 3,
      });
      expect(((outcome as { error: Error }).error.cause as Error).message).toBe('bad 102');
      expect(progress).toEqual(['101']);
    });

    it('treats a partial failure that names no record of the batch as a failure of the whole batch', async () => {
      let calls = 0;
      const result = run({
        process: async () => {
          calls++;
          throw new PartialBatchFailureError([{ record: { sequenceNumber: '999' }, error: 'x' }]);
        },
      });
      await vi.runAllTimersAsync();
      expect((await result).outcome).toBe('failed');
      expect(calls).toBe(3);
    });

    it('reports progress after each record while isolating one record at a time', async () => {
      const progress: string[] = [];
      const result = run({
        policy: { ...policy, onPoisonRecord: () => {} },
        onProgress: (r) => {
          progress.push(r.sequenceNumber);
        },
        process: async (records) => {
          if (records.some((r) => r.sequenceNumber === '101')) throw new Error('bad 101');
        },
      });
      await vi.runAllTimersAsync();
      expect(await result).toEqual({ outcome: 'processed', poisoned: 1 });
      expect(progress).toEqual(['101', '102']);
    });
  });

  it('keeps the progress of a partial failure that comes with the stop signal, and reports no failure', async () => {
    const controller = new AbortController();
    const progress: string[] = [];
    const failures: number[] = [];
    const result = run({
      signal: controller.signal,
      onProgress: (r) => {
        progress.push(r.sequenceNumber);
      },
      onFailure: (_error, attempt) => failures.push(attempt),
      process: async (records) => {
        controller.abort();
        throw new PartialBatchFailureError([{ record: records[2]!, error: 'stopping' }]);
      },
    });
    expect(await result).toEqual({ outcome: 'aborted' });
    expect(progress).toEqual(['102']);
    expect(failures).toEqual([]);
  });
});
