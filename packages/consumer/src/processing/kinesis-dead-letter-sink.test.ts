import { KinesisClient, PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { type DeadLetter, decodeDeadLetter } from './dead-letter.js';
import { KinesisDeadLetterSink } from './kinesis-dead-letter-sink.js';
import { DeadLetterDeliveryError } from './processing-errors.js';

const kinesis = mockClient(KinesisClient);
afterEach(() => kinesis.reset());

const letter = (i: number, size = 3): DeadLetter => ({
  streamName: 'orders',
  shardId: 'shardId-000000000000',
  sequenceNumber: String(1_000 + i),
  subSequenceNumber: 0,
  partitionKey: `k${i}`,
  aggregated: false,
  data: new Uint8Array(size),
  error: { name: 'Error', message: 'bad' },
  attempts: 3,
  deadLetteredAt: new Date(0),
});

const sink = (options: Partial<ConstructorParameters<typeof KinesisDeadLetterSink>[0]> = {}) =>
  new KinesisDeadLetterSink({
    client: new KinesisClient({ region: 'us-east-1' }),
    streamName: 'orders-dlq',
    backoff: { baseDelayMs: 0, maxDelayMs: 0 },
    ...options,
  });

describe('KinesisDeadLetterSink', () => {
  it('writes each letter as a JSON envelope keyed by the poison record’s partition key', async () => {
    kinesis.on(PutRecordsCommand).resolves({ Records: [{ SequenceNumber: '1', ShardId: 's' }] });
    await sink().send([letter(1)]);
    const [call] = kinesis.commandCalls(PutRecordsCommand);
    const input = call!.args[0].input;
    expect(input.StreamName).toBe('orders-dlq');
    expect(input.Records).toHaveLength(1);
    expect(input.Records![0]!.PartitionKey).toBe('k1');
    expect(decodeDeadLetter(input.Records![0]!.Data!)).toEqual(letter(1));
  });

  it('retries only the entries that failed', async () => {
    kinesis
      .on(PutRecordsCommand)
      .resolvesOnce({
        FailedRecordCount: 1,
        Records: [
          { SequenceNumber: '1', ShardId: 's' },
          { ErrorCode: 'ProvisionedThroughputExceededException', ErrorMessage: 'slow down' },
        ],
      })
      .resolves({ Records: [{ SequenceNumber: '2', ShardId: 's' }] });
    await sink().send([letter(1), letter(2)]);
    const calls = kinesis.commandCalls(PutRecordsCommand);
    expect(calls).toHaveLength(2);
    expect(calls[1]!.args[0].input.Records!.map((r) => r.PartitionKey)).toEqual(['k2']);
  });

  it('retries failed calls that may succeed later, then gives up with a typed error', async () => {
    kinesis
      .on(PutRecordsCommand)
      .rejects(Object.assign(new Error('throttled'), { name: 'ProvisionedThroughputExceededException' }));
    const error = await sink({ maxAttempts: 3 })
      .send([letter(1)])
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DeadLetterDeliveryError);
    expect(error).toMatchObject({ code: 'DEAD_LETTER_FAILED', records: 1, retryable: true });
    expect(kinesis.commandCalls(PutRecordsCommand)).toHaveLength(3);
  });

  it('gives up on a PutRecords call that gets no answer within requestTimeoutMs, and counts it as a failed try', async () => {
    kinesis.on(PutRecordsCommand).callsFake(() => new Promise(() => undefined)); // never answers
    const error = await sink({ maxAttempts: 2, requestTimeoutMs: 100 })
      .send([letter(1)])
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'DEAD_LETTER_FAILED', records: 1, retryable: true });
    expect((error as Error).message).toContain('RequestTimeout');
    expect(kinesis.commandCalls(PutRecordsCommand)).toHaveLength(2);
  });

  it('refuses a requestTimeoutMs under 100 ms', () => {
    expect(() => sink({ requestTimeoutMs: 0 })).toThrow(/requestTimeoutMs/);
  });

  it('does not retry errors that cannot succeed', async () => {
    kinesis
      .on(PutRecordsCommand)
      .rejects(Object.assign(new Error('no such stream'), { name: 'ResourceNotFoundException' }));
    const error = await sink()
      .send([letter(1)])
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'DEAD_LETTER_FAILED', retryable: false });
    expect(kinesis.commandCalls(PutRecordsCommand)).toHaveLength(1);
  });

  it('fails at once when the client has no credentials, and retries once Kinesis has answered it (a refresh that failed)', async () => {
    const noCredentials = () =>
      Object.assign(new Error('Could not load credentials from any providers'), {
        name: 'CredentialsProviderError',
      });
    kinesis.on(PutRecordsCommand).rejects(noCredentials());
    const deadLetters = sink();
    const first = await deadLetters.send([letter(1)]).catch((e: unknown) => e);
    expect(first).toMatchObject({ code: 'DEAD_LETTER_FAILED', retryable: false });
    expect(kinesis.commandCalls(PutRecordsCommand)).toHaveLength(1);

    kinesis.reset();
    kinesis
      .on(PutRecordsCommand)
      .resolvesOnce({ FailedRecordCount: 0, Records: [{ ShardId: 's', SequenceNumber: '1' }] })
      .rejectsOnce(noCredentials())
      .resolves({ FailedRecordCount: 0, Records: [{ ShardId: 's', SequenceNumber: '2' }] });
    await deadLetters.send([letter(2)]);
    await deadLetters.send([letter(3)]);
    expect(kinesis.commandCalls(PutRecordsCommand)).toHaveLength(3);
  });

  it('refuses a letter larger than the stream takes instead of cutting it', async () => {
    const error = await sink({ maxRecordSizeBytes: 1_000 })
      .send([letter(1, 2_000)])
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DeadLetterDeliveryError);
    expect((error as Error).message).toMatch(/over the dead-letter stream's 1000/);
    expect(kinesis.commandCalls(PutRecordsCommand)).toHaveLength(0);
  });

  it('splits many letters into calls of at most 500 entries', async () => {
    kinesis.on(PutRecordsCommand).callsFake((input: { Records: unknown[] }) => ({
      Records: input.Records.map(() => ({ SequenceNumber: '1', ShardId: 's' })),
    }));
    await sink().send(Array.from({ length: 1_001 }, (_, i) => letter(i)));
    expect(kinesis.commandCalls(PutRecordsCommand).map((c) => c.args[0].input.Records!.length)).toEqual([
      500, 500, 1,
    ]);
  });

  it('takes the letters of records up to 10 MiB on a raised stream, and packs calls up to 10 MiB', async () => {
    kinesis.on(PutRecordsCommand).callsFake((input: { Records: unknown[] }) => ({
      Records: input.Records.map(() => ({ SequenceNumber: '1', ShardId: 's' })),
    }));
    const MIB = 1024 * 1024;
    const large = sink({ maxRecordSizeBytes: 10 * MIB });
    await large.send([letter(0, 7 * MIB)]); // a 9.3 MiB letter (the data in base64)
    await large.send([1, 2, 3].map((i) => letter(i, 2 * MIB))); // three letters of about 2.7 MiB
    const calls = kinesis.commandCalls(PutRecordsCommand).map((c) => c.args[0].input.Records!.length);
    expect(calls).toEqual([1, 3]);
  });

  it('uses the custom partition key and encoding, and the stream ARN', async () => {
    kinesis.on(PutRecordsCommand).resolves({ Records: [{ SequenceNumber: '1', ShardId: 's' }] });
    const streamArn = 'arn:aws:kinesis:us-east-1:123456789012:stream/dlq';
    await sink({
      streamName: undefined,
      streamArn,
      partitionKeyOf: (l) => l.shardId!,
      encode: (l) => l.data,
    }).send([letter(1)]);
    const input = kinesis.commandCalls(PutRecordsCommand)[0]!.args[0].input;
    expect(input).toMatchObject({ StreamARN: streamArn, StreamName: undefined });
    expect(input.Records![0]).toEqual({ PartitionKey: 'shardId-000000000000', Data: new Uint8Array(3) });
  });

  it('wants exactly one of streamName and streamArn', () => {
    expect(() => sink({ streamName: undefined })).toThrow(/streamName/);
    expect(() => sink({ streamArn: 'arn:aws:kinesis:us-east-1:1:stream/x' })).toThrow(/streamName/);
  });

  it('refuses unknown options and values out of range at construction, naming them', () => {
    expect(() => sink({ maxAttempt: 3 } as never)).toThrow(
      expect.objectContaining({
        field: 'maxAttempt',
        message: expect.stringContaining("did you mean 'maxAttempts'?"),
      }),
    );
    expect(() => sink({ maxAttempts: 101 })).toThrow(
      expect.objectContaining({ field: 'maxAttempts', limit: 'an integer from 1 to 100' }),
    );
    expect(() => sink({ client: {} as never })).toThrow(expect.objectContaining({ field: 'client' }));
    expect(() => sink({ encode: null as never })).toThrow(expect.objectContaining({ field: 'encode' }));
  });
});
