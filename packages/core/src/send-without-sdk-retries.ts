import { KinesisTsError } from './errors.js';

/**
 * Sending an AWS SDK v3 command exactly once: the libraries run their own retries (per record, per
 * shard, with their own backoff and deadlines), and the SDK's retries would multiply them.
 *
 * The SDK's retry middleware sits in the `finalizeRequest` step and retries errors it sees as
 * throttling, transient or 5xx. A middleware in the later `deserialize` step sees every error first
 * (service errors, timeouts, socket errors) and hands the retry middleware an error it classifies as
 * a plain client error, so the SDK gives up at once; `sendWithoutSdkRetries` then rethrows the
 * original error. Only this one command is affected: the client and its other users keep their
 * retry settings.
 */

/**
 * The parts of an SDK v3 command that this needs (any `@aws-sdk/client-*` command has them); `O` is
 * the command's output type, read from its handler.
 */
export interface CommandWithMiddlewareStack<O = unknown> {
  readonly middlewareStack: {
    add(
      middleware: (next: (args: never) => Promise<unknown>) => (args: never) => Promise<unknown>,
      options: { step: 'deserialize'; priority: 'high'; name: string; override: boolean },
    ): void;
  };
  resolveMiddleware(...args: never[]): (args: never) => Promise<{ output: O }>;
}

/** The parts of an SDK v3 client that this needs: any `@aws-sdk/client-*` client has them. */
export interface ClientThatSends {
  send(...args: never[]): Promise<unknown>;
}

/**
 * Carries the real error past the SDK's retry middleware. It has no `cause`, `code`, `$metadata` or
 * `$retryable`, because the SDK inspects all of those (and `cause`, recursively) to decide on a retry.
 */
class SdkRetrySuppressed extends Error {
  readonly original: unknown;
  constructor(original: unknown) {
    super('kinesis-ts: SDK retry suppressed');
    this.name = 'KinesisTsSdkRetrySuppressed';
    this.original = original;
  }
}

const MIDDLEWARE_NAME = 'kinesisTsSuppressSdkRetries';

/** How one call is sent. */
export interface SendOnceOptions {
  /** Aborts the call. */
  readonly abortSignal?: AbortSignal;
  /**
   * Milliseconds to wait for the answer. Past it the call is aborted and rejected with a
   * `RequestTimeout` error (transient, so callers retry it), even if the client's HTTP handler
   * ignores the abort. The request may still have been carried out. @defaultValue no limit
   */
  readonly timeoutMs?: number;
}

/**
 * The error of a call that had no answer within its `timeoutMs` (code `REQUEST_TIMEOUT`, retryable).
 * Its `name` is `RequestTimeout`, the AWS error code that `classifyAwsError` sorts as transient.
 */
export class RequestTimeoutError extends KinesisTsError {
  constructor(readonly timeoutMs: number) {
    super(`No answer within ${timeoutMs} ms; the request may still have been carried out`, {
      code: 'REQUEST_TIMEOUT',
      retryable: true,
    });
    this.name = 'RequestTimeout';
  }
}

/**
 * Sends `command` with `client` once, without the SDK's own retries, and resolves or rejects exactly
 * as `client.send` would on the first attempt (or with a `RequestTimeoutError` after `timeoutMs`).
 */
export async function sendWithoutSdkRetries<O>(
  client: ClientThatSends,
  command: CommandWithMiddlewareStack<O>,
  options: SendOnceOptions = {},
): Promise<O> {
  if (options.timeoutMs === undefined) return sendOnce(client, command, options.abortSignal);
  const timeoutMs = options.timeoutMs;
  const controller = new AbortController();
  const forwardAbort = () => controller.abort(options.abortSignal?.reason);
  if (options.abortSignal?.aborted) forwardAbort();
  options.abortSignal?.addEventListener('abort', forwardAbort, { once: true });
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const error = new RequestTimeoutError(timeoutMs);
      controller.abort(error);
      reject(error);
    }, timeoutMs);
  });
  const sent = sendOnce(client, command, controller.signal);
  sent.catch(() => undefined); // an answer after the timeout is dropped
  try {
    return await Promise.race([sent, timedOut]);
  } finally {
    clearTimeout(timer);
    options.abortSignal?.removeEventListener('abort', forwardAbort);
  }
}

async function sendOnce<O>(
  client: ClientThatSends,
  command: CommandWithMiddlewareStack<O>,
  abortSignal: AbortSignal | undefined,
): Promise<O> {
  command.middlewareStack.add(
    (next) => async (args) => {
      try {
        return await next(args);
      } catch (error) {
        throw new SdkRetrySuppressed(error);
      }
    },
    { step: 'deserialize', priority: 'high', name: MIDDLEWARE_NAME, override: true },
  );
  try {
    const send = client.send.bind(client) as (command: unknown, options: unknown) => Promise<O>;
    return await send(command, abortSignal === undefined ? {} : { abortSignal });
  } catch (error) {
    throw error instanceof SdkRetrySuppressed ? error.original : error;
  }
}
