import type { Server } from 'node:http';
import { createRequire } from 'node:module';
import { LocalStackError, LocalStackErrorCode } from './errors';
import { RequestsInHandling } from './requests-in-handling';

/** The longest `close` waits for requests still being handled before it closes the server. */
const REQUESTS_GRACE_MS = 2_000;

type Dynalite = (options: { createTableMs: number; deleteTableMs: number; updateTableMs: number }) => Server;

/** A dynalite server listening on 127.0.0.1 (see {@link startDynamoDbServer}). */
export interface DynamoDbServer {
  /** The port it listens on. */
  readonly port: number;
  /** Closes the server, its connections and its in-memory database; resolves within `timeoutMs`. */
  close(timeoutMs: number): Promise<void>;
}

/**
 * What to tell the user when dynalite cannot be loaded. dynalite requires `level` as it loads, and
 * with it LevelDB's native addon (classic-level), even though the stack keeps its tables in memory:
 * on a platform without a prebuilt binary, and with install scripts not run (pnpm 10's default),
 * there is nothing to load.
 */
export function dynaliteFailureMessage(cause: unknown): string {
  const detail = cause instanceof Error ? cause.message : String(cause);
  if (
    /No native build was found|classic-level|\.node\b|ERR_DLOPEN_FAILED|invalid ELF|Error loading shared library/i.test(
      detail,
    )
  ) {
    return (
      'The DynamoDB server (dynalite) could not be loaded: it loads the native LevelDB addon classic-level ' +
      `even in memory, and none could be loaded on ${process.platform}-${process.arch} (${detail}). ` +
      'Build it from source: allow its install script (pnpm: onlyBuiltDependencies: [classic-level]; ' +
      'npm runs it) with a C++ toolchain and Python for node-gyp, then reinstall.'
    );
  }
  return `The DynamoDB server (dynalite) could not be created: ${detail}`;
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
    throw new LocalStackError(dynaliteFailureMessage(cause), {
      code: LocalStackErrorCode.DYNAMODB_FAILED,
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
            code: inUse ? LocalStackErrorCode.PORT_IN_USE : LocalStackErrorCode.DYNAMODB_FAILED,
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
  const requests = new RequestsInHandling();
  requests.track(server);

  let closing: Promise<void> | undefined;
  return {
    port,
    close(timeoutMs) {
      closing ??= (async () => {
        // Requests still being handled (those of calls their client aborted too) finish first:
        // closing the server closes dynalite's database, and a write after that throws.
        const started = Date.now();
        await requests.idle(Math.min(timeoutMs / 2, REQUESTS_GRACE_MS));
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, Math.max(0, timeoutMs - (Date.now() - started)));
          server.close(() => {
            clearTimeout(timer);
            resolve();
          });
          server.closeAllConnections();
        });
      })();
      return closing;
    },
  };
}
