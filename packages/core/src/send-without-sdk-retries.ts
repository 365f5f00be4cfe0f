import { CoreErrorCode, KinesisTsError } from './errors.js';

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
  /** Aborts the call (with a `timeoutMs`, it then rejects at once with the signal's reason). */
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
      code: CoreErrorCode.REQUEST_TIMEOUT,
      retryable: true,
    });
    this.name = 'RequestTimeout';
  }

  /** Whether `value` is a `RequestTimeoutError` from any copy of core (`instanceof` fails across copies). */
  static override isInstance(value: unknown): value is RequestTimeoutError {
    return KinesisTsError.hasCode(value, CoreErrorCode.REQUEST_TIMEOUT);
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
  return withDeadline((signal) => sendOnce(client, command, signal), options.timeoutMs, options.abortSignal);
}

/**
 * Sends `command` with `client` as `client.send` does, the SDK's own retries included, but within a
 * deadline: past `timeoutMs` (counted over all the SDK's attempts and its waits between them) the
 * call is aborted and rejected with a `RequestTimeoutError`; `abortSignal` aborts it at once (it
 * rejects with the signal's reason). Both hold even if the client's HTTP handler ignores the abort.
 * For callers that do not retry themselves and want the SDK to (administrative calls, stores).
 */
export async function sendWithDeadline<O>(
  client: ClientThatSends,
  command: CommandWithMiddlewareStack<O>,
  options: SendOnceOptions = {},
): Promise<O> {
  const send = (signal: AbortSignal | undefined): Promise<O> =>
    (client.send.bind(client) as (command: unknown, options: unknown) => Promise<O>)(
      command,
      signal === undefined ? {} : { abortSignal: signal },
    );
  if (options.timeoutMs === undefined) return send(options.abortSignal);
  return withDeadline(send, options.timeoutMs, options.abortSignal);
}

/**
 * Runs `send` with a signal that aborts after `timeoutMs` or when `abortSignal` aborts; rejects at
 * that moment (with a `RequestTimeoutError`, or the caller's reason) whether or not `send` settles.
 */
async function withDeadline<O>(
  send: (signal: AbortSignal) => Promise<O>,
  timeoutMs: number,
  abortSignal: AbortSignal | undefined,
): Promise<O> {
  const controller = new AbortController();
  let timer: ReturnType<typeof setTimeout> | undefined;
  let forwardAbort: (() => void) | undefined;
  const cutOff = new Promise<never>((_, reject) => {
    forwardAbort = () => {
      controller.abort(abortSignal?.reason);
      reject(abortSignal?.reason);
    };
    timer = setTimeout(() => {
      const error = new RequestTimeoutError(timeoutMs);
      controller.abort(error);
      reject(error);
    }, timeoutMs);
  });
  cutOff.catch(() => undefined);
  if (abortSignal?.aborted) forwardAbort!();
  else abortSignal?.addEventListener('abort', forwardAbort!, { once: true });
  const sent = controller.signal.aborted
    ? cutOff
    : new Promise<O>((resolve) => resolve(send(controller.signal))); // a sync throw rejects too
  sent.catch(() => undefined); // an answer after the deadline is dropped
  try {
    return await Promise.race([sent, cutOff]);
  } finally {
    clearTimeout(timer);
    abortSignal?.removeEventListener('abort', forwardAbort!);
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
