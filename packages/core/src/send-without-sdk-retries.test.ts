import { KinesisClient, ListShardsCommand } from '@aws-sdk/client-kinesis';
import { describe, expect, it } from 'vitest';
import { sendWithoutSdkRetries } from './send-without-sdk-retries.js';

/** A request handler standing in for the network: answers every request with `respond`. */
function fakeHandler(
  respond: () => { statusCode: number; body: string; headers?: Record<string, string> } | Error,
) {
  const calls: unknown[] = [];
  return {
    calls,
    handler: {
      async handle(request: unknown) {
        calls.push(request);
        const answer = respond();
        if (answer instanceof Error) throw answer;
        const { Readable } = await import('node:stream');
        return {
          response: {
            statusCode: answer.statusCode,
            headers: { 'content-type': 'application/x-amz-json-1.1', ...answer.headers },
            body: Readable.from([Buffer.from(answer.body)]),
          },
        };
      },
      updateHttpClientConfig() {},
      httpHandlerConfigs: () => ({}),
    },
  };
}

function clientWith(handler: ReturnType<typeof fakeHandler>['handler']) {
  return new KinesisClient({
    region: 'us-east-1',
    endpoint: 'http://127.0.0.1:1',
    credentials: { accessKeyId: 'x', secretAccessKey: 'y' },
    maxAttempts: 3,
    retryStrategy: undefined,
    requestHandler: handler as never,
  });
}

const throttled = () => ({
  statusCode: 400,
  body: JSON.stringify({ __type: 'LimitExceededException', message: 'Rate exceeded' }),
});

describe('sendWithoutSdkRetries', () => {
  it('lets the SDK retry a throttled call when sent normally (the baseline)', async () => {
    const fake = fakeHandler(throttled);
    await expect(
      clientWith(fake.handler).send(new ListShardsCommand({ StreamName: 's' })),
    ).rejects.toMatchObject({
      name: 'LimitExceededException',
    });
    expect(fake.calls).toHaveLength(3);
  }, 30_000);

  it('sends a throttled call once and rethrows the service error unchanged', async () => {
    const fake = fakeHandler(throttled);
    const client = clientWith(fake.handler);
    const error = await sendWithoutSdkRetries(client, new ListShardsCommand({ StreamName: 's' })).catch(
      (e) => e,
    );
    expect(fake.calls).toHaveLength(1);
    expect(error.name).toBe('LimitExceededException');
    expect(error.$metadata.httpStatusCode).toBe(400);
  });

  it('sends once on a 500 and on a socket error', async () => {
    const serverError = fakeHandler(() => ({
      statusCode: 500,
      body: JSON.stringify({ __type: 'InternalFailure' }),
    }));
    await expect(
      sendWithoutSdkRetries(clientWith(serverError.handler), new ListShardsCommand({ StreamName: 's' })),
    ).rejects.toMatchObject({ name: 'InternalFailure' });
    expect(serverError.calls).toHaveLength(1);

    const reset = fakeHandler(() => Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }));
    await expect(
      sendWithoutSdkRetries(clientWith(reset.handler), new ListShardsCommand({ StreamName: 's' })),
    ).rejects.toMatchObject({ code: 'ECONNRESET' });
    expect(reset.calls).toHaveLength(1);
  });

  it('returns the output of a successful call', async () => {
    const fake = fakeHandler(() => ({
      statusCode: 200,
      body: JSON.stringify({ Shards: [{ ShardId: 'shardId-1' }] }),
    }));
    const output = await sendWithoutSdkRetries(
      clientWith(fake.handler),
      new ListShardsCommand({ StreamName: 's' }),
    );
    expect(output.Shards?.[0]?.ShardId).toBe('shardId-1');
  });

  it('leaves the client retrying other commands as before', async () => {
    const fake = fakeHandler(throttled);
    const client = clientWith(fake.handler);
    await sendWithoutSdkRetries(client, new ListShardsCommand({ StreamName: 's' })).catch(() => undefined);
    await client.send(new ListShardsCommand({ StreamName: 's' })).catch(() => undefined);
    expect(fake.calls).toHaveLength(1 + 3);
  }, 30_000);
});
