/** The input of {@link runWithTimeout}. */
export interface RunWithTimeoutInput {
  /** Aborts the try after this long, in ms; 0 runs it without a timeout. */
  readonly timeoutMs: number;
  /** The consumer's own signal (stop, lease lost): the try's signal follows it. */
  readonly signal: AbortSignal;
  /** The try: the handler or `processRecords`, given the signal to honour. */
  readonly run: (signal: AbortSignal) => Promise<void>;
  /** The error the try fails with when it times out (also the abort reason of its signal). */
  readonly timeoutError: () => Error;
  /** Called when the timeout fires, before the try has returned. */
  readonly onTimeout?: (error: Error) => void;
}

/**
 * Runs one try of a delivery with a timeout: when `timeoutMs` passes first, the try's signal is
 * aborted with `timeoutError()` and the try fails with that error, whatever it then returns or throws.
 *
 * It still resolves or rejects only once the try itself has returned: JavaScript cannot stop a
 * function that ignores its signal, and the next try (or the next batch) must not run beside it. A
 * handler that never returns so holds its shard for good; the stall reports say so.
 */
export async function runWithTimeout(input: RunWithTimeoutInput): Promise<void> {
  if (input.timeoutMs <= 0) return input.run(input.signal);
  const controller = new AbortController();
  const follow = () => controller.abort(input.signal.reason);
  if (input.signal.aborted) follow();
  else input.signal.addEventListener('abort', follow, { once: true });
  let timeout: Error | undefined;
  const timer = setTimeout(() => {
    timeout = input.timeoutError();
    controller.abort(timeout);
    try {
      input.onTimeout?.(timeout);
    } catch {
      // a throwing logger must not escape a timer callback
    }
  }, input.timeoutMs);
  try {
    await input.run(controller.signal);
  } catch (error) {
    throw timeout ?? error;
  } finally {
    clearTimeout(timer);
    input.signal.removeEventListener('abort', follow);
  }
  if (timeout) throw timeout;
}
