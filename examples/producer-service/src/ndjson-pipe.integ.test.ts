import { createReadStream, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type LocalStack, startLocalStack, uniqueName } from '@kinesis-ts/local';
import { KinesisProducer } from '@kinesis-ts/producer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pipeNdjson } from './ndjson-pipe.js';

describe('piping an NDJSON file into a throttling stream', () => {
  let stack: LocalStack;
  beforeAll(async () => {
    stack = await startLocalStack({ enforceLimits: true }); // 1 MiB/s and 1,000 records/s per shard
  });
  afterAll(() => stack?.stop());

  it('puts every line, and reads the file no further ahead than the producer buffer while the shard throttles', async () => {
    const streamName = uniqueName('ndjson');
    await stack.createStream(streamName, 1);
    const file = join(mkdtempSync(join(tmpdir(), 'ndjson-')), 'orders.ndjson');
    const lines = Array.from({ length: 6_000 }, (_, i) =>
      JSON.stringify({ orderId: `o-${i}`, customerId: `c-${i % 50}`, note: 'x'.repeat(900) }),
    );
    writeFileSync(file, `${lines.join('\n')}\n`); // about 5.7 MB: about 6 s at one shard's 1 MiB/s
    const maxBufferedRecords = 1_000; // about 1 MB of these lines: more than the shard takes in a second
    const producer = new KinesisProducer({
      streamName,
      client: stack.kinesisClient(),
      maxBufferedRecords,
      rateLimitPercent: Number.POSITIVE_INFINITY, // no pacing in the producer: Kinesis throttles it
    });
    const input = createReadStream(file);
    let maxReadAhead = 0;
    let maxOutstanding = 0;
    const sampler = setInterval(() => {
      const put = producer.metrics().stream.UserRecordsDataPut;
      maxReadAhead = Math.max(maxReadAhead, input.bytesRead - put);
      maxOutstanding = Math.max(maxOutstanding, producer.outstandingRecords);
    }, 10);
    try {
      await pipeNdjson(input, producer, 'customerId');
    } finally {
      clearInterval(sampler);
      await producer.close();
    }
    expect(producer.metrics().stream.UserRecordsPut).toBe(6_000);
    const { limits } = await stack.kinesisFrontStats();
    expect(limits.refusedEntries).toBeGreaterThan(0); // the shard did throttle the producer
    // the producer's buffer plus the one record waiting for room
    expect(maxOutstanding).toBeLessThanOrEqual(maxBufferedRecords + 1);
    // the buffer (about 1 MB), plus what the file stream and the line splitter hold (64 KiB
    // chunks): well under the 5.7 MB file
    expect(maxReadAhead).toBeLessThan(1_600_000);
    expect(maxReadAhead).toBeGreaterThan(0);
  }, 60_000);
});
