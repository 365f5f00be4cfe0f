import { createHash } from 'node:crypto';
import { PutRecordCommand } from '@aws-sdk/client-kinesis';
import { uniqueName } from '@kinesis-ts/local';
import { describe, expect, it } from 'vitest';
import { useLocalS3 } from '../../test/local-s3.js';
import { useLocalStack, useTestStreams, waitFor } from '../../test/local-stack.js';
import { KinesisConsumer } from '../kinesis-consumer.js';
import { kinesisLambdaHandler } from '../lambda/lambda-handler.js';
import { readStream } from '../read-stream/read-stream.js';
import { claimCheckPointerOf, resolveClaimChecks, resolveDeadLetter, S3ClaimCheck } from './claim-check.js';
import { deadLetterTo } from './dead-letter.js';
import { KinesisDeadLetterSink } from './kinesis-dead-letter-sink.js';

const local = useLocalStack();
const createStream = useTestStreams(local);
const kinesis = local.kinesisClient();
const sha256 = (data: Uint8Array) => createHash('sha256').update(data).digest('hex');

describe('a claim check on a real local S3 server', () => {
  const s3 = useLocalS3('dead-letters');

  it('sends a 3 MiB poison record to the dead-letter stream as a pointer, and resolves it on read', async () => {
    const { client } = s3.current();
    const dlq = uniqueName('dlq');
    await createStream(dlq, 1);
    const poison = new Uint8Array(3 * 1024 * 1024).map((_, i) => (i * 31) % 251);
    const event = {
      Records: [
        {
          kinesis: {
            partitionKey: 'order-7',
            data: Buffer.from(poison).toString('base64'),
            sequenceNumber: '100',
          },
          eventID: 'shardId-000000000000:100',
          eventSourceARN: 'arn:aws:kinesis:us-east-1:000000000000:stream/orders',
        },
      ],
    };
    const failing = () => {
      throw new Error('cannot parse');
    };

    // without a claim check: the letter is too large, so the record is reported as failed (as today)
    const withoutClaimCheck = kinesisLambdaHandler({
      processRecord: failing,
      onPoisonRecord: deadLetterTo(new KinesisDeadLetterSink({ client: kinesis, streamName: dlq })),
    });
    expect(await withoutClaimCheck(event, {})).toEqual({ batchItemFailures: [{ itemIdentifier: '100' }] });

    const claimCheck = new S3ClaimCheck({ client, bucket: 'dead-letters', lifecycle: 'delete-after-read' });
    const handler = kinesisLambdaHandler({
      processRecord: failing,
      onPoisonRecord: deadLetterTo(
        new KinesisDeadLetterSink({ client: kinesis, streamName: dlq, claimCheck }),
      ),
    });
    expect(await handler(event, {})).toEqual({ batchItemFailures: [] });

    const letters = [];
    for await (const record of readStream({ client: kinesis, streamName: dlq, pollIntervalMs: 100 }))
      letters.push(record);
    expect(letters).toHaveLength(1);
    const pointer = claimCheckPointerOf(letters[0]!.data);
    expect(pointer).toMatchObject({ kinesisTsClaimCheck: 1, bucket: 'dead-letters' });
    expect(letters[0]!.data.byteLength).toBeLessThan(1_024); // a pointer, not the 4 MiB letter

    // a consumer of the dead-letter stream gets the letter through the opt-in wrapper
    let resolved: Uint8Array | undefined;
    await resolveClaimChecks(claimCheck, (record: { data: Uint8Array }) => {
      resolved = record.data;
    })(letters[0]!);
    const letter = await resolveDeadLetter(resolved!, new S3ClaimCheck({ client, bucket: 'dead-letters' }));
    expect(letter).toMatchObject({
      partitionKey: 'order-7',
      sequenceNumber: '100',
      error: { message: 'cannot parse' },
    });
    expect(letter.data.byteLength).toBe(poison.byteLength);
    expect(sha256(letter.data)).toBe(sha256(poison));

    // delete-after-read: the object is gone once read
    await expect(claimCheck.resolve(letters[0]!.data)).rejects.toThrow();
  }, 60_000);

  it('hands a KinesisConsumer with resolveClaimChecks the 3 MiB payload behind a pointer record', async () => {
    const { client } = s3.current();
    const streamName = uniqueName('claims');
    await createStream(streamName, 1);
    const payload = new Uint8Array(3 * 1024 * 1024).map((_, i) => (i * 7) % 253);
    const claimCheck = new S3ClaimCheck({ client, bucket: 'dead-letters' });
    const pointer = await claimCheck.store(payload);
    for (const data of [new TextEncoder().encode('plain'), pointer]) {
      await kinesis.send(new PutRecordCommand({ StreamName: streamName, PartitionKey: 'k', Data: data }));
    }
    const seen: { bytes: number; sha256: string }[] = [];
    const consumer = new KinesisConsumer({
      streamName,
      applicationName: uniqueName('claims-app'),
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
      { bytes: 5, sha256: sha256(new TextEncoder().encode('plain')) },
      { bytes: payload.byteLength, sha256: sha256(payload) },
    ]);
  }, 60_000);
});
