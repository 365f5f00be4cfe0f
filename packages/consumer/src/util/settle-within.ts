/**
 * Waits for `promise` to settle, for at most `timeoutMs` milliseconds (none when ≤ 0). Resolves
 * `true` when it settled in time, `false` otherwise; never rejects. The bound on every wait of
 * `stop()`: whatever the network does, stopping goes on after it.
 */
export function settleWithin(promise: Promise<unknown> | undefined, timeoutMs: number): Promise<boolean> {
  if (promise === undefined) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), Math.max(0, timeoutMs));
    const settled = () => {
      clearTimeout(timer);
      resolve(true);
    };
    promise.then(settled, settled);
  });
}
