/**
 * The one base class of every error thrown by the kinesis-ts packages.
 *
 * - `code` is stable: programs may switch on it. Every code is listed in `docs/errors.md`.
 * - `retryable` says whether trying the same operation again may succeed.
 * - `cause` carries the underlying error (an AWS SDK error, a socket error…) when there is one.
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
}
