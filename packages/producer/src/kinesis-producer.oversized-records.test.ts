/**
 * The `oversizedRecords` hook: a record above the record limit is replaced by the data the hook
 * returns (a claim-check pointer, say) instead of being refused, without letting later records of
 * its key overtake it, and a failing hook fails only its record.
 */
import { KinesisTsError } from '@kinesis-ts/core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { fakeKinesis } from '../test/fake-kinesis.js';
import { closeProducers, producerFor } from '../test/producer-harness.js';
import type { OversizedRecordHook } from './options.js';

afterEach(closeProducers);

const MIB = 1024 * 1024;
const text = (value: string) => new TextEncoder().encode(value);
const decode = (data: Uint8Array) => new TextDecoder().decode(data);
const filled = (size: number, byte: number) => new Uint8Array(size).fill(byte);

/** A hook that answers only when the test says so, and records what it was given. */
function slowHook() {
  const calls: { data: Uint8Array; partitionKey: string; limitBytes: number }[] = [];
  const answers: (() => void)[] = [];
  const hook: OversizedRecordHook = (data, context) => {
    calls.push({ data, ...context });
    return new Promise((resolve) => answers.push(() => resolve(text(`pointer-${data.byteLength}`))));
  };
  const answerAll = () => {
    for (const answer of answers.splice(0)) answer();
  };
  return { hook, calls, answerAll };
}

const until = (condition: () => boolean) => vi.waitFor(() => expect(condition()).toBe(true));

describe('the oversizedRecords hook', () => {
  it('writes the data the hook returns in place of a record above the limit', async () => {
    const kinesis = fakeKinesis({ maxRecordSizeInKiB: 1_024 });
    const hook = vi.fn<OversizedRecordHook>(async (data) => text(`pointer-${data.byteLength}`));
    const producer = producerFor(kinesis, { oversizedRecords: hook, aggregation: false });
    await producer.put({ partitionKey: 'k', data: text('first') }); // the limit is known from here
    await producer.put({ partitionKey: 'k', data: filled(1.5 * MIB, 2) });
    expect(hook).toHaveBeenCalledTimes(1);
    expect(hook.mock.calls[0]![1]).toEqual({ partitionKey: 'k', limitBytes: MIB });
    expect(kinesis.written.map((w) => decode(w.data))).toEqual(['first', `pointer-${1.5 * MIB}`]);
  });

  it('keeps per-key order: records of the key put after it wait for a slow hook', async () => {
    const kinesis = fakeKinesis({ maxRecordSizeInKiB: 1_024 });
    const slow = slowHook();
    const producer = producerFor(kinesis, { oversizedRecords: slow.hook, aggregation: false });
    await producer.put({ partitionKey: 'k', data: text('first') });
    const puts = [
      producer.put({ partitionKey: 'k', data: filled(2 * MIB, 7) }),
      producer.put({ partitionKey: 'k', data: text('after') }),
      producer.put({ partitionKey: 'k', data: text('after-2') }),
    ];
    await until(() => slow.calls.length === 1);
    // Well past maxBufferedTimeMs (10 ms): nothing behind the pending hook call may be sent.
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(kinesis.written.map((w) => decode(w.data))).toEqual(['first']);
    slow.answerAll();
    await Promise.all(puts);
    expect(kinesis.written.map((w) => decode(w.data))).toEqual([
      'first',
      `pointer-${2 * MIB}`,
      'after',
      'after-2',
    ]);
  });

  it('fails only the record whose hook threw, with OVERSIZED_RECORD_FAILED and the cause', async () => {
    const kinesis = fakeKinesis({ maxRecordSizeInKiB: 1_024 });
    const cause = new Error('S3 is down');
    const producer = producerFor(kinesis, {
      oversizedRecords: async () => {
        throw cause;
      },
      aggregation: false,
    });
    await producer.put({ partitionKey: 'k', data: text('before') });
    const failed = producer.put({ partitionKey: 'k', data: filled(2 * MIB, 1) }).catch((e: unknown) => e);
    const after = producer.put({ partitionKey: 'k', data: text('after') });
    const error = await failed;
    expect(KinesisTsError.hasCode(error, 'OVERSIZED_RECORD_FAILED')).toBe(true);
    expect((error as Error).cause).toBe(cause);
    expect((error as { record: { partitionKey: string } }).record.partitionKey).toBe('k');
    await after;
    expect(kinesis.written.map((w) => decode(w.data))).toEqual(['before', 'after']);
    expect(producer.outstandingBytes).toBe(0);
  });

  it('fails the record when the hook returns data still above the limit', async () => {
    const kinesis = fakeKinesis({ maxRecordSizeInKiB: 1_024 });
    const producer = producerFor(kinesis, { oversizedRecords: async (data) => data });
    await producer.put({ partitionKey: 'k', data: text('x') });
    await expect(producer.put({ partitionKey: 'k', data: filled(2 * MIB, 1) })).rejects.toMatchObject({
      code: 'OVERSIZED_RECORD_FAILED',
    });
  });

  it('never calls the hook for records within the limit', async () => {
    const kinesis = fakeKinesis({ maxRecordSizeInKiB: 2_048 });
    const hook = vi.fn<OversizedRecordHook>(async () => text('pointer'));
    const producer = producerFor(kinesis, { oversizedRecords: hook });
    // Put before the limit is known, and after.
    await Promise.all([
      producer.put({ partitionKey: 'k', data: filled(1.5 * MIB, 1) }),
      producer.put({ partitionKey: 'k', data: text('small') }),
    ]);
    await producer.put({ partitionKey: 'k', data: filled(2 * MIB - 1, 1) });
    expect(hook).not.toHaveBeenCalled();
    expect(kinesis.written).toHaveLength(3);
  });

  it('replaces records put before the limit was known that turn out above it, keeping their order', async () => {
    const kinesis = fakeKinesis({ maxRecordSizeInKiB: 1_024 });
    const slow = slowHook();
    const producer = producerFor(kinesis, { oversizedRecords: slow.hook, aggregation: false });
    // Put at once: DescribeStreamSummary has not answered, so they are accepted up to 10 MiB.
    const puts = [
      producer.put({ partitionKey: 'k', data: filled(3 * MIB, 1) }),
      producer.put({ partitionKey: 'k', data: text('after') }),
    ];
    await until(() => slow.calls.length === 1);
    expect(slow.calls[0]).toMatchObject({ partitionKey: 'k', limitBytes: MIB });
    expect(kinesis.written).toHaveLength(0);
    slow.answerAll();
    await Promise.all(puts);
    expect(kinesis.written.map((w) => decode(w.data))).toEqual([`pointer-${3 * MIB}`, 'after']);
  });

  it('is checked at construction', () => {
    expect(() =>
      producerFor(fakeKinesis(), { oversizedRecords: 'yes' as unknown as OversizedRecordHook }),
    ).toThrow(/oversizedRecords/);
  });
});
