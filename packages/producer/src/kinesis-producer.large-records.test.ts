/**
 * Records up to 10 MiB: the producer takes its record limit from the stream's `MaxRecordSizeInKiB`
 * (DescribeStreamSummary) unless `maxRecordSizeBytes` is given, packs requests up to 10 MiB, and
 * refuses records above the limit before sending them.
 */
import { KinesisTsError, type Logger } from '@kinesis-ts/core';
import { afterEach, describe, expect, it } from 'vitest';
import { evenShards, fakeKinesis, serviceError } from '../test/fake-kinesis.js';
import { closeProducers, producerFor } from '../test/producer-harness.js';
import { recordLimitFromSummary } from './pipeline/stream-record-limit.js';

afterEach(closeProducers);

const MIB = 1024 * 1024;
const bytes = (size: number) => new Uint8Array(size);

function recordingLogger() {
  const warnings: { message: string; context?: Record<string, unknown> }[] = [];
  const logger: Logger = {
    debug() {},
    info() {},
    warn: (message, context) => warnings.push({ message, ...(context ? { context } : {}) }),
    error() {},
  };
  return { logger, warnings };
}

describe('the record size limit', () => {
  it("reads the stream's MaxRecordSizeInKiB at start and writes a 9.5 MiB record put at once", async () => {
    const kinesis = fakeKinesis({ maxRecordSizeInKiB: 10_240 });
    const producer = producerFor(kinesis);
    const result = await producer.put({ partitionKey: 'k', data: bytes(9.5 * MIB) });
    expect(result.sequenceNumber).toBeDefined();
    expect(kinesis.describeSummaryCalls).toBe(1);
    expect(kinesis.written[0]!.data.byteLength).toBe(9.5 * MIB);
  });

  it("refuses a record above the stream's limit before sending it, naming its size and the limit", async () => {
    const kinesis = fakeKinesis({ maxRecordSizeInKiB: 2_048 });
    const producer = producerFor(kinesis);
    // Put before DescribeStreamSummary answers: accepted up to 10 MiB, then checked against 2 MiB.
    const tooLarge = producer.put({ partitionKey: 'k', data: bytes(3 * MIB) }).catch((e: unknown) => e);
    const fits = producer.put({ partitionKey: 'k', data: bytes(1.5 * MIB) });
    const error = await tooLarge;
    expect(KinesisTsError.hasCode(error, 'RECORD_TOO_LARGE')).toBe(true);
    expect((error as Error).message).toContain(`${3 * MIB + 1} bytes`);
    expect((error as Error).message).toContain(`at most ${2 * MIB} bytes`);
    expect((await fits).sequenceNumber).toBeDefined();
    expect(kinesis.written.map((w) => w.data.byteLength)).toEqual([1.5 * MIB]);
    // Once the limit is known, a record above it is refused by put itself.
    await expect(producer.put({ partitionKey: 'k', data: bytes(3 * MIB) })).rejects.toMatchObject({
      code: 'RECORD_TOO_LARGE',
    });
  });

  it('falls back to 1 MiB when DescribeStreamSummary is denied, and says so once in the log', async () => {
    const kinesis = fakeKinesis({ maxRecordSizeInKiB: serviceError('AccessDeniedException') });
    const { logger, warnings } = recordingLogger();
    const producer = producerFor(kinesis, { logger });
    const large = producer.put({ partitionKey: 'k', data: bytes(2 * MIB) }).catch((e: unknown) => e);
    const small = producer.put({ partitionKey: 'k', data: bytes(100) });
    expect(await large).toMatchObject({ code: 'RECORD_TOO_LARGE' });
    expect(((await large) as Error).message).toContain('AccessDeniedException');
    expect((await small).sequenceNumber).toBeDefined();
    await producer.put({ partitionKey: 'k', data: bytes(100) });
    const about = warnings.filter((w) => w.message.includes('record size limit'));
    expect(about).toHaveLength(1);
    expect(about[0]!.context).toMatchObject({ maxRecordSizeBytes: MIB });
    expect(String(about[0]!.context?.reason)).toContain('AccessDeniedException');
  });

  it('falls back to 1 MiB when the answer has no MaxRecordSizeInKiB (an older endpoint)', () => {
    expect(recordLimitFromSummary(undefined)).toBeUndefined();
    expect(recordLimitFromSummary(1024)).toBe(MIB);
    expect(recordLimitFromSummary(10_240)).toBe(10 * MIB);
    expect(recordLimitFromSummary(20_000)).toBe(10 * MIB);
  });

  it('lets an explicit maxRecordSizeBytes win over the stream, without asking the stream', async () => {
    const kinesis = fakeKinesis({ maxRecordSizeInKiB: 10_240 });
    const producer = producerFor(kinesis, { maxRecordSizeBytes: 2 * MIB });
    await expect(producer.put({ partitionKey: 'k', data: bytes(3 * MIB) })).rejects.toMatchObject({
      code: 'RECORD_TOO_LARGE',
    });
    await producer.put({ partitionKey: 'k', data: bytes(MIB) });
    expect(kinesis.describeSummaryCalls).toBe(0);
    expect(() => producerFor(kinesis, { maxRecordSizeBytes: 10 * MIB + 1 })).toThrow(/maxRecordSizeBytes/);
  });

  it('refuses a record above 10 MiB at put, whatever the stream says', async () => {
    const producer = producerFor(fakeKinesis({ maxRecordSizeInKiB: 10_240 }));
    await expect(producer.put({ partitionKey: 'k', data: bytes(10.5 * MIB) })).rejects.toMatchObject({
      code: 'RECORD_TOO_LARGE',
    });
  });

  it('packs three 3 MiB records for three shards into one request of 9 MiB, each on burst credit', async () => {
    const shards = evenShards(3);
    const kinesis = fakeKinesis({ maxRecordSizeInKiB: 10_240, shards });
    const producer = producerFor(kinesis, { maxBufferedTimeMs: 50 });
    await Promise.all(
      shards.map((shard) =>
        producer.put({ partitionKey: 'k', explicitHashKey: shard.start.toString(), data: bytes(3 * MIB) }),
      ),
    );
    expect(kinesis.putCalls.map((call) => call.Records?.length)).toEqual([3]);
    expect(new Set(kinesis.written.map((w) => w.shardId)).size).toBe(3);
  });
});
