/** The CloudWatch units these metrics use. */
export type MetricUnit = 'Count' | 'Bytes' | 'Milliseconds';

/** Which metrics are published, as the KPL's `MetricsLevel`: `summary` is the short list, `detailed` all. */
export type MetricsLevel = 'none' | 'summary' | 'detailed';

/**
 * The dimensions metrics are published at, as the KPL's `MetricsGranularity`: `global` (no stream or
 * shard dimension), `stream` (also per stream), `shard` (also per shard). Each level includes those
 * above it, so `shard` publishes every metric three times.
 */
export type MetricsGranularity = 'global' | 'stream' | 'shard';

/** Count, sum, minimum and maximum of the samples of one period (CloudWatch `StatisticValues`). */
export interface StatisticSet {
  readonly sampleCount: number;
  readonly sum: number;
  readonly minimum: number;
  readonly maximum: number;
}

/** One metric value of one period, ready for any sink. */
export interface MetricDatum {
  /** The KPL or KCL metric name (`UserRecordsPut`, `MillisBehindLatest`…). */
  readonly name: string;
  readonly unit: MetricUnit;
  /** Dimension name → value, in publishing order. */
  readonly dimensions: Readonly<Record<string, string>>;
  /** A single value (a count over the period, or a gauge). Absent when `statistic` is given. */
  readonly value?: number;
  /** The period's samples, for statistics (`BufferingTime`, `RetriesPerRecord`…). */
  readonly statistic?: StatisticSet;
}

/** The KPL metrics its `summary` level publishes; every other one is `detailed`. */
export const KPL_SUMMARY_METRICS: ReadonlySet<string> = new Set([
  'UserRecordsPut',
  'KinesisRecordsPut',
  'ErrorsByCode',
  'AllErrors',
  'UserRecordExpired',
  'BufferingTime',
]);

/** The KCL metrics this package treats as `summary`; every other one is `detailed`. */
export const KCL_SUMMARY_METRICS: ReadonlySet<string> = new Set([
  'MillisBehindLatest',
  'RecordsProcessed',
  'CurrentLeases',
  'LostLeases',
]);

/** Whether a metric is published at `level`. */
export function isPublishedAt(level: MetricsLevel, name: string, summary: ReadonlySet<string>): boolean {
  if (level === 'none') return false;
  return level === 'detailed' || summary.has(name);
}
