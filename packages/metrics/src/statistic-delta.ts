import type { StatisticSet } from './metric-datum.js';
import type { CumulativeStatistic } from './metric-sources.js';

/**
 * The samples of one period, from two cumulative statistics: exact count and sum; the minimum and
 * maximum are exact when the period set a new extreme and otherwise the period's average (a
 * cumulative snapshot does not say more). `undefined` when the period had no sample.
 */
export function statisticDelta(
  previous: CumulativeStatistic | undefined,
  current: CumulativeStatistic,
): StatisticSet | undefined {
  const reset = previous !== undefined && current.count < previous.count;
  const before = reset ? undefined : previous;
  const sampleCount = current.count - (before?.count ?? 0);
  if (sampleCount <= 0) return undefined;
  const sum = current.sum - (before?.sum ?? 0);
  const average = sum / sampleCount;
  const minimum = before === undefined || current.min < before.min ? current.min : average;
  const maximum = before === undefined || current.max > before.max ? current.max : average;
  return { sampleCount, sum, minimum: Math.min(minimum, average), maximum: Math.max(maximum, average) };
}

/** How much a counter grew in the period (a counter that went down restarted: its value is the growth). */
export function counterDelta(previous: number | undefined, current: number): number {
  if (previous === undefined || current < previous) return current;
  return current - previous;
}
