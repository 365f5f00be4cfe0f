import {
  GetRecordsCommand,
  GetShardIteratorCommand,
  KinesisServiceException,
  ListShardsCommand,
  ListStreamsCommand,
  ProvisionedThroughputExceededException,
  PutRecordsCommand,
  type PutRecordsRequestEntry,
} from '@aws-sdk/client-kinesis';
import { describe, expect, it } from 'vitest';
import { KINESIS_TRANSPORTS } from './clients';
import { uniqueName } from './connection';
import { injectKinesisFaults } from './kinesis-faults';
import { useLocalStack } from './vitest';

const local = useLocalStack();
const text = new TextDecoder();

function entries(count: number, prefix: string): PutRecordsRequestEntry[] {
  return Array.from({ length: count }, (_, i) => ({
    PartitionKey: `${prefix}-${i}`,
    Data: new TextEncoder().encode(`${prefix}-${i}`),
  }));
}

/** Every record in a stream (all shards, from TRIM_HORIZON), decoded, with its sequence number. */
async function readStream(streamName: string): Promise<Map<string, string>> {
  const kinesis = local.kinesisClient();
  const read = new Map<string, string>();
  const { Shards } = await kinesis.send(new ListShardsCommand({ StreamName: streamName }));
  for (const shard of Shards ?? []) {
    const { ShardIterator } = await kinesis.send(
      new GetShardIteratorCommand({
        StreamName: streamName,
        ShardId: shard.ShardId,
        ShardIteratorType: 'TRIM_HORIZON',
      }),
    );
    let iterator = ShardIterator;
    for (let emptyReads = 0; iterator && emptyReads < 2; ) {
      const output = await kinesis.send(new GetRecordsCommand({ ShardIterator: iterator }));
      for (const record of output.Records ?? []) read.set(text.decode(record.Data), record.SequenceNumber!);
      if ((output.Records ?? []).length === 0) emptyReads++;
      iterator = output.NextShardIterator;
    }
  }
  return read;
}

// The faults are SDK middleware: they act before the request handler, whichever HTTP version it
// speaks. Both transports go through the stack's front to the same emulator.
describe.each(KINESIS_TRANSPORTS)('injectKinesisFaults against the local emulator, over %s', (transport) => {
  it('fails 30% of 100 PutRecords entries without writing them and splices the failures at their indexes', async () => {
    const streamName = uniqueName(`faults-put-${transport}`);
    await local.createStream(streamName, 2);
    const kinesis = local.kinesisClient({ transport });
    const faults = injectKinesisFaults(kinesis, { seed: 42, putRecordsFailures: { rate: 0.3 } });

    const records = entries(100, 'r');
    const output = await kinesis.send(new PutRecordsCommand({ StreamName: streamName, Records: records }));

    expect(output.Records).toHaveLength(100);
    const failed = output.Records!.flatMap((record, index) => (record.ErrorCode ? [index] : []));
    expect(failed.length).toBeGreaterThan(15);
    expect(failed.length).toBeLessThan(45);
    expect(output.FailedRecordCount).toBe(failed.length);
    for (const index of failed) {
      expect(output.Records![index]).toEqual({
        ErrorCode: 'ProvisionedThroughputExceededException',
        ErrorMessage: expect.stringContaining(`in stream ${streamName}`),
      });
    }
    expect(faults.stats()).toMatchObject({ calls: 1, failedEntries: failed.length, unsentCalls: 0 });

    // Exactly the entries reported as written are in the stream, with the reported sequence numbers.
    const read = await readStream(streamName);
    const written = records.flatMap((_, index) => (failed.includes(index) ? [] : [`r-${index}`]));
    expect([...read.keys()].sort()).toEqual(written.sort());
    output.Records!.forEach((record, index) => {
      if (!record.ErrorCode) expect(read.get(`r-${index}`)).toBe(record.SequenceNumber);
    });
  });

  it('selects the same entries for the same seed, and chosen indexes with InternalFailure', async () => {
    const streamName = uniqueName(`faults-seed-${transport}`);
    await local.createStream(streamName, 1);
    const failedIndexes = async (seed: number) => {
      const kinesis = local.kinesisClient({ transport });
      injectKinesisFaults(kinesis, { seed, putRecordsFailures: { rate: 0.5 } });
      const output = await kinesis.send(
        new PutRecordsCommand({ StreamName: streamName, Records: entries(20, 's') }),
      );
      return output.Records!.flatMap((record, index) => (record.ErrorCode ? [index] : []));
    };
    expect(await failedIndexes(7)).toEqual(await failedIndexes(7));
    expect(await failedIndexes(7)).not.toEqual(await failedIndexes(8));

    const kinesis = local.kinesisClient({ transport });
    injectKinesisFaults(kinesis, { putRecordsFailures: { indexes: [0, 3], errorCode: 'InternalFailure' } });
    const output = await kinesis.send(
      new PutRecordsCommand({ StreamName: streamName, Records: entries(4, 'i') }),
    );
    expect(output.Records!.map((record) => record.ErrorCode)).toEqual([
      'InternalFailure',
      undefined,
      undefined,
      'InternalFailure',
    ]);
    expect(output.Records![1]?.SequenceNumber).toBeDefined();
  });

  it('does not send a PutRecords whose entries all fail, and lets the next call through', async () => {
    const streamName = uniqueName(`faults-all-${transport}`);
    await local.createStream(streamName, 1);
    const kinesis = local.kinesisClient({ transport });
    const faults = injectKinesisFaults(kinesis, { putRecordsFailures: { rate: 1, firstCalls: 1 } });

    const first = await kinesis.send(
      new PutRecordsCommand({ StreamName: streamName, Records: entries(5, 'a') }),
    );
    expect(first.FailedRecordCount).toBe(5);
    expect(first.Records!.every((record) => record.ErrorCode && !record.SequenceNumber)).toBe(true);
    const second = await kinesis.send(
      new PutRecordsCommand({ StreamName: streamName, Records: entries(3, 'b') }),
    );
    expect(second.FailedRecordCount).toBe(0);

    expect([...(await readStream(streamName)).keys()].sort()).toEqual(['b-0', 'b-1', 'b-2']);
    expect(faults.stats()).toMatchObject({ calls: 2, failedEntries: 5, unsentCalls: 1 });
  });

  it('throws whole-call errors shaped like the SDK’s before sending, for the first N calls only', async () => {
    const streamName = uniqueName(`faults-call-${transport}`);
    await local.createStream(streamName, 1);
    const kinesis = local.kinesisClient({ transport });
    const faults = injectKinesisFaults(kinesis, {
      callErrors: [{ operations: ['PutRecords'], error: 'ThrottlingException', firstCalls: 2 }],
    });
    const put = (prefix: string) =>
      kinesis.send(new PutRecordsCommand({ StreamName: streamName, Records: entries(2, prefix) }));

    for (const prefix of ['x', 'y']) {
      const error = await put(prefix).catch((failure: unknown) => failure);
      expect(error).toBeInstanceOf(KinesisServiceException);
      expect(error).toMatchObject({
        name: 'ThrottlingException',
        $fault: 'client',
        $metadata: { httpStatusCode: 400 },
      });
    }
    await put('z');
    await kinesis.send(new ListStreamsCommand({})); // other operations are untouched
    expect([...(await readStream(streamName)).keys()].sort()).toEqual(['z-0', 'z-1']);
    expect(faults.stats()).toMatchObject({ calls: 4, callErrors: 2, byError: { ThrottlingException: 2 } });
  });

  it('throttles GetRecords with ProvisionedThroughputExceededException', async () => {
    const streamName = uniqueName(`faults-get-${transport}`);
    await local.createStream(streamName, 1);
    const kinesis = local.kinesisClient({ transport });
    injectKinesisFaults(kinesis, { getRecordsThrottling: { firstCalls: 1 } });
    const { ShardIterator } = await kinesis.send(
      new GetShardIteratorCommand({
        StreamName: streamName,
        ShardId: 'shardId-000000000000',
        ShardIteratorType: 'LATEST',
      }),
    );
    await expect(kinesis.send(new GetRecordsCommand({ ShardIterator }))).rejects.toBeInstanceOf(
      ProvisionedThroughputExceededException,
    );
    const output = await kinesis.send(new GetRecordsCommand({ ShardIterator }));
    expect(output.Records).toEqual([]);
  });

  it('places socket errors inside the SDK retries when asked, so the client retries them', async () => {
    const kinesis = local.kinesisClient({ transport, maxAttempts: 3 });
    const faults = injectKinesisFaults(kinesis, {
      insideSdkRetries: true,
      callErrors: [{ operations: ['ListStreams'], error: 'ECONNRESET', firstCalls: 2 }],
    });
    const output = await kinesis.send(new ListStreamsCommand({}));
    expect(output.$metadata.attempts).toBe(3);
    expect(faults.stats()).toMatchObject({ calls: 3, callErrors: 2, byError: { ECONNRESET: 2 } });

    // update() replaces every rule: insideSdkRetries must be given again.
    faults.update({
      insideSdkRetries: true,
      callErrors: [{ operations: ['ListStreams'], error: 'ECONNRESET' }],
    });
    const error = await kinesis.send(new ListStreamsCommand({})).catch((failure: unknown) => failure);
    expect(error).toMatchObject({ code: 'ECONNRESET', $metadata: { attempts: 3 } });
  });

  it('adds latency, and stops injecting once removed', async () => {
    const kinesis = local.kinesisClient({ transport });
    const faults = injectKinesisFaults(kinesis, { latency: [{ operations: ['ListStreams'], delayMs: 300 }] });
    let started = performance.now();
    await kinesis.send(new ListStreamsCommand({}));
    expect(performance.now() - started).toBeGreaterThanOrEqual(295);
    expect(faults.stats()).toMatchObject({ delayedCalls: 1, totalDelayMs: 300 });

    faults.remove();
    started = performance.now();
    await kinesis.send(new ListStreamsCommand({}));
    expect(performance.now() - started).toBeLessThan(295);
    expect(faults.stats().calls).toBe(1);
  });
});
