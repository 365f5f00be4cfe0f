/**
 * A producer record above the stream's record limit, stored in S3 through the producer's
 * `oversizedRecords` hook and written as a claim-check pointer, reaches a `KinesisConsumer` with
 * `resolveClaimChecks` as its original bytes (local Kinesis, DynamoDB and S3).
 */
import { createHash } from 'node:crypto';
import { uniqueName } from '@kinesis-ts/local';
import { KinesisProducer } from '@kinesis-ts/producer';
import { describe, expect, it } from 'vitest';
import { useLocalS3 } from '../../test/local-s3.js';
import { useLocalStack, useTestStreams, waitFor } from '../../test/local-stack.js';
import { KinesisConsumer } from '../kinesis-consumer.js';
import { readStream } from '../read-stream/read-stream.js';
import { claimCheckPointerOf, S3ClaimCheck } from './claim-check.js';

const local = useLocalStack();
const createStream = useTestStreams(local);
const kinesis = local.kinesisClient();
const sha256 = (data: Uint8Array) => createHash('sha256').update(data).digest('hex');

describe('a producer record above the limit through a claim check', () => {
  const s3 = useLocalS3('large-records');

  it('writes a 1.5 MiB record to a 1 MiB stream as a pointer, and the consumer receives the original bytes', async () => {
    const { client } = s3.current();
    const streamName = uniqueName('oversized');
    await createStream(streamName, 1);
    const large = new Uint8Array(1.5 * 1024 * 1024).map((_, i) => (i * 13) % 241);
    const small = new TextEncoder().encode('after');
    const claimCheck = new S3ClaimCheck({ client, bucket: 'large-records' });
    const limits: number[] = [];
    const producer = new KinesisProducer({
      streamName,
      client: kinesis,
      oversizedRecords: (data, { limitBytes }) => {
        limits.push(limitBytes);
        return claimCheck.store(data);
      },
    });
    try {
      await Promise.all([
        producer.put({ partitionKey: 'k', data: large }),
        producer.put({ partitionKey: 'k', data: small }),
      ]);
    } finally {
      await producer.close();
    }
    expect(limits).toEqual([1024 * 1024]);
    // In the stream: a pointer, then the small record.
    const raw = [];
    for await (const record of readStream({ client: kinesis, streamName, pollIntervalMs: 100 }))
      raw.push(record);
    expect(raw).toHaveLength(2);
    expect(claimCheckPointerOf(raw[0]!.data)).toMatchObject({
      bucket: 'large-records',
      bytes: large.byteLength,
    });

    const seen: { bytes: number; sha256: string }[] = [];
    const consumer = new KinesisConsumer({
      streamName,
      applicationName: uniqueName('oversized-app'),
      kinesisClient: kinesis,
      dynamoDbClient: local.dynamoDbClient(),
      initialPosition: 'TRIM_HORIZON',
      failoverTimeMs: 2_000,
      idleTimeBetweenReadsMs: 200,
      resolveClaimChecks: claimCheck,
      handler: (records) => {
        for (const record of records)
          seen.push({ bytes: record.data.byteLength, sha256: sha256(record.data) });
      },
    });
    try {
      await consumer.start();
      await waitFor(() => seen.length === 2, 'both records');
    } finally {
      await consumer.stop();
    }
    expect(seen).toEqual([
      { bytes: large.byteLength, sha256: sha256(large) },
      { bytes: small.byteLength, sha256: sha256(small) },
    ]);
  }, 60_000);
});
