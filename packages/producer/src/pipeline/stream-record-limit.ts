import { DescribeStreamSummaryCommand, type KinesisClient } from '@aws-sdk/client-kinesis';
import {
  type BackoffPolicy,
  classifyAwsError,
  DEFAULT_MAX_RECORD_SIZE_BYTES,
  describeError,
  fullJitterBackoffMs,
  MAX_RECORD_SIZE_LIMIT_BYTES,
  type RandomSource,
  type StreamReference,
  sendWithoutSdkRetries,
  sleep,
  streamParameters,
} from '@kinesis-ts/core';

/** The record size limit the producer enforces, and where it comes from. */
export type RecordSizeLimit =
  /** Given as `maxRecordSizeBytes`. */
  | { readonly source: 'option'; readonly bytes: number }
  /** The stream's `MaxRecordSizeInKiB`, from `DescribeStreamSummary`. */
  | { readonly source: 'stream'; readonly bytes: number }
  /** The default 1 MiB, because the stream's limit could not be read (`reason` says why). */
  | { readonly source: 'fallback'; readonly bytes: number; readonly reason: string };

/** How the stream's limit is read. */
export interface StreamRecordLimitRequest {
  readonly client: KinesisClient;
  readonly stream: StreamReference;
  readonly requestTimeoutMs: number;
  readonly random: RandomSource;
  /** Tries in all for throttling and transient errors. @defaultValue 3 */
  readonly attempts?: number;
  /** The wait between tries. @defaultValue { baseDelayMs: 100, maxDelayMs: 1000 } */
  readonly backoff?: BackoffPolicy;
}

/**
 * The stream's record size limit in bytes from its `MaxRecordSizeInKiB` (1 MiB to 10 MiB, raised with
 * `UpdateMaxRecordSize`), given a `DescribeStreamSummary` answer; undefined when the answer has none.
 */
export function recordLimitFromSummary(maxRecordSizeInKiB: number | undefined): number | undefined {
  if (maxRecordSizeInKiB === undefined || !Number.isFinite(maxRecordSizeInKiB) || maxRecordSizeInKiB <= 0) {
    return undefined;
  }
  const bytes = Math.floor(maxRecordSizeInKiB) * 1024;
  return Math.min(MAX_RECORD_SIZE_LIMIT_BYTES, Math.max(DEFAULT_MAX_RECORD_SIZE_BYTES, bytes));
}

/**
 * Reads the stream's record size limit with `DescribeStreamSummary`. Throttling and transient errors
 * are tried again a few times; when the call is refused (no `kinesis:DescribeStreamSummary`
 * permission, an endpoint that does not know it) or the answer has no `MaxRecordSizeInKiB` (an older
 * endpoint or emulator), the limit falls back to the default 1 MiB, with the reason. Never rejects.
 */
export async function readStreamRecordLimit(request: StreamRecordLimitRequest): Promise<RecordSizeLimit> {
  const attempts = request.attempts ?? 3;
  const backoff = request.backoff ?? { baseDelayMs: 100, maxDelayMs: 1_000 };
  for (let attempt = 1; ; attempt++) {
    try {
      const output = await sendWithoutSdkRetries(
        request.client,
        new DescribeStreamSummaryCommand(streamParameters(request.stream)),
        { timeoutMs: request.requestTimeoutMs },
      );
      const bytes = recordLimitFromSummary(output.StreamDescriptionSummary?.MaxRecordSizeInKiB);
      if (bytes !== undefined) return { source: 'stream', bytes };
      return {
        source: 'fallback',
        bytes: DEFAULT_MAX_RECORD_SIZE_BYTES,
        reason: 'DescribeStreamSummary did not say MaxRecordSizeInKiB',
      };
    } catch (error) {
      if (classifyAwsError(error) === 'fatal' || attempt >= attempts) {
        return {
          source: 'fallback',
          bytes: DEFAULT_MAX_RECORD_SIZE_BYTES,
          reason: `DescribeStreamSummary failed: ${describeError(error)}`,
        };
      }
      await sleep(fullJitterBackoffMs(attempt, backoff, request.random));
    }
  }
}
