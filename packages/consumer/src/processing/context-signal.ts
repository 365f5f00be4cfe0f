/**
 * The `signal` of a handler context, if it has one: the consumer's handler context and the Lambda
 * handler's context carry an `AbortSignal` that aborts when processing must stop (the worker stops,
 * the lease is lost, the invocation nears its timeout).
 */
export function signalOf(context: unknown): AbortSignal | undefined {
  const signal = (context as { signal?: unknown } | null | undefined)?.signal;
  return signal instanceof AbortSignal ? signal : undefined;
}
