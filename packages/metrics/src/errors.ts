import { KinesisTsError } from '@kinesis-ts/core';

/** The stable codes of the errors this package throws or reports. Every one is listed in `docs/errors.md`. */
export const MetricsErrorCode = {
  /** A `PutMetricData` call failed (reported through `onError`; the next interval publishes again). */
  PUBLISH_FAILED: 'METRICS_PUBLISH_FAILED',
  /** `cloudWatch` publishing was asked for but `@aws-sdk/client-cloudwatch` cannot be loaded. */
  CLOUDWATCH_SDK_MISSING: 'METRICS_CLOUDWATCH_SDK_MISSING',
  /** `publishMetrics` was given something without a `metrics()` snapshot of a known shape. */
  UNKNOWN_SOURCE: 'METRICS_UNKNOWN_SOURCE',
} as const;

/** One of the codes in {@link MetricsErrorCode}. */
export type MetricsErrorCode = (typeof MetricsErrorCode)[keyof typeof MetricsErrorCode];

/** Publishing metrics failed, or was set up with something it cannot publish. */
export class MetricsError extends KinesisTsError {
  constructor(code: MetricsErrorCode, message: string, cause?: unknown) {
    super(message, { code, retryable: code === MetricsErrorCode.PUBLISH_FAILED, cause });
  }

  /** Whether `value` is a `MetricsError` from any copy of the package (`instanceof` fails across copies). */
  static override isInstance(value: unknown): value is MetricsError {
    return KinesisTsError.hasCode(value, ...Object.values(MetricsErrorCode));
  }
}
