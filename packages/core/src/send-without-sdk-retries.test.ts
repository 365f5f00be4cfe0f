import { KinesisClient, ListShardsCommand } from '@aws-sdk/client-kinesis';
import { describe, expect, it, vi } from 'vitest';
import { classifyAwsError } from './aws-error.js';
import { RequestTimeoutError, sendWithDeadline, sendWithoutSdkRetries } from './send-without-sdk-retries.js';

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

  it('rejects a call with no answer within timeoutMs as a transient RequestTimeout, and aborts it', async () => {
    const signals: AbortSignal[] = [];
    const silent = {
      handle(_request: unknown, options?: { abortSignal?: AbortSignal }) {
        if (options?.abortSignal) signals.push(options.abortSignal);
        return new Promise<never>(() => undefined); // never answers, even when aborted
      },
      updateHttpClientConfig() {},
      httpHandlerConfigs: () => ({}),
    };
    const error = await sendWithoutSdkRetries(
      clientWith(silent as never),
      new ListShardsCommand({ StreamName: 's' }),
      { timeoutMs: 20 },
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RequestTimeoutError);
    expect(classifyAwsError(error)).toBe('transient');
    expect(signals).toHaveLength(1);
    expect(signals[0]!.aborted).toBe(true);
  });

  it("answers within timeoutMs as without it, and forwards the caller's abort", async () => {
    const fake = fakeHandler(() => ({ statusCode: 200, body: JSON.stringify({ Shards: [] }) }));
    const output = await sendWithoutSdkRetries(
      clientWith(fake.handler),
      new ListShardsCommand({ StreamName: 's' }),
      { timeoutMs: 60_000 },
    );
    expect(output.Shards).toEqual([]);
    const signals: AbortSignal[] = [];
    const silent = {
      handle(_request: unknown, options?: { abortSignal?: AbortSignal }) {
        if (options?.abortSignal) signals.push(options.abortSignal);
        return new Promise<never>((_, reject) =>
          options?.abortSignal?.addEventListener('abort', () =>
            reject(Object.assign(new Error('aborted'), { name: 'AbortError' })),
          ),
        );
      },
      updateHttpClientConfig() {},
      httpHandlerConfigs: () => ({}),
    };
    const caller = new AbortController();
    const sent = sendWithoutSdkRetries(
      clientWith(silent as never),
      new ListShardsCommand({ StreamName: 's' }),
      {
        abortSignal: caller.signal,
        timeoutMs: 60_000,
      },
    );
    await vi.waitFor(() => expect(signals).toHaveLength(1)); // the call reached the handler
    caller.abort();
    await expect(sent).rejects.toMatchObject({ name: 'AbortError' });
    expect(signals[0]!.aborted).toBe(true);
  });

  it('leaves the client retrying other commands as before', async () => {
    const fake = fakeHandler(throttled);
    const client = clientWith(fake.handler);
    await sendWithoutSdkRetries(client, new ListShardsCommand({ StreamName: 's' })).catch(() => undefined);
    await client.send(new ListShardsCommand({ StreamName: 's' })).catch(() => undefined);
    expect(fake.calls).toHaveLength(1 + 3);
  }, 30_000);
});

/** A handler that never answers, even when aborted; it records the signals it was given. */
function blackHole() {
  const signals: AbortSignal[] = [];
  return {
    signals,
    handler: {
      handle(_request: unknown, options?: { abortSignal?: AbortSignal }) {
        if (options?.abortSignal) signals.push(options.abortSignal);
        return new Promise<never>(() => undefined);
      },
      updateHttpClientConfig() {},
      httpHandlerConfigs: () => ({}),
    },
  };
}

describe('sendWithDeadline', () => {
  it("keeps the SDK's retries within the deadline", async () => {
    let calls = 0;
    const fake = fakeHandler(() =>
      ++calls < 3 ? throttled() : { statusCode: 200, body: JSON.stringify({ Shards: [] }) },
    );
    const output = await sendWithDeadline(
      clientWith(fake.handler),
      new ListShardsCommand({ StreamName: 's' }),
      { timeoutMs: 60_000 },
    );
    expect(output.Shards).toEqual([]);
    expect(fake.calls).toHaveLength(3);
  }, 30_000);

  it('rejects a call with no answer within timeoutMs as a transient RequestTimeout, even if the handler ignores the abort', async () => {
    const hole = blackHole();
    const error = await sendWithDeadline(
      clientWith(hole.handler as never),
      new ListShardsCommand({ StreamName: 's' }),
      { timeoutMs: 20 },
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RequestTimeoutError);
    expect(classifyAwsError(error)).toBe('transient');
    expect(hole.signals[0]?.aborted).toBe(true);
  });

  it("rejects with the caller's reason when the caller aborts, even if the handler ignores the abort", async () => {
    for (const send of [sendWithDeadline, sendWithoutSdkRetries]) {
      const hole = blackHole();
      const caller = new AbortController();
      const sent = send(clientWith(hole.handler as never), new ListShardsCommand({ StreamName: 's' }), {
        abortSignal: caller.signal,
        timeoutMs: 60_000,
      });
      await vi.waitFor(() => expect(hole.signals).toHaveLength(1));
      const reason = new Error('stopping');
      caller.abort(reason);
      await expect(sent).rejects.toBe(reason);
      expect(hole.signals[0]!.aborted).toBe(true);
    }
  });

  it('does not send at all when the caller has already aborted', async () => {
    const hole = blackHole();
    const caller = new AbortController();
    caller.abort(new Error('gone'));
    await expect(
      sendWithDeadline(clientWith(hole.handler as never), new ListShardsCommand({ StreamName: 's' }), {
        abortSignal: caller.signal,
        timeoutMs: 60_000,
      }),
    ).rejects.toThrow('gone');
    expect(hole.signals).toHaveLength(0);
  });
});
