import type { Server } from 'node:http';
import { createRequire } from 'node:module';
import { LOCAL_STACK_ERROR_CODES, LocalStackError } from './errors';

type Dynalite = (options: { createTableMs: number; deleteTableMs: number; updateTableMs: number }) => Server;

/** A dynalite server listening on 127.0.0.1 (see {@link startDynamoDbServer}). */
export interface DynamoDbServer {
  /** The port it listens on. */
  readonly port: number;
  /** Closes the server, its connections and its in-memory database; resolves within `timeoutMs`. */
  close(timeoutMs: number): Promise<void>;
}

/**
 * Starts dynalite (in memory, in this process) on `127.0.0.1:port` (`0` for a free port).
 * @throws LocalStackError `LOCAL_STACK_PORT_IN_USE` or `LOCAL_STACK_DYNAMODB_FAILED`.
 */
export async function startDynamoDbServer(options: {
  port: number;
  /** Whether `port` was picked by the stack (a port-in-use error is then retryable). */
  autoPort: boolean;
  createTableMs: number;
  deleteTableMs: number;
  updateTableMs: number;
}): Promise<DynamoDbServer> {
  const require = createRequire(import.meta.url);
  let server: Server;
  try {
    const dynalite = require('dynalite') as Dynalite;
    server = dynalite({
      createTableMs: options.createTableMs,
      deleteTableMs: options.deleteTableMs,
      updateTableMs: options.updateTableMs,
    });
  } catch (cause) {
    throw new LocalStackError('The DynamoDB server (dynalite) could not be created', {
      code: LOCAL_STACK_ERROR_CODES.dynamoDbFailed,
      component: 'dynamodb',
      cause,
    });
  }
  const port = await new Promise<number>((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      const inUse = error.code === 'EADDRINUSE';
      reject(
        new LocalStackError(
          inUse
            ? `The DynamoDB port ${options.port} (option dynamoDbPort) is already in use`
            : `The DynamoDB server (dynalite) could not listen on 127.0.0.1:${options.port}: ${error.message}`,
          {
            code: inUse ? LOCAL_STACK_ERROR_CODES.portInUse : LOCAL_STACK_ERROR_CODES.dynamoDbFailed,
            component: 'dynamodb',
            // A free port picked by the stack and taken since: another attempt picks another one.
            retryable: inUse && options.autoPort,
            cause: error,
          },
        ),
      );
    };
    server.once('error', onError);
    server.listen({ port: options.port, host: '127.0.0.1', exclusive: true }, () => {
      server.off('error', onError);
      const address = server.address();
      resolve(typeof address === 'object' && address !== null ? address.port : options.port);
    });
  });
  // Keep-alive sockets must not hold the server open when it closes.
  server.keepAliveTimeout = 1_000;

  let closing: Promise<void> | undefined;
  return {
    port,
    close(timeoutMs) {
      closing ??= new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, timeoutMs);
        server.close(() => {
          clearTimeout(timer);
          resolve();
        });
        server.closeAllConnections();
      });
      return closing;
    },
  };
}
