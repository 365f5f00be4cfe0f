import type { PutMetricDataCommandInput } from '@aws-sdk/client-cloudwatch';
import { CoreErrorCode, ValidationError } from '@kinesis-ts/core';
import {
  type CloudWatchTarget,
  putMetricDataInputs,
  sendPutMetricData,
  validateCloudWatchTarget,
} from './cloudwatch-sink.js';
import { type ConsumerDatumOptions, consumerDatums } from './consumer-datums.js';
import { type EmfTarget, writeEmf } from './emf.js';
import { MetricsError, MetricsErrorCode } from './errors.js';
import type { MetricDatum, MetricsGranularity, MetricsLevel } from './metric-datum.js';
import {
  type ConsumerMetricsSnapshot,
  isConsumerSnapshot,
  isProducerSnapshot,
  type MetricsSource,
  type ProducerMetricsSnapshot,
} from './metric-sources.js';
import { bridgeToOpenTelemetry, type OpenTelemetryBridge, type OpenTelemetryTarget } from './otel-bridge.js';
import { producerDatums } from './producer-datums.js';

/** Options of {@link publishMetrics}. Give at least one of `cloudWatch`, `emf` and `openTelemetry`. */
export interface PublishMetricsOptions {
  /**
   * Publish with batched `PutMetricData` through your CloudWatch client. A period whose publication
   * fails is not lost: it is published with the next one (counts and statistics cover both periods).
   */
  readonly cloudWatch?: CloudWatchTarget;
  /** Write Embedded Metric Format log lines (Lambda: CloudWatch extracts the metrics from the log). */
  readonly emf?: EmfTarget;
  /** Expose the metrics as OpenTelemetry instruments, collected by your OpenTelemetry SDK. */
  readonly openTelemetry?: OpenTelemetryTarget;
  /** How often a period is published to CloudWatch/EMF, in ms (the KPL uploads every 60 s). @defaultValue 60000 */
  readonly intervalMs?: number;
  /**
   * Which metrics are published, as the KPL's `MetricsLevel`: `'none'` (nothing), `'summary'` (the
   * short list: `KPL_SUMMARY_METRICS` for a producer, `KCL_SUMMARY_METRICS` for a consumer) or
   * `'detailed'` (every metric).
   * @defaultValue 'detailed' (the KPL's default)
   */
  readonly level?: MetricsLevel;
  /**
   * The dimensions metrics are published at, as the KPL's `MetricsGranularity`: `'global'` (no stream
   * or shard dimension), `'stream'` (also per `StreamName`), `'shard'` (also per `StreamName` +
   * `ShardId`); each includes those before it. For a consumer, `'shard'` adds the per-`ShardId`
   * metrics and the others publish the worker's totals only.
   * @defaultValue 'shard' (the KPL's default)
   */
  readonly granularity?: MetricsGranularity;
  /** The producer's stream (the `StreamName` dimension; without it, producer metrics are global only). */
  readonly streamName?: string;
  /**
   * Dimension name → value added to every metric (the KPL's additional dimensions), before the
   * package's own (`StreamName`, `ShardId`, `Operation`…).
   * @defaultValue none (`{}`)
   */
  readonly dimensions?: Readonly<Record<string, string>>;
  /** Consumer metrics: add the KCL's `WorkerIdentifier` dimension. @defaultValue false */
  readonly workerIdentifier?: boolean;
  /** Receives publishing failures (`METRICS_PUBLISH_FAILED`); they never reach the producer or consumer. @defaultValue ignore */
  readonly onError?: (error: MetricsError) => void;
  /** The clock, in ms since the epoch (tests). @defaultValue Date.now */
  readonly now?: () => number;
}

/** The defaults of {@link PublishMetricsOptions}. */
export const DEFAULT_PUBLISH_METRICS_OPTIONS = {
  intervalMs: 60_000,
  level: 'detailed',
  granularity: 'shard',
} as const;

/** A running publisher. */
export interface MetricsPublisher {
  /**
   * Publishes the period since the last publication now. Resolves with the datums published (to
   * CloudWatch when it is a target, including a period carried over from a failed publication; else
   * to EMF). Rejects when a `PutMetricData` fails; that period then goes out with the next one.
   */
  flush(): Promise<readonly MetricDatum[]>;
  /** Stops the timer and the OpenTelemetry bridge, after publishing the last period. */
  stop(): Promise<void>;
}

/**
 * Turns metrics publishing on for a `KinesisProducer` or a `KinesisConsumer` (off until called):
 * every `intervalMs`, the period's metrics go to CloudWatch and/or EMF with the KPL/KCL names and
 * dimensions; with `openTelemetry`, instruments are registered on the meter. The timer does not keep
 * the process alive. Call `stop()` before `close()`/`stop()` of the source to publish the last period.
 *
 * When a CloudWatch publication fails (reported through `onError`), its period is kept: the next
 * publication covers both periods (counts add up, statistics span both, gauges are the latest). When
 * only some of a period's `PutMetricData` requests went through (more than 1 000 datums), the others
 * are sent again, with their own timestamp, before the next period's.
 *
 * ```ts
 * const publisher = publishMetrics(producer, { streamName: 'orders', cloudWatch: { client, namespace: 'KinesisProducerLibrary' } });
 * ```
 */
export function publishMetrics(source: MetricsSource, options: PublishMetricsOptions): MetricsPublisher {
  if (!options.cloudWatch && !options.emf && !options.openTelemetry) {
    throw new ValidationError(
      'options',
      'at least one of cloudWatch, emf and openTelemetry',
      'no target given',
      CoreErrorCode.INVALID_OPTION,
    );
  }
  if (options.cloudWatch) validateCloudWatchTarget(options.cloudWatch);
  const intervalMs = options.intervalMs ?? DEFAULT_PUBLISH_METRICS_OPTIONS.intervalMs;
  if (!Number.isFinite(intervalMs) || intervalMs < 1_000) {
    throw new ValidationError(
      'intervalMs',
      'a number ≥ 1000',
      `got ${intervalMs}`,
      CoreErrorCode.INVALID_OPTION,
    );
  }
  const first = source.metrics();
  const kind = isProducerSnapshot(first) ? 'producer' : isConsumerSnapshot(first) ? 'consumer' : undefined;
  if (!kind) {
    throw new MetricsError(
      MetricsErrorCode.UNKNOWN_SOURCE,
      'The source has no KinesisProducer or KinesisConsumer metrics() snapshot',
    );
  }
  const now = options.now ?? Date.now;
  const bridge: OpenTelemetryBridge | undefined = options.openTelemetry
    ? bridgeToOpenTelemetry(source, options.openTelemetry)
    : undefined;
  type Snapshot = ProducerMetricsSnapshot | ConsumerMetricsSnapshot;
  // What each target has published up to: a failed CloudWatch publication keeps its baseline, so
  // the next period's counts include the failed one's, without writing the EMF ones twice.
  let emfBaseline: Snapshot | undefined;
  let cloudWatchBaseline: Snapshot | undefined;
  // Requests of a period that failed after some of its requests went through (its baseline moved on).
  let unsent: PutMetricDataCommandInput[] = [];
  let chain: Promise<unknown> = Promise.resolve();
  const report = (error: unknown) => {
    const wrapped = MetricsError.isInstance(error)
      ? error
      : new MetricsError(
          MetricsErrorCode.PUBLISH_FAILED,
          `Publishing metrics failed: ${String(error)}`,
          error,
        );
    options.onError?.(wrapped);
  };

  const datumsBetween = (previous: Snapshot | undefined, current: Snapshot): MetricDatum[] => {
    const common = { level: options.level, granularity: options.granularity, dimensions: options.dimensions };
    return kind === 'producer'
      ? producerDatums(previous as ProducerMetricsSnapshot | undefined, current as ProducerMetricsSnapshot, {
          ...common,
          streamName: options.streamName,
        })
      : consumerDatums(previous as ConsumerMetricsSnapshot | undefined, current as ConsumerMetricsSnapshot, {
          ...common,
          workerIdentifier: options.workerIdentifier,
        } satisfies ConsumerDatumOptions);
  };

  const publishOnce = async (): Promise<readonly MetricDatum[]> => {
    const current = source.metrics();
    const timestamp = new Date(now());
    let emfDatums: MetricDatum[] | undefined;
    const emfFrom = emfBaseline;
    if (options.emf) {
      emfDatums = datumsBetween(emfFrom, current);
      emfBaseline = current;
      writeEmf(options.emf, emfDatums, timestamp);
    }
    const target = options.cloudWatch;
    if (!target) return emfDatums ?? [];
    const datums =
      emfDatums !== undefined && cloudWatchBaseline === emfFrom
        ? emfDatums
        : datumsBetween(cloudWatchBaseline, current);
    const fresh = putMetricDataInputs(datums, target.namespace, timestamp, target.storageResolution);
    const { sent, error } = await sendPutMetricData(target, [...unsent, ...fresh]);
    if (!error) {
      cloudWatchBaseline = current;
      unsent = [];
      return datums;
    }
    if (sent <= unsent.length) {
      // Nothing of this period went out: keep its baseline, the next period will include it.
      unsent = unsent.slice(sent);
    } else {
      // Part of this period went out: keep the rest as requests, to send before the next period.
      unsent = fresh.slice(sent - unsent.length);
      cloudWatchBaseline = current;
    }
    throw error;
  };
  // Publications run one at a time, in order.
  const flush = (): Promise<readonly MetricDatum[]> => {
    const run = chain.then(publishOnce);
    chain = run.catch(() => undefined);
    return run;
  };
  const periodic = options.cloudWatch || options.emf;
  const timer = periodic
    ? setInterval(() => {
        flush().catch(report);
      }, intervalMs)
    : undefined;
  timer?.unref();
  let stopped = false;
  return {
    flush,
    async stop() {
      if (stopped) return;
      stopped = true;
      if (timer) clearInterval(timer);
      bridge?.stop();
      if (periodic) await flush().catch(report);
    },
  };
}
