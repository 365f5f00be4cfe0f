import type {
  CloudWatchClient,
  MetricDatum as CloudWatchDatum,
  PutMetricDataCommandInput,
} from '@aws-sdk/client-cloudwatch';
import {
  type ClientThatSends,
  type CommandWithMiddlewareStack,
  sendWithDeadline,
  validateIntegerOption,
} from '@kinesis-ts/core';
import { MetricsError, MetricsErrorCode } from './errors.js';
import type { MetricDatum } from './metric-datum.js';

/** The most datums one `PutMetricData` request carries (the API allows 1 000). */
export const PUT_METRIC_DATA_MAX_DATUMS = 1000;

/** Where CloudWatch metrics go. */
export interface CloudWatchTarget {
  /** The user's CloudWatch client (`@aws-sdk/client-cloudwatch`, a peer dependency). */
  readonly client: CloudWatchClient;
  /**
   * The CloudWatch namespace. There is no default: the KPL's default is `KinesisProducerLibrary`
   * (its `MetricsNamespace`), the KCL's is the application name; use those to keep dashboards and
   * alarms built on KPL/KCL metrics.
   */
  readonly namespace: string;
  /** 1 for high-resolution (per-second) metrics, 60 for standard. @defaultValue 60 */
  readonly storageResolution?: 1 | 60;
  /**
   * How long one `PutMetricData` call may take, in ms, the client's retries included, from 100:
   * past it the call is aborted and the publication fails (`METRICS_PUBLISH_FAILED`; the period is
   * kept for the next one). @defaultValue 10000
   */
  readonly requestTimeoutMs?: number;
}

/** The defaults of {@link CloudWatchTarget}. */
export const DEFAULT_CLOUDWATCH_TARGET_OPTIONS = {
  storageResolution: 60,
  requestTimeoutMs: 10_000,
} as const;

/** Checks a target's options, naming the field (`cloudWatch.requestTimeoutMs`). */
export function validateCloudWatchTarget(target: CloudWatchTarget): void {
  if (target.requestTimeoutMs !== undefined) {
    validateIntegerOption('cloudWatch.requestTimeoutMs', target.requestTimeoutMs, 100, 86_400_000);
  }
}

/**
 * The `PutMetricData` requests for `datums`: at most 1 000 datums each, dimensions in the order
 * given, statistics as `StatisticValues`. Pure.
 */
export function putMetricDataInputs(
  datums: readonly MetricDatum[],
  namespace: string,
  timestamp: Date,
  storageResolution: 1 | 60 = 60,
): PutMetricDataCommandInput[] {
  const converted: CloudWatchDatum[] = datums.map((datum) => ({
    MetricName: datum.name,
    Unit: datum.unit,
    Timestamp: timestamp,
    Dimensions: Object.entries(datum.dimensions).map(([Name, Value]) => ({ Name, Value })),
    ...(storageResolution === 1 ? { StorageResolution: 1 } : {}),
    ...(datum.statistic
      ? {
          StatisticValues: {
            SampleCount: datum.statistic.sampleCount,
            Sum: datum.statistic.sum,
            Minimum: datum.statistic.minimum,
            Maximum: datum.statistic.maximum,
          },
        }
      : { Value: datum.value ?? 0 }),
  }));
  const inputs: PutMetricDataCommandInput[] = [];
  for (let start = 0; start < converted.length; start += PUT_METRIC_DATA_MAX_DATUMS) {
    inputs.push({
      Namespace: namespace,
      MetricData: converted.slice(start, start + PUT_METRIC_DATA_MAX_DATUMS),
    });
  }
  return inputs;
}

type PutMetricDataConstructor = new (input: PutMetricDataCommandInput) => unknown;
let commandClass: Promise<PutMetricDataConstructor> | undefined;

/** Loads `PutMetricDataCommand` on first use, so that the package works without the CloudWatch SDK when it is not used. */
function putMetricDataCommand(): Promise<PutMetricDataConstructor> {
  commandClass ??= import('@aws-sdk/client-cloudwatch').then(
    (module) => module.PutMetricDataCommand as unknown as PutMetricDataConstructor,
    (error: unknown) => {
      commandClass = undefined;
      throw new MetricsError(
        MetricsErrorCode.CLOUDWATCH_SDK_MISSING,
        'Publishing to CloudWatch needs @aws-sdk/client-cloudwatch: npm i @aws-sdk/client-cloudwatch',
        error,
      );
    },
  );
  return commandClass;
}

/** Sends `datums` to CloudWatch in batched `PutMetricData` calls. Rejects with `METRICS_PUBLISH_FAILED` on the first failure. */
export async function sendToCloudWatch(
  target: CloudWatchTarget,
  datums: readonly MetricDatum[],
  timestamp: Date,
): Promise<number> {
  validateCloudWatchTarget(target);
  const inputs = putMetricDataInputs(datums, target.namespace, timestamp, target.storageResolution);
  const { sent, error } = await sendPutMetricData(target, inputs);
  if (error) throw error;
  return sent;
}

/**
 * Sends prepared `PutMetricData` requests in order, stopping at the first failure. Resolves with how
 * many went through and, after a failure, the error (`METRICS_PUBLISH_FAILED`, or
 * `METRICS_CLOUDWATCH_SDK_MISSING` before any request); never rejects. Loads nothing when `inputs` is
 * empty.
 */
export async function sendPutMetricData(
  target: CloudWatchTarget,
  inputs: readonly PutMetricDataCommandInput[],
): Promise<{ readonly sent: number; readonly error?: MetricsError }> {
  if (inputs.length === 0) return { sent: 0 };
  let Command: PutMetricDataConstructor;
  try {
    Command = await putMetricDataCommand();
  } catch (error) {
    return { sent: 0, error: asMetricsError(error, target.namespace) };
  }
  let sent = 0;
  for (const input of inputs) {
    try {
      await sendWithDeadline(
        target.client as unknown as ClientThatSends,
        new Command(input) as CommandWithMiddlewareStack<unknown>,
        { timeoutMs: target.requestTimeoutMs ?? DEFAULT_CLOUDWATCH_TARGET_OPTIONS.requestTimeoutMs },
      );
    } catch (error) {
      return { sent, error: asMetricsError(error, target.namespace) };
    }
    sent++;
  }
  return { sent };
}

function asMetricsError(error: unknown, namespace: string): MetricsError {
  if (MetricsError.isInstance(error)) return error;
  return new MetricsError(
    MetricsErrorCode.PUBLISH_FAILED,
    `PutMetricData to namespace ${namespace} failed: ${error instanceof Error ? error.message : String(error)}`,
    error,
  );
}
