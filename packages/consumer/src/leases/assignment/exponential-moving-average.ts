/**
 * One step of an exponential moving average: `alpha × sample + (1 − alpha) × previous`, or the sample
 * itself when there is no previous value. The KCL smooths lease throughput (α 0.5) and worker metrics
 * (α 0.5 by default) this way.
 */
export function nextMovingAverage(previous: number | undefined, sample: number, alpha: number): number {
  if (previous === undefined || !Number.isFinite(previous)) return sample;
  return alpha * sample + (1 - alpha) * previous;
}

/**
 * The moving average of a series, oldest first; values of -1 (the KCL's "this reading failed")
 * are skipped. `undefined` when no usable value remains.
 */
export function movingAverageOf(values: readonly number[], alpha: number): number | undefined {
  let average: number | undefined;
  for (const value of values) {
    if (value === -1 || !Number.isFinite(value)) continue;
    average = nextMovingAverage(average, value, alpha);
  }
  return average;
}

/**
 * A lease's throughput in KB/s over one renewal interval: the bytes delivered to the processor since
 * the last renewal, divided by the interval, folded into the previous estimate with α (the KCL's
 * `throughputKBps`, α 0.5).
 */
export function nextThroughputKBps(
  previousKBps: number | undefined,
  bytesSinceLastRenewal: number,
  intervalMs: number,
  alpha: number,
): number {
  const sample = intervalMs > 0 ? bytesSinceLastRenewal / 1024 / (intervalMs / 1000) : 0;
  return nextMovingAverage(previousKBps, sample, alpha);
}
