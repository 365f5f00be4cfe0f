import { KinesisClient } from '@aws-sdk/client-kinesis';
import { RequestTimeoutError } from '@kinesis-ts/core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { describeStream, listShards, OPERATIONS_REQUEST_TIMEOUT_MS } from './stream-shards.js';

/** A Kinesis client whose endpoint accepts every request and never answers, even when aborted. */
function unansweringClient() {
  const signals: AbortSignal[] = [];
  const client = new KinesisClient({
    region: 'us-east-1',
    credentials: { accessKeyId: 'x', secretAccessKey: 'y' },
    requestHandler: {
      handle(_request: unknown, options?: { abortSignal?: AbortSignal }) {
        if (options?.abortSignal) signals.push(options.abortSignal);
        return new Promise<never>(() => undefined);
      },
      updateHttpClientConfig() {},
      httpHandlerConfigs: () => ({}),
    } as never,
  });
  return { client, signals };
}

describe('the operations helpers against an endpoint that never answers', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('give up on each call after OPERATIONS_REQUEST_TIMEOUT_MS with a transient RequestTimeout', async () => {
    vi.useFakeTimers();
    const { client, signals } = unansweringClient();
    for (const call of [
      () => describeStream(client, { streamName: 's' }),
      () => listShards(client, { streamName: 's' }),
    ]) {
      const sent = signals.length;
      const outcome = call().catch((error: unknown) => error);
      // The SDK's middleware (credentials, signing) runs before the request reaches the handler:
      // let it get there before the clock moves, or the deadline can beat it on a loaded machine.
      await vi.waitFor(
        () => {
          if (signals.length === sent) throw new Error('the request has not reached the handler yet');
        },
        { timeout: 10_000, interval: 10 },
      );
      await vi.advanceTimersByTimeAsync(OPERATIONS_REQUEST_TIMEOUT_MS);
      expect(await outcome).toBeInstanceOf(RequestTimeoutError);
    }
    expect(signals).toHaveLength(2);
    expect(signals.every((signal) => signal.aborted)).toBe(true);
  });
});
