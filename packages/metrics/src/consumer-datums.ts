import {
  isPublishedAt,
  KCL_SUMMARY_METRICS,
  type MetricDatum,
  type MetricsGranularity,
  type MetricsLevel,
  type MetricUnit,
} from './metric-datum.js';
import type { ConsumerMetricsSnapshot } from './metric-sources.js';
import { counterDelta } from './statistic-delta.js';

/** How consumer metrics are turned into datums. */
export interface ConsumerDatumOptions {
  /** @defaultValue 'detailed' */
  readonly level?: MetricsLevel;
  /** `shard` adds per-shard metrics with a `ShardId` dimension; `global`/`stream` publish worker totals only. @defaultValue 'shard' */
  readonly granularity?: MetricsGranularity;
  /** Dimensions added to every metric, before `Operation`. */
  readonly dimensions?: Readonly<Record<string, string>>;
  /** Add the KCL's `WorkerIdentifier` dimension (one series per worker). @defaultValue false */
  readonly workerIdentifier?: boolean;
}

/**
 * One period of consumer metrics with the KCL's names, each under the KCL's `Operation` dimension
 * (`TakeLeases`, `RenewAllLeases`, `ProcessTask`, `Checkpointer`, `KinesisDataFetcher`) and, at shard
 * granularity, per `ShardId`. Counters are the period's growth (a shard's counters restart when its
 * lease is taken again); lease counts, `MillisBehindLatest` and a shard's `MillisSinceLastProgress`
 * are gauges. Pure.
 */
export function consumerDatums(
  previous: ConsumerMetricsSnapshot | undefined,
  current: ConsumerMetricsSnapshot,
  options: ConsumerDatumOptions = {},
): MetricDatum[] {
  const level = options.level ?? 'detailed';
  const base: Record<string, string> = { ...(options.dimensions ?? {}) };
  if (options.workerIdentifier) base.WorkerIdentifier = current.workerId;
  const out: MetricDatum[] = [];
  /** Multi-stream consumers: the stream of the shard being published (its `StreamName` dimension). */
  let shardStream: string | undefined;
  const push = (
    operation: string,
    name: string,
    unit: MetricUnit,
    value: number | undefined,
    shardId?: string,
  ) => {
    if (value === undefined || !isPublishedAt(level, name, KCL_SUMMARY_METRICS)) return;
    const dimensions = {
      ...base,
      Operation: operation,
      ...(shardId === undefined || shardStream === undefined ? {} : { StreamName: shardStream }),
      ...(shardId === undefined ? {} : { ShardId: shardId }),
    };
    out.push({ name, unit, dimensions, value });
  };
  const grew = (key: keyof ConsumerMetricsSnapshot) =>
    counterDelta(previous?.[key] as number | undefined, current[key] as number);

  push('TakeLeases', 'TotalLeases', 'Count', current.TotalLeases);
  push('TakeLeases', 'NumWorkers', 'Count', current.NumWorkers);
  push('TakeLeases', 'NeededLeases', 'Count', current.NeededLeases);
  push('TakeLeases', 'LeaseSpillover', 'Count', current.LeaseSpillover);
  push('TakeLeases', 'TakenLeases', 'Count', grew('TakenLeases'));
  push('TakeLeases', 'StolenLeases', 'Count', grew('StolenLeases'));
  push('RenewAllLeases', 'CurrentLeases', 'Count', current.CurrentLeases);
  push('RenewAllLeases', 'LostLeases', 'Count', grew('LostLeases'));
  push('RenewAllLeases', 'RenewalFailures', 'Count', grew('RenewalFailures'));
  push('ProcessTask', 'RecordsProcessed', 'Count', grew('RecordsProcessed'));
  push('ProcessTask', 'DataBytesProcessed', 'Bytes', grew('DataBytesProcessed'));
  push('ProcessTask', 'MillisBehindLatest', 'Milliseconds', current.MillisBehindLatest);
  push('ProcessTask', 'PoisonRecords', 'Count', grew('PoisonRecords'));
  push('Checkpointer', 'Checkpoints', 'Count', grew('Checkpoints'));

  if ((options.granularity ?? 'shard') === 'shard') {
    for (const [key, shard] of Object.entries(current.shards)) {
      const before = previous?.shards[key];
      const shardId = shard.shardId ?? key;
      shardStream = shard.streamName;
      push('ProcessTask', 'MillisBehindLatest', 'Milliseconds', shard.MillisBehindLatest, shardId);
      push('ProcessTask', 'MillisSinceLastProgress', 'Milliseconds', shard.MillisSinceLastProgress, shardId);
      push(
        'ProcessTask',
        'RecordsProcessed',
        'Count',
        counterDelta(before?.RecordsProcessed, shard.RecordsProcessed),
        shardId,
      );
      push(
        'ProcessTask',
        'DataBytesProcessed',
        'Bytes',
        counterDelta(before?.DataBytesProcessed, shard.DataBytesProcessed),
        shardId,
      );
      push(
        'ProcessTask',
        'ProcessingFailures',
        'Count',
        counterDelta(before?.ProcessingFailures, shard.ProcessingFailures),
        shardId,
      );
      push(
        'KinesisDataFetcher',
        'GetRecordsCalls',
        'Count',
        counterDelta(before?.GetRecordsCalls, shard.GetRecordsCalls),
        shardId,
      );
      push(
        'KinesisDataFetcher',
        'ExpiredIterator',
        'Count',
        counterDelta(before?.ExpiredIterator, shard.ExpiredIterator),
        shardId,
      );
      push(
        'KinesisDataFetcher',
        'ThrottledCalls',
        'Count',
        counterDelta(before?.ThrottledCalls, shard.ThrottledCalls),
        shardId,
      );
      push(
        'KinesisDataFetcher',
        'RetrievalErrors',
        'Count',
        counterDelta(before?.RetrievalErrors, shard.RetrievalErrors),
        shardId,
      );
    }
  }
  return out;
}
