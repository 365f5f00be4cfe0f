/** The pacing of GetRecords calls on one shard, with the slower pace of a caught-up shard. */
export interface ReadPacing {
  /** The least time between two calls, ms. */
  readonly idleTimeBetweenReadsMs: number;
  /** The least time between two calls while caught up, ms; 0 for off. */
  readonly idleTimeBetweenReadsWhenCaughtUpMs: number;
  /** `MillisBehindLatest` under which an empty read counts as caught up. */
  readonly caughtUpThresholdMs: number;
}

/**
 * The wait before the next GetRecords call after a response with `records` records and
 * `millisBehindLatest`: the caught-up idle time after an empty read that is under the threshold, the
 * normal one otherwise (so the first non-empty read returns to full speed). A missing
 * `MillisBehindLatest` never counts as caught up.
 */
export function idleTimeAfterRead(
  pacing: ReadPacing,
  records: number,
  millisBehindLatest: number | undefined,
): number {
  const caughtUp =
    pacing.idleTimeBetweenReadsWhenCaughtUpMs > 0 &&
    records === 0 &&
    millisBehindLatest !== undefined &&
    millisBehindLatest < pacing.caughtUpThresholdMs;
  return caughtUp
    ? Math.max(pacing.idleTimeBetweenReadsMs, pacing.idleTimeBetweenReadsWhenCaughtUpMs)
    : pacing.idleTimeBetweenReadsMs;
}
