/**
 * A loopback TCP server that accepts connections, reads what is sent and never answers: an AWS
 * endpoint that hangs (a stalled load balancer, a half-open connection), for tests of deadlines.
 */
import { createServer, type Socket } from 'node:net';
import { afterEach } from 'vitest';

export interface BlackHole {
  /** `http://127.0.0.1:<port>`, to use as a client's endpoint. */
  readonly endpoint: string;
  readonly port: number;
  /** Connections accepted so far. */
  connections(): number;
  /** Bytes received so far (requests sent into the hole). */
  bytesReceived(): number;
  close(): Promise<void>;
}

/** Starts a black hole on 127.0.0.1 (a free port). */
export async function startBlackHole(): Promise<BlackHole> {
  const sockets = new Set<Socket>();
  let connections = 0;
  let bytes = 0;
  const server = createServer((socket) => {
    connections++;
    sockets.add(socket);
    socket.on('data', (chunk) => {
      bytes += chunk.length;
    });
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('black hole has no TCP address');
  return {
    endpoint: `http://127.0.0.1:${address.port}`,
    port: address.port,
    connections: () => connections,
    bytesReceived: () => bytes,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** `startBlackHole` for a test file: every hole it starts is closed after each test. */
export function useBlackHoles(): () => Promise<BlackHole> {
  const started: BlackHole[] = [];
  afterEach(async () => {
    await Promise.all(started.splice(0).map((hole) => hole.close()));
  });
  return async () => {
    const hole = await startBlackHole();
    started.push(hole);
    return hole;
  };
}

/** How a promise stood after at most `timeoutMs`: resolved, rejected, or still pending. */
export async function outcomeWithin<T>(
  promise: Promise<T>,
  timeoutMs: number,
): Promise<
  | { readonly status: 'resolved'; readonly value: T }
  | { readonly status: 'rejected'; readonly error: unknown }
  | { readonly status: 'pending' }
> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const pending = new Promise<{ status: 'pending' }>((resolve) => {
    timer = setTimeout(() => resolve({ status: 'pending' }), timeoutMs);
  });
  try {
    return await Promise.race([
      promise.then(
        (value) => ({ status: 'resolved' as const, value }),
        (error: unknown) => ({ status: 'rejected' as const, error }),
      ),
      pending,
    ]);
  } finally {
    clearTimeout(timer);
  }
}
