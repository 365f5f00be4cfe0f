import { KinesisTsError } from '@kinesis-ts/core';

/** The stable codes of the errors this package throws. Every one is listed in `docs/errors.md`. */
export const CliErrorCode = {
  /** A command line that cannot be run: unknown command or flag, a missing or malformed value. */
  USAGE: 'CLI_USAGE',
  /** The stream does not exist. */
  STREAM_NOT_FOUND: 'CLI_STREAM_NOT_FOUND',
  /** The named shard is not in the stream. */
  SHARD_NOT_FOUND: 'CLI_SHARD_NOT_FOUND',
  /** A split or merge names a closed shard (one that already ended by a split or merge). */
  SHARD_CLOSED: 'CLI_SHARD_CLOSED',
  /** A split point outside the shard's hash range, or a shard too small to split. */
  INVALID_SPLIT: 'CLI_INVALID_SPLIT',
  /** A merge of two shards whose hash ranges do not touch. */
  SHARDS_NOT_ADJACENT: 'CLI_SHARDS_NOT_ADJACENT',
  /** A scale target outside the service's bounds (½× to 2× the open shards per call) or the given caps. */
  SCALE_OUT_OF_BOUNDS: 'CLI_SCALE_OUT_OF_BOUNDS',
  /** The stream is not ACTIVE (it is being created, updated or deleted), so it cannot be resharded now. */
  STREAM_NOT_ACTIVE: 'CLI_STREAM_NOT_ACTIVE',
  /** The stream did not become ACTIVE again within the wait after a reshard. */
  RESHARD_TIMEOUT: 'CLI_RESHARD_TIMEOUT',
  /** The input file of `put` cannot be read. */
  INPUT_NOT_FOUND: 'CLI_INPUT_NOT_FOUND',
  /** Records that `put` could not write. */
  PUT_FAILED: 'CLI_PUT_FAILED',
  /** No region from `--region`, `AWS_REGION` or the AWS profile, for a call to AWS. */
  REGION_MISSING: 'CLI_REGION_MISSING',
  /** `--endpoint`, `--dynamodb-endpoint` or an `AWS_ENDPOINT_URL*` variable that is not an http(s) URL. */
  INVALID_ENDPOINT: 'CLI_INVALID_ENDPOINT',
  /** One service on a local endpoint and the other on AWS, without `--allow-mixed-endpoints`. */
  MIXED_ENDPOINTS: 'CLI_MIXED_ENDPOINTS',
} as const;

/** One of the codes in {@link CliErrorCode}. */
export type CliErrorCode = (typeof CliErrorCode)[keyof typeof CliErrorCode];

/** An operations command or helper refused its input or could not complete; nothing was changed unless it says so. */
export class OperationsError extends KinesisTsError {
  constructor(code: CliErrorCode, message: string, options: { cause?: unknown; retryable?: boolean } = {}) {
    super(message, { code, retryable: options.retryable ?? false, cause: options.cause });
  }
}

/** A command line that cannot be run (exit code 2). */
export class CliUsageError extends OperationsError {
  constructor(message: string) {
    super(CliErrorCode.USAGE, message);
  }

  /** Whether `value` is a `CliUsageError` from any copy of the package (a kinesis-ts error with the code `CLI_USAGE`). */
  static override isInstance(value: unknown): value is CliUsageError {
    return KinesisTsError.hasCode(value, CliErrorCode.USAGE);
  }
}
