import { KinesisTsError } from '@kinesis-ts/core';

/** The stable codes of the errors the lease admin API throws. Every one is listed in `docs/errors.md`. */
export const LeaseAdminErrorCode = {
  /** The application's lease table does not exist. */
  TABLE_NOT_FOUND: 'ADMIN_TABLE_NOT_FOUND',
  /** A shard named in a reset has no lease in the table. */
  LEASE_NOT_FOUND: 'ADMIN_LEASE_NOT_FOUND',
  /** Live workers hold leases the reset would change, and `force` was not given. */
  LEASES_HELD: 'ADMIN_LEASES_HELD',
  /** A conditional write lost a race with a worker (or another admin) after the plan was made. */
  WRITE_CONFLICT: 'ADMIN_WRITE_CONFLICT',
  /** The stream (needed to resolve a timestamp or a sequence number, or to compute lag) does not exist. */
  STREAM_NOT_FOUND: 'ADMIN_STREAM_NOT_FOUND',
  /** Kinesis refused the sequence number for the shard (it belongs to another shard or stream). */
  INVALID_SEQUENCE_NUMBER: 'ADMIN_INVALID_SEQUENCE_NUMBER',
} as const;

/** One of the codes in {@link LeaseAdminErrorCode}. */
export type LeaseAdminErrorCode = (typeof LeaseAdminErrorCode)[keyof typeof LeaseAdminErrorCode];

/** A lease that blocked a reset, or a write that lost its race. */
export interface LeaseAdminIssue {
  readonly leaseKey: string;
  /** The worker holding the lease, when one does. */
  readonly leaseOwner?: string;
  readonly detail: string;
}

/**
 * A lease admin operation was refused or did not complete. Nothing was written unless `applied`
 * lists leases (a `WRITE_CONFLICT` after some writes succeeded).
 */
export class LeaseAdminError extends KinesisTsError {
  /** The leases involved (held ones for `ADMIN_LEASES_HELD`, conflicting ones for `ADMIN_WRITE_CONFLICT`). */
  readonly issues: readonly LeaseAdminIssue[];
  /** Lease keys already rewritten before the failure (only `ADMIN_WRITE_CONFLICT`). */
  readonly applied: readonly string[];

  constructor(
    code: LeaseAdminErrorCode,
    message: string,
    options: { issues?: readonly LeaseAdminIssue[]; applied?: readonly string[]; cause?: unknown } = {},
  ) {
    super(message, {
      code,
      retryable: code === LeaseAdminErrorCode.WRITE_CONFLICT,
      cause: options.cause,
    });
    this.issues = options.issues ?? [];
    this.applied = options.applied ?? [];
  }

  /** Whether `value` is a `LeaseAdminError` from any copy of the package (a kinesis-ts error with an `ADMIN_` code). */
  static override isInstance(value: unknown): value is LeaseAdminError {
    return KinesisTsError.hasCode(value, ...Object.values(LeaseAdminErrorCode));
  }
}
