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

/** The parts of an SDK v3 command that this needs (any `@aws-sdk/client-*` command has them). */
export interface CommandWithMiddlewareStack {
  readonly middlewareStack: {
    add(
      middleware: (next: (args: unknown) => Promise<unknown>) => (args: unknown) => Promise<unknown>,
      options: { step: 'deserialize'; priority: 'high'; name: string; override: boolean },
    ): void;
  };
}

/** The parts of an SDK v3 client that this needs. */
export interface ClientThatSends<C, O> {
  send(command: C, options?: { abortSignal?: AbortSignal }): Promise<O>;
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

/**
 * Sends `command` with `client` once, without the SDK's own retries, and resolves or rejects exactly
 * as `client.send` would on the first attempt.
 */
export async function sendWithoutSdkRetries<C extends CommandWithMiddlewareStack, O>(
  client: ClientThatSends<C, O>,
  command: C,
  options: { abortSignal?: AbortSignal } = {},
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
    return await client.send(command, options);
  } catch (error) {
    throw error instanceof SdkRetrySuppressed ? error.original : error;
  }
}
