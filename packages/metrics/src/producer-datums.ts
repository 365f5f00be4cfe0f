import {
  isPublishedAt,
  KPL_SUMMARY_METRICS,
  type MetricDatum,
  type MetricsGranularity,
  type MetricsLevel,
  type MetricUnit,
} from './metric-datum.js';
import type { ProducerMetricSetSnapshot, ProducerMetricsSnapshot } from './metric-sources.js';
import { counterDelta, statisticDelta } from './statistic-delta.js';

/** How producer metrics are turned into datums. */
export interface ProducerDatumOptions {
  /** The stream's name, the `StreamName` dimension (stream and shard granularity need it). */
  readonly streamName?: string;
  /** @defaultValue 'detailed' (the KPL's default) */
  readonly level?: MetricsLevel;
  /** @defaultValue 'shard' (the KPL's default) */
  readonly granularity?: MetricsGranularity;
  /** Dimensions added to every metric (the KPL's additional dimensions), before `StreamName`. */
  readonly dimensions?: Readonly<Record<string, string>>;
}

/**
 * One period of producer metrics with the KPL's names, units and dimensions: each metric at global
 * level, then per stream (`StreamName`) and per shard (`StreamName`, `ShardId`) as the granularity
 * asks, `ErrorsByCode` with an `ErrorCode` dimension. Counts are the period's growth between the two
 * snapshots (the whole snapshot when `previous` is undefined); `UserRecordsPut` is published as the
 * KPL does, one sample per finished user record worth 1 on success and 0 on failure, so its average
 * is the success rate. Pure.
 */
export function producerDatums(
  previous: ProducerMetricsSnapshot | undefined,
  current: ProducerMetricsSnapshot,
  options: ProducerDatumOptions = {},
): MetricDatum[] {
  const level = options.level ?? 'detailed';
  const granularity = options.granularity ?? 'shard';
  const extra = options.dimensions ?? {};
  const out: MetricDatum[] = [];
  const scopes: {
    dimensions: Record<string, string>;
    set: ProducerMetricSetSnapshot;
    before?: ProducerMetricSetSnapshot;
    stream: boolean;
  }[] = [{ dimensions: { ...extra }, set: current.stream, before: previous?.stream, stream: true }];
  if (options.streamName !== undefined && granularity !== 'global') {
    const streamDims = { ...extra, StreamName: options.streamName };
    scopes.push({ dimensions: streamDims, set: current.stream, before: previous?.stream, stream: true });
    if (granularity === 'shard') {
      for (const [shardId, set] of Object.entries(current.shards)) {
        scopes.push({
          dimensions: { ...streamDims, ShardId: shardId },
          set,
          before: previous?.shards[shardId],
          stream: false,
        });
      }
    }
  }
  for (const scope of scopes) {
    const push = (name: string, unit: MetricUnit, value: number, dimensions = scope.dimensions) => {
      if (isPublishedAt(level, name, KPL_SUMMARY_METRICS)) out.push({ name, unit, dimensions, value });
    };
    const pushStatistic = (name: string, unit: MetricUnit, key: keyof ProducerMetricSetSnapshot) => {
      if (!isPublishedAt(level, name, KPL_SUMMARY_METRICS)) return;
      const statistic = statisticDelta(scope.before?.[key] as never, scope.set[key] as never);
      if (statistic) out.push({ name, unit, dimensions: scope.dimensions, statistic });
    };
    const { set, before } = scope;
    const put = counterDelta(before?.UserRecordsPut, set.UserRecordsPut);
    const failed = counterDelta(before?.UserRecordsFailed, set.UserRecordsFailed);
    if (put + failed > 0 && isPublishedAt(level, 'UserRecordsPut', KPL_SUMMARY_METRICS)) {
      out.push({
        name: 'UserRecordsPut',
        unit: 'Count',
        dimensions: scope.dimensions,
        statistic: {
          sampleCount: put + failed,
          sum: put,
          minimum: failed > 0 ? 0 : 1,
          maximum: put > 0 ? 1 : 0,
        },
      });
    }
    push('UserRecordsDataPut', 'Bytes', counterDelta(before?.UserRecordsDataPut, set.UserRecordsDataPut));
    push('KinesisRecordsPut', 'Count', counterDelta(before?.KinesisRecordsPut, set.KinesisRecordsPut));
    push(
      'KinesisRecordsDataPut',
      'Bytes',
      counterDelta(before?.KinesisRecordsDataPut, set.KinesisRecordsDataPut),
    );
    push('AllErrors', 'Count', counterDelta(before?.AllErrors, set.AllErrors));
    for (const [code, count] of Object.entries(set.ErrorsByCode)) {
      const grew = counterDelta(before?.ErrorsByCode[code], count);
      if (grew > 0) push('ErrorsByCode', 'Count', grew, { ...scope.dimensions, ErrorCode: code });
    }
    push('UserRecordExpired', 'Count', counterDelta(before?.UserRecordExpired, set.UserRecordExpired));
    push('UserRecordsFailed', 'Count', failed);
    pushStatistic('RetriesPerRecord', 'Count', 'RetriesPerRecord');
    pushStatistic('BufferingTime', 'Milliseconds', 'BufferingTime');
    pushStatistic('UserRecordsPerKinesisRecord', 'Count', 'UserRecordsPerKinesisRecord');
    if (scope.stream) {
      const stream = current.stream;
      push(
        'UserRecordsReceived',
        'Count',
        counterDelta(previous?.stream.UserRecordsReceived, stream.UserRecordsReceived),
      );
      push('UserRecordsPending', 'Count', stream.UserRecordsPending);
      for (const [name, unit] of [
        ['RequestTime', 'Milliseconds'],
        ['KinesisRecordsPerPutRecordsRequest', 'Count'],
        ['UserRecordsPerPutRecordsRequest', 'Count'],
      ] as const) {
        if (!isPublishedAt(level, name, KPL_SUMMARY_METRICS)) continue;
        const statistic = statisticDelta(previous?.stream[name], stream[name]);
        if (statistic) out.push({ name, unit, dimensions: scope.dimensions, statistic });
      }
    }
  }
  return out;
}
