export {
  type CloudWatchTarget,
  DEFAULT_CLOUDWATCH_TARGET_OPTIONS,
  PUT_METRIC_DATA_MAX_DATUMS,
  putMetricDataInputs,
  sendToCloudWatch,
} from './cloudwatch-sink.js';
export { type ConsumerDatumOptions, consumerDatums } from './consumer-datums.js';
export { EMF_MAX_METRICS_PER_LINE, type EmfTarget, emfLines, writeEmf } from './emf.js';
export { MetricsError, MetricsErrorCode } from './errors.js';
export {
  isPublishedAt,
  KCL_SUMMARY_METRICS,
  KPL_SUMMARY_METRICS,
  type MetricDatum,
  type MetricsGranularity,
  type MetricsLevel,
  type MetricUnit,
  type StatisticSet,
} from './metric-datum.js';
export type {
  ConsumerMetricsSnapshot,
  ConsumerShardMetricsSnapshot,
  CumulativeStatistic,
  MetricsSource,
  ProducerMetricSetSnapshot,
  ProducerMetricsSnapshot,
} from './metric-sources.js';
export { bridgeToOpenTelemetry, type OpenTelemetryBridge, type OpenTelemetryTarget } from './otel-bridge.js';
export { type ProducerDatumOptions, producerDatums } from './producer-datums.js';
export {
  DEFAULT_PUBLISH_METRICS_OPTIONS,
  type MetricsPublisher,
  type PublishMetricsOptions,
  publishMetrics,
} from './publish-metrics.js';
export { counterDelta, statisticDelta } from './statistic-delta.js';
