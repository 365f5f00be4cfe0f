/**
 * The stable codes of the errors `@kinesis-ts/core` throws. Every one is listed in `docs/errors.md`.
 *
 * The convention of every package: a `…ErrorCode` object of `UPPER_SNAKE` keys whose values are the
 * codes, and a type of the same name for one of its values. A code is unique across the suite; the
 * codes of the libraries' data paths (core, producer, consumer) have no prefix, those of the tools
 * (lease admin `ADMIN_`, CLI `CLI_`, metrics `METRICS_`, local stack `LOCAL_STACK_`) have their area's.
 * Other packages reuse these codes only for this package's errors (`ValidationError` with
 * `INVALID_OPTION`), never for a condition of their own.
 */
export const CoreErrorCode = {
  INVALID_RECORD: 'INVALID_RECORD',
  INVALID_PARTITION_KEY: 'INVALID_PARTITION_KEY',
  INVALID_EXPLICIT_HASH_KEY: 'INVALID_EXPLICIT_HASH_KEY',
  INVALID_DATA: 'INVALID_DATA',
  RECORD_TOO_LARGE: 'RECORD_TOO_LARGE',
  INVALID_OPTION: 'INVALID_OPTION',
  INVALID_SEQUENCE_NUMBER: 'INVALID_SEQUENCE_NUMBER',
  INVALID_HASH_KEY_RANGE: 'INVALID_HASH_KEY_RANGE',
  EMPTY_AGGREGATE: 'EMPTY_AGGREGATE',
  INVALID_AGGREGATE: 'INVALID_AGGREGATE',
  REQUEST_TIMEOUT: 'REQUEST_TIMEOUT',
} as const;

/** One of the codes in {@link CoreErrorCode}. */
export type CoreErrorCode = (typeof CoreErrorCode)[keyof typeof CoreErrorCode];

/**
 * The mark every {@link KinesisTsError} carries. `Symbol.for` gives the same symbol to every copy of
 * `@kinesis-ts/core` in a process (two versions in a lockfile, the ESM and CJS builds, a bundle that
 * inlined its own copy), so `KinesisTsError.isInstance` recognises errors that `instanceof` does not.
 */
const KINESIS_TS_ERROR: unique symbol = Symbol.for('kinesis-ts.error') as never;

/**
 * The one base class of every error thrown by the kinesis-ts packages.
 *
 * - `code` is stable: programs may switch on it. Every code is listed in `docs/errors.md`.
 * - `retryable` says whether trying the same operation again may succeed.
 * - `cause` carries the underlying error (an AWS SDK error, a socket error…) when there is one.
 *
 * Test for it with {@link KinesisTsError.isInstance} (or a subclass's `isInstance`) rather than
 * `instanceof`, which fails on an error made by another copy of the package.
 */
export class KinesisTsError extends Error {
  /** A stable, machine-readable identifier of the kind of failure, e.g. `RECORD_TOO_LARGE`. */
  readonly code: string;
  /** Whether the failed operation may succeed if tried again unchanged. */
  readonly retryable: boolean;

  constructor(message: string, options: { code: string; retryable?: boolean; cause?: unknown }) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = options.code;
    this.retryable = options.retryable ?? false;
    Object.defineProperty(this, KINESIS_TS_ERROR, { value: true });
  }

  /**
   * Whether `value` is a kinesis-ts error, made by this copy of `@kinesis-ts/core` or by any other
   * (it carries the `Symbol.for('kinesis-ts.error')` mark and a string `code`).
   */
  static isInstance(value: unknown): value is KinesisTsError {
    return (
      typeof value === 'object' &&
      value !== null &&
      (value as { [KINESIS_TS_ERROR]?: unknown })[KINESIS_TS_ERROR] === true &&
      typeof (value as { code?: unknown }).code === 'string'
    );
  }

  /** Whether `value` is a kinesis-ts error (from any copy of the package) with one of `codes`. */
  static hasCode<C extends string>(
    value: unknown,
    ...codes: readonly C[]
  ): value is KinesisTsError & { code: C } {
    return KinesisTsError.isInstance(value) && (codes as readonly string[]).includes(value.code);
  }
}

/**
 * A value given to a kinesis-ts function or constructor breaks a rule: a partition key that is too
 * long, an explicit hash key out of range, a record over the size limit, an option out of range.
 * Thrown before anything is sent. `field` names the offending field or option, `limit` the rule.
 */
export class ValidationError extends KinesisTsError {
  /** The name of the offending field or option, e.g. `partitionKey` or `maxBufferedTimeMs`. */
  readonly field: string;
  /** The rule that was broken, in words, e.g. `1..256 characters`. */
  readonly limit: string;

  constructor(field: string, limit: string, detail: string, code: string) {
    super(`Invalid ${field}: ${detail} (allowed: ${limit})`, { code, retryable: false });
    this.field = field;
    this.limit = limit;
  }

  /** Whether `value` is a `ValidationError` from any copy of `@kinesis-ts/core` (a kinesis-ts error with `field` and `limit`). */
  static override isInstance(value: unknown): value is ValidationError {
    return (
      KinesisTsError.isInstance(value) &&
      typeof (value as { field?: unknown }).field === 'string' &&
      typeof (value as { limit?: unknown }).limit === 'string'
    );
  }
}
