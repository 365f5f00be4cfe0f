import type {
  CloudWatchClient,
  MetricDatum as CloudWatchDatum,
  PutMetricDataCommandInput,
} from '@aws-sdk/client-cloudwatch';
import { MetricsError, MetricsErrorCode } from './errors.js';
import type { MetricDatum } from './metric-datum.js';

/** The most datums one `PutMetricData` request carries (the API allows 1 000). */
export const PUT_METRIC_DATA_MAX_DATUMS = 1000;

/** Where CloudWatch metrics go. */
export interface CloudWatchTarget {
  /** The user's CloudWatch client (`@aws-sdk/client-cloudwatch`, a peer dependency). */
  readonly client: CloudWatchClient;
  /** The namespace (the KPL's default is `KinesisProducer`; the KCL's is the application name). */
  readonly namespace: string;
  /** 1 for high-resolution (per-second) metrics, 60 for standard. @defaultValue 60 */
  readonly storageResolution?: 1 | 60;
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
  if (datums.length === 0) return 0;
  const Command = await putMetricDataCommand();
  const inputs = putMetricDataInputs(datums, target.namespace, timestamp, target.storageResolution);
  for (const input of inputs) {
    try {
      await target.client.send(new Command(input) as never);
    } catch (error) {
      throw new MetricsError(
        MetricsErrorCode.PUBLISH_FAILED,
        `PutMetricData to namespace ${target.namespace} failed: ${error instanceof Error ? error.message : String(error)}`,
        error,
      );
    }
  }
  return inputs.length;
}
