/** One try at writing a record, as reported in results and errors (the KPL's `Attempt`). */
export interface Attempt {
  /** When the request carrying the record was sent, in milliseconds since the epoch. */
  readonly startedAt: number;
  /** Milliseconds the record waited before this attempt: since `put` for the first, since the previous attempt ended for the others. */
  readonly delayMs: number;
  /** How long the request took, in milliseconds. */
  readonly durationMs: number;
  /** Whether this attempt wrote the record. */
  readonly success: boolean;
  /** The error code of a failed attempt: a per-entry code, an AWS error name, or `WrongShard`. */
  readonly errorCode?: string;
  /** The error message of a failed attempt. */
  readonly errorMessage?: string;
}

/**
 * What a successful `put` resolves with. Frozen: records written in the same aggregate at their first
 * attempt, accepted in the same millisecond, share one result object (their results are identical).
 */
export interface PutResult {
  /** The shard that holds the record. */
  readonly shardId: string;
  /** The sequence number of the Kinesis record that carries it (shared by every user record of an aggregate). */
  readonly sequenceNumber: string;
  /** Whether it went out packed in a KPL aggregate. */
  readonly aggregated: boolean;
  /**
   * The attempts, the successful last one included: all of them up to 10, else the first and the 9
   * latest (so a long outage cannot grow a record without bound).
   */
  readonly attempts: readonly Attempt[];
  /** How many attempts there were in all, including any dropped from `attempts`. */
  readonly attemptCount: number;
}
