import { createServer, type Socket } from 'node:net';
import { KinesisClient } from '@aws-sdk/client-kinesis';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { afterEach, describe, expect, it } from 'vitest';
import { RecordFailedError } from './errors.js';
import { KinesisProducer } from './kinesis-producer.js';

/** A loopback TCP endpoint that accepts connections, reads what is sent, and never answers. */
async function blackHole() {
  const sockets = new Set<Socket>();
  let requests = 0;
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('data', () => requests++);
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no TCP address');
  return {
    endpoint: `http://127.0.0.1:${address.port}`,
    requestsSeen: () => requests,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe('a producer whose Kinesis endpoint accepts connections and never answers', () => {
  it('rejects a record with RECORD_EXPIRED at its time to live, not after requestTimeoutMs, with the timeout as last error', async () => {
    const endpoint = await blackHole();
    cleanups.push(endpoint.close);
    const client = new KinesisClient({
      region: 'us-east-1',
      endpoint: endpoint.endpoint,
      credentials: { accessKeyId: 'x', secretAccessKey: 'y' },
      requestHandler: new NodeHttpHandler(),
    });
    cleanups.push(async () => client.destroy());
    const producer = new KinesisProducer({
      streamName: 'orders',
      client,
      maxBufferedTimeMs: 10,
      recordTtlMs: 1_000,
      requestTimeoutMs: 6_000,
    });
    cleanups.push(() => producer.close().catch(() => undefined));

    const outcome = producer.put({ partitionKey: 'k', data: Buffer.from('x') }).then(
      () => 'written',
      (error: unknown) => error,
    );
    // The time to live (1 s) comes long before this guard (4 s), and the guard before the request
    // timeout (6 s): the record must be settled by its time to live, not by the request timeout.
    let guardTimer: ReturnType<typeof setTimeout> | undefined;
    const guard = new Promise((resolve) => {
      guardTimer = setTimeout(() => resolve('still pending at 4 s'), 4_000);
    });
    const settled = await Promise.race([outcome, guard]);
    clearTimeout(guardTimer);

    expect(settled).toBeInstanceOf(RecordFailedError);
    const error = settled as RecordFailedError;
    expect(error.code).toBe('RECORD_EXPIRED');
    expect(error.lastErrorCode).toBe('RequestTimeout');
    expect(error.attempts.map((attempt) => attempt.errorCode)).toEqual(['RequestTimeout', 'Expired']);
    expect(endpoint.requestsSeen()).toBeGreaterThan(0); // the PutRecords did reach the endpoint
  });
});
