/**
 * Errors retrying cannot fix fail a record on its first attempt, with the cause in its code and
 * message; the ones that show the stream cannot be written at all fail every waiting record at once.
 * The client setup cases use a real SDK client, so the errors are the ones the SDK really throws.
 */
import { KinesisClient } from '@aws-sdk/client-kinesis';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { answeringClient } from '../test/answering-client.js';
import { fakeKinesis, serviceError } from '../test/fake-kinesis.js';
import { closeProducers, producerFor, producers, utf8 } from '../test/producer-harness.js';
import type { RecordFailedError } from './errors.js';
import { KinesisProducer } from './kinesis-producer.js';
import type { KinesisProducerOptions } from './options.js';

afterEach(closeProducers);

/**
 * One request of one record at a time, and a retry policy that would give up after two attempts:
 * on the old classification (setup errors transient) the first record ends as MAX_ATTEMPTS_EXCEEDED
 * after two attempts and the second is sent; a fatal error ends both on the first request.
 */
const oneAtATime: Partial<KinesisProducerOptions> = {
  aggregation: false,
  maxRequestEntries: 1,
  maxConcurrentRequests: 1,
  maxAttempts: 2,
  retryBackoff: { baseDelayMs: 1, maxDelayMs: 2 },
  maxBufferedTimeMs: 1,
};

async function putTwo(producer: KinesisProducer): Promise<[RecordFailedError, RecordFailedError]> {
  const first = producer.put({ partitionKey: 'a', data: utf8('first') }).catch((e: unknown) => e);
  const second = producer.put({ partitionKey: 'b', data: utf8('second') }).catch((e: unknown) => e);
  return (await Promise.all([first, second])) as [RecordFailedError, RecordFailedError];
}

describe('client setup errors, with a real SDK client', () => {
  beforeEach(() => {
    // No region and no credentials from anywhere: environment, shared files, instance metadata.
    for (const name of [
      'AWS_REGION',
      'AWS_DEFAULT_REGION',
      'AWS_PROFILE',
      'AWS_ACCESS_KEY_ID',
      'AWS_SECRET_ACCESS_KEY',
      'AWS_SESSION_TOKEN',
      'AWS_WEB_IDENTITY_TOKEN_FILE',
      'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI',
      'AWS_CONTAINER_CREDENTIALS_FULL_URI',
    ]) {
      vi.stubEnv(name, undefined);
    }
    vi.stubEnv('AWS_CONFIG_FILE', '/nonexistent/kinesis-ts/config');
    vi.stubEnv('AWS_SHARED_CREDENTIALS_FILE', '/nonexistent/kinesis-ts/credentials');
    vi.stubEnv('AWS_EC2_METADATA_DISABLED', 'true');
  });
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  function producerWith(client: KinesisClient): KinesisProducer {
    const producer = new KinesisProducer({ streamName: 'orders', client, ...oneAtATime });
    producers.push(producer);
    return producer;
  }

  it('rejects every waiting record on the first attempt when the client has no region', async () => {
    const client = new KinesisClient({ credentials: { accessKeyId: 'x', secretAccessKey: 'y' } });
    const [first, second] = await putTwo(producerWith(client));
    expect(first).toMatchObject({
      code: 'CANNOT_WRITE_STREAM',
      retryable: false,
      attemptCount: 1,
      lastErrorCode: 'ClientConfigurationError',
    });
    expect(first.message).toContain('Region is missing');
    expect(second).toMatchObject({ code: 'CANNOT_WRITE_STREAM', attemptCount: 0 });
    expect(second.message).toContain('Region is missing');
    client.destroy();
  });

  it('rejects every waiting record on the first attempt when no provider has credentials', async () => {
    const client = new KinesisClient({ region: 'us-east-1' });
    const [first, second] = await putTwo(producerWith(client));
    expect(first).toMatchObject({
      code: 'CANNOT_WRITE_STREAM',
      attemptCount: 1,
      lastErrorCode: 'CredentialsProviderError',
    });
    expect(first.message).toContain('CredentialsProviderError');
    expect(second).toMatchObject({ code: 'CANNOT_WRITE_STREAM', attemptCount: 0 });
    client.destroy();
  });

  /**
   * A producer whose client's credentials worked for one record, and now fail to refresh (an
   * instance-metadata or container endpoint that does not answer): while `refresh.failing`, each call
   * gets the SDK's own `CredentialsProviderError` from its default provider chain, which finds
   * nothing here.
   */
  async function producerWhoseCredentialsStopRefreshing(options: Partial<KinesisProducerOptions> = {}) {
    const noCredentialsAnywhere = new KinesisClient({ region: 'us-east-1' }).config.credentials;
    const refresh = { failing: false };
    const { client } = answeringClient(async () =>
      refresh.failing
        ? noCredentialsAnywhere()
        : // Expiring within the SDK's five-minute window: every call asks for them again.
          { accessKeyId: 'x', secretAccessKey: 'y', expiration: new Date(Date.now() + 60_000) },
    );
    const producer = new KinesisProducer({
      streamName: 'orders',
      client,
      maxBufferedTimeMs: 1,
      retryBackoff: { baseDelayMs: 5, maxDelayMs: 10 },
      ...options,
    });
    producers.push(producer);
    await producer.put({ partitionKey: 'a', data: utf8('before') });
    refresh.failing = true;
    return { client, producer, refresh };
  }

  it('retries records while credentials that worked fail to refresh, and writes them once they do', async () => {
    const { client, producer, refresh } = await producerWhoseCredentialsStopRefreshing();
    const failures: string[] = [];
    producer.events.on('request:completed', ({ errorCode }) => {
      if (errorCode === undefined) return;
      failures.push(errorCode);
      if (failures.length === 3) refresh.failing = false;
    });
    const during = [
      producer.put({ partitionKey: 'a', data: utf8('during 1') }),
      producer.put({ partitionKey: 'b', data: utf8('during 2') }),
    ];
    const results = await Promise.all(during);
    expect(failures).toEqual([
      'CredentialsProviderError',
      'CredentialsProviderError',
      'CredentialsProviderError',
    ]);
    for (const result of results) {
      expect(result.attemptCount).toBe(4);
      expect(result.attempts[0]).toMatchObject({ success: false, errorCode: 'CredentialsProviderError' });
    }
    client.destroy();
  });

  it('lets a record expire with the credentials error as its last error when the refresh keeps failing', async () => {
    const { client, producer } = await producerWhoseCredentialsStopRefreshing({ recordTtlMs: 200 });
    const error = (await producer
      .put({ partitionKey: 'a', data: utf8('during') })
      .catch((e: unknown) => e)) as RecordFailedError;
    expect(error).toMatchObject({ code: 'RECORD_EXPIRED', lastErrorCode: 'CredentialsProviderError' });
    expect(error.attemptCount).toBeGreaterThan(2);
    expect(error.message).toContain('last error CredentialsProviderError');
    client.destroy();
  });

  it('rejects on the first attempt when the endpoint is not a URL (a TypeError)', async () => {
    const client = new KinesisClient({
      region: 'us-east-1',
      endpoint: 'not a url',
      credentials: { accessKeyId: 'x', secretAccessKey: 'y' },
    });
    const [first] = await putTwo(producerWith(client));
    expect(first).toMatchObject({ code: 'CANNOT_WRITE_STREAM', attemptCount: 1, lastErrorCode: 'TypeError' });
    client.destroy();
  });
});

describe('errors from Kinesis', () => {
  it.each([
    ['access denied', 'AccessDeniedException'],
    ['an unknown access key', 'UnrecognizedClientException'],
    ['an unknown stream', 'ResourceNotFoundException'],
  ])('rejects every waiting record on the first attempt on %s (%s)', async (_label, name) => {
    const kinesis = fakeKinesis({ failCall: () => serviceError(name) });
    const [first, second] = await putTwo(producerFor(kinesis, oneAtATime));
    expect(first).toMatchObject({ code: 'CANNOT_WRITE_STREAM', attemptCount: 1, lastErrorCode: name });
    expect(first.message).toContain(name);
    expect(second).toMatchObject({ code: 'CANNOT_WRITE_STREAM', attemptCount: 0, lastErrorCode: name });
    expect(kinesis.putCalls).toHaveLength(1);
  });

  it('rejects a record refused as invalid on the first attempt, and still sends the others', async () => {
    const kinesis = fakeKinesis({
      failCall: (call) => (call === 0 ? serviceError('ValidationException') : undefined),
    });
    const producer = producerFor(kinesis, oneAtATime);
    const first = producer.put({ partitionKey: 'a', data: utf8('first') }).catch((e: unknown) => e);
    const second = producer.put({ partitionKey: 'b', data: utf8('second') });
    const error = (await first) as RecordFailedError;
    expect(error).toMatchObject({
      code: 'RECORD_FAILED',
      retryable: false,
      attemptCount: 1,
      lastErrorCode: 'ValidationException',
    });
    expect(error.message).toContain('ValidationException');
    expect((await second).attemptCount).toBe(1);
  });

  it('carries the last real error of a record that expires, in lastErrorCode and in the message', async () => {
    vi.useFakeTimers();
    const kinesis = fakeKinesis({ failCall: () => serviceError('InternalFailure', 500) });
    const producer = producerFor(kinesis, {
      recordTtlMs: 1_000,
      retryBackoff: { baseDelayMs: 300, maxDelayMs: 300 },
    });
    const outcome = producer.put({ partitionKey: 'k', data: utf8('x') }).catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(2_000);
    const error = (await outcome) as RecordFailedError;
    expect(error.code).toBe('RECORD_EXPIRED');
    expect(error.lastErrorCode).toBe('InternalFailure');
    expect(error.message).toContain('last error InternalFailure');
  });

  it("gives a record that expires unsent, behind its shard's failed sends, the error that held it back", async () => {
    vi.useFakeTimers();
    const kinesis = fakeKinesis({ failCall: () => serviceError('InternalFailure', 500) });
    const producer = producerFor(kinesis, {
      ...oneAtATime,
      maxAttempts: Number.POSITIVE_INFINITY,
      recordTtlMs: 1_000,
      retryBackoff: { baseDelayMs: 300, maxDelayMs: 300 },
      random: () => 0.999,
    });
    // One request of one record at a time: the first record is retried at the front of the lane,
    // the second is never sent.
    const first = producer.put({ partitionKey: 'k', data: utf8('first') }).catch((e: unknown) => e);
    const second = producer.put({ partitionKey: 'k', data: utf8('second') }).catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(2_000);
    const error = (await second) as RecordFailedError;
    expect(error.code).toBe('RECORD_EXPIRED');
    expect(error.attemptCount).toBe(1); // only its Expired attempt
    expect(error.lastErrorCode).toBe('InternalFailure');
    expect(error.message).toContain('InternalFailure');
    expect(((await first) as RecordFailedError).lastErrorCode).toBe('InternalFailure');
  });
});
