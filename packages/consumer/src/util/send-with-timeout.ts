import {
  type ClientThatSends,
  type CommandWithMiddlewareStack,
  sendWithoutSdkRetries,
} from '@kinesis-ts/core';

/**
 * Sends one command without the SDK's retries, aborted after `timeoutMs` (with core's
 * `RequestTimeoutError`, which counts as transient) or when `signal` aborts (with its reason).
 */
export function sendWithTimeout<O>(
  client: ClientThatSends,
  command: CommandWithMiddlewareStack<O>,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<O> {
  return sendWithoutSdkRetries<O>(client, command, { timeoutMs, abortSignal: signal });
}
