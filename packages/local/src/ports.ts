import { createConnection, createServer } from 'node:net';
import { LocalStackError, LocalStackErrorCode } from './errors';

/**
 * Tries to listen on `port` (all interfaces when `host` is undefined, as kinesis-local does) and
 * closes again. Resolves with the port that was bound (useful with port 0: a free port), or with
 * `undefined` when the port is already in use.
 */
export function tryBindPort(port: number, host?: string): Promise<number | undefined> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EADDRINUSE' || error.code === 'EACCES') resolve(undefined);
      else reject(error);
    });
    server.listen({ port, host, exclusive: true }, () => {
      const address = server.address();
      const bound = typeof address === 'object' && address !== null ? address.port : port;
      server.close(() => resolve(bound));
    });
  });
}

/**
 * A port that is free right now on every interface. (Another process may take it before it is
 * used; the stack reports that as a port-in-use error.)
 */
export async function findFreePort(exclude: readonly number[] = []): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const port = await tryBindPort(0);
    if (port !== undefined && !exclude.includes(port)) return port;
  }
  throw new LocalStackError('No free TCP port found after 20 attempts', {
    code: LocalStackErrorCode.PORT_IN_USE,
    component: 'stack',
  });
}

/** Whether something accepts TCP connections on `host:port` (resolves within `timeoutMs`). */
export function isPortAcceptingConnections(
  port: number,
  host = '127.0.0.1',
  timeoutMs = 1_000,
): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ port, host });
    const done = (open: boolean) => {
      socket.destroy();
      resolve(open);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}
