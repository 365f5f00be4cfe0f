import { describe, expect, it } from 'vitest';
import { parallelByKey } from './parallel-by-key.js';
import { PartialBatchFailureError } from './processing-errors.js';

interface TestRecord {
  readonly partitionKey: string;
  readonly sequenceNumber: string;
  readonly subSequenceNumber: number;
}

const records = (keys: string[]): TestRecord[] =>
  keys.map((partitionKey, i) => ({ partitionKey, sequenceNumber: String(1_000 + i), subSequenceNumber: 0 }));

const tick = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('parallelByKey', () => {
  it('runs different keys at once, never two of one key, each key in shard order (SC-36)', async () => {
    const keys = Array.from({ length: 64 }, (_, i) => `K${(i % 8) + 1}`); // K1–K8 interleaved
    const batch = records(keys);
    let running = 0;
    let maxRunning = 0;
    const runningKeys = new Set<string>();
    const seen = new Map<string, string[]>();
    const handler = parallelByKey<TestRecord, undefined>(
      async (record) => {
        expect(runningKeys.has(record.partitionKey)).toBe(false);
        runningKeys.add(record.partitionKey);
        running++;
        maxRunning = Math.max(maxRunning, running);
        await tick(Math.random() * 3);
        seen.set(record.partitionKey, [...(seen.get(record.partitionKey) ?? []), record.sequenceNumber]);
        running--;
        runningKeys.delete(record.partitionKey);
      },
      { concurrency: 4 },
    );
    await handler(batch, undefined);
    expect(maxRunning).toBe(4);
    for (const [key, sequence] of seen) {
      const expected = batch.filter((r) => r.partitionKey === key).map((r) => r.sequenceNumber);
      expect(sequence).toEqual(expected);
    }
    expect([...seen.values()].flat()).toHaveLength(64);
  });

  it('with a concurrency of 1 keeps strict shard order', async () => {
    const order: string[] = [];
    await parallelByKey<TestRecord, undefined>(
      async (record) => {
        await tick(1);
        order.push(record.sequenceNumber);
      },
      { concurrency: 1 },
    )(records(['a', 'b', 'c', 'a', 'b']), undefined);
    expect(order).toEqual(['1000', '1001', '1002', '1003', '1004']);
  });

  it('groups by keyOf when given', async () => {
    let concurrent = 0;
    let max = 0;
    await parallelByKey<TestRecord, undefined>(
      async () => {
        concurrent++;
        max = Math.max(max, concurrent);
        await tick(2);
        concurrent--;
      },
      { concurrency: 8, keyOf: () => 'one tenant' },
    )(records(['a', 'b', 'c', 'd']), undefined);
    expect(max).toBe(1);
  });

  it('passes the context through and catches synchronous throws', async () => {
    const contexts: string[] = [];
    const handler = parallelByKey<TestRecord, string>((record, context) => {
      contexts.push(context);
      if (record.sequenceNumber === '1001') throw new Error('sync');
    });
    const error = await handler(records(['a', 'b']), 'ctx').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PartialBatchFailureError);
    expect(contexts).toEqual(['ctx', 'ctx']);
  });

  it('on a failure starts nothing after the failed record, finishes what runs and what comes before it, and names the failures', async () => {
    // 0 a (slow), 1 b (fails), 2 a, 3 c
    const started: string[] = [];
    const handler = parallelByKey<TestRecord, undefined>(
      async (record) => {
        started.push(record.sequenceNumber);
        if (record.sequenceNumber === '1000') await tick(20);
        if (record.sequenceNumber === '1001') throw new Error('b is broken');
      },
      { concurrency: 2 },
    );
    const error = (await handler(records(['a', 'b', 'a', 'c']), undefined).catch((e: unknown) => e)) as
      | PartialBatchFailureError<TestRecord>
      | undefined;
    expect(error).toBeInstanceOf(PartialBatchFailureError);
    expect(error!.failures.map((f) => f.record.sequenceNumber)).toEqual(['1001']);
    expect((error!.failures[0]!.error as Error).message).toBe('b is broken');
    expect(started).toEqual(['1000', '1001']); // 2 (a, after the failure) and 3 (c) never started
    expect(error!.code).toBe('PARTIAL_BATCH_FAILURE');
  });

  it('resolves at once for an empty batch', async () => {
    await parallelByKey(async () => {
      throw new Error('never called');
    })([], undefined);
  });

  it('refuses a concurrency out of range, naming the option', () => {
    expect(() => parallelByKey(async () => {}, { concurrency: 0 })).toThrow(/concurrency/);
    expect(() => parallelByKey(async () => {}, { concurrency: 1.5 })).toThrow(/concurrency/);
  });

  it('stops starting records once the context signal aborts, and names the first record not done', async () => {
    const controller = new AbortController();
    const started: string[] = [];
    const handler = parallelByKey<TestRecord, { signal: AbortSignal }>(
      async (record) => {
        started.push(record.sequenceNumber);
        if (started.length === 3) controller.abort(new Error('stopping'));
        await tick(2);
      },
      { concurrency: 2 },
    );
    const error = (await handler(records(['a', 'b', 'c', 'd', 'e', 'f']), {
      signal: controller.signal,
    }).catch((e: unknown) => e)) as PartialBatchFailureError<TestRecord>;
    expect(error).toBeInstanceOf(PartialBatchFailureError);
    expect(started).toEqual(['1000', '1001', '1002']);
    expect(error.failures.map((f) => f.record.sequenceNumber)).toEqual(['1003']);
    expect((error.failures[0]!.error as Error).message).toBe('stopping');
  });

  it('after a stop names a record that never started when it comes before the failed one', async () => {
    // 0 a (slow), 1 a (waits for a), 2 b (fails, and the stop comes)
    const controller = new AbortController();
    const handler = parallelByKey<TestRecord, { signal: AbortSignal }>(
      async (record) => {
        if (record.sequenceNumber === '1000') await tick(10);
        if (record.sequenceNumber === '1002') {
          controller.abort();
          throw new Error('b failed');
        }
      },
      { concurrency: 2 },
    );
    const error = (await handler(records(['a', 'a', 'b']), { signal: controller.signal }).catch(
      (e: unknown) => e,
    )) as PartialBatchFailureError<TestRecord>;
    expect(error.failures.map((f) => f.record.sequenceNumber)).toEqual(['1001', '1002']);
    expect(error.firstFailedIndex(records(['a', 'a', 'b']))).toBe(1);
  });

  it('runs the whole batch when the signal never aborts', async () => {
    const seen: string[] = [];
    await parallelByKey<TestRecord, { signal: AbortSignal }>(
      (record) => void seen.push(record.sequenceNumber),
    )(records(['a', 'b']), { signal: new AbortController().signal });
    expect(seen).toEqual(['1000', '1001']);
  });
});
