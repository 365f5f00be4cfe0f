import { type BackoffPolicy, fullJitterBackoffMs, type RandomSource } from '@kinesis-ts/core';
import type { StartingPosition } from '../records-retrieval.js';

/** How a SubscribeToShard subscription ended (other than at the shard's end or on close). */
export type SubscriptionEnd =
  /** The service completed it (every subscription lasts at most 5 minutes). */
  | 'completed'
  /** No event came for the idle timeout: the watchdog aborted it. */
  | 'idle-timeout'
  /** `ResourceInUseException`: another subscription for this consumer and shard exists, or took over. */
  | 'resource-in-use'
  /** `LimitExceededException` (more than one call per second per shard) or KMS throttling. */
  | 'throttled'
  /** Anything else: KMS and internal failures, network errors, an inconsistent event, a missing consumer. */
  | 'error';

/** Options of {@link SubscriptionPlanner}. Times are in milliseconds. */
export interface SubscriptionPlannerOptions {
  /** Where the first subscription starts: the checkpoint (AT_SEQUENCE_NUMBER) or the initial position. */
  readonly initialPosition: StartingPosition;
  /** The least time between the starts of two subscriptions (the service allows one call per second per shard). */
  readonly minSubscribeIntervalMs: number;
  /** The least wait after `ResourceInUseException` (the service's window is 5 s). */
  readonly resourceInUseWaitMs: number;
  /** Backoff after throttling and errors (full jitter, counting consecutive failures). */
  readonly backoff: BackoffPolicy;
  /** After this long without progress, check whether the shard is closed; 0 never checks. */
  readonly shardEndCheckAfterMs: number;
  readonly random: RandomSource;
}

/**
 * The decisions of one shard's enhanced fan-out subscriptions, without I/O or timers (the caller
 * passes the time): where each subscription starts, how long to wait before it, and when to check
 * whether a silent shard has ended.
 *
 * - The first subscription starts at the initial position; every later one `AFTER_SEQUENCE_NUMBER`
 *   the last acknowledged `ContinuationSequenceNumber` (an event is acknowledged when the next one
 *   is asked for, i.e. once its records were processed), so a renewal neither skips nor repeats.
 * - Subscriptions start at most once per `minSubscribeIntervalMs`; after `ResourceInUseException` the
 *   next one waits at least `resourceInUseWaitMs` (plus up to 20 % jitter, since the other holder's
 *   call time is unknown); after throttling or errors, a full-jitter backoff that grows with each
 *   consecutive failure and resets once an event arrives.
 * - Progress is a record or a new continuation number. With none for `shardEndCheckAfterMs`, the
 *   caller should check whether the shard is closed (emulators never send the final event).
 */
export class SubscriptionPlanner {
  private readonly options: SubscriptionPlannerOptions;
  private acknowledged: string | undefined;
  private pending: string | undefined;
  private lastReceived: string | undefined;
  private lastSubscribeAtMs = Number.NEGATIVE_INFINITY;
  private notBeforeMs = Number.NEGATIVE_INFINITY;
  private consecutiveFailures = 0;
  private lastProgressAtMs: number | undefined;
  private lastShardEndCheckAtMs = Number.NEGATIVE_INFINITY;
  private lastEndReason: SubscriptionEnd | undefined;

  constructor(options: SubscriptionPlannerOptions) {
    this.options = options;
  }

  /** Where the next subscription starts. */
  startingPosition(): StartingPosition {
    return this.acknowledged === undefined
      ? this.options.initialPosition
      : { type: 'AFTER_SEQUENCE_NUMBER', sequenceNumber: this.acknowledged };
  }

  /** The last acknowledged continuation sequence number. */
  lastAcknowledged(): string | undefined {
    return this.acknowledged;
  }

  /** How the last subscription ended (`undefined` before the first ended). */
  lastEnd(): SubscriptionEnd | undefined {
    return this.lastEndReason;
  }

  /** Consecutive failed subscriptions (reset by an event). */
  failures(): number {
    return this.consecutiveFailures;
  }

  /** How long to wait, from `nowMs`, before the next subscription may start. */
  delayBeforeSubscribeMs(nowMs: number): number {
    const earliest = Math.max(this.notBeforeMs, this.lastSubscribeAtMs + this.options.minSubscribeIntervalMs);
    return Math.max(0, earliest - nowMs);
  }

  /** A subscription starts now (the call is being sent). */
  subscribing(nowMs: number): void {
    this.lastSubscribeAtMs = nowMs;
    this.lastProgressAtMs ??= nowMs;
  }

  /** An event arrived; it is acknowledged by {@link acknowledge}, once processed. */
  received(continuationSequenceNumber: string, recordCount: number, nowMs: number): void {
    this.pending = continuationSequenceNumber;
    this.consecutiveFailures = 0;
    if (recordCount > 0 || continuationSequenceNumber !== this.lastReceived) this.lastProgressAtMs = nowMs;
    this.lastReceived = continuationSequenceNumber;
  }

  /** The last event received was processed: later subscriptions start after it. */
  acknowledge(): void {
    if (this.pending !== undefined) this.acknowledged = this.pending;
    this.pending = undefined;
  }

  /**
   * The subscription ended for `end`. An event not yet acknowledged is forgotten (it will be read
   * again). Returns how long the next subscription must wait, from `nowMs`.
   */
  ended(end: SubscriptionEnd, nowMs: number): number {
    this.pending = undefined;
    this.lastEndReason = end;
    const { random, backoff, resourceInUseWaitMs } = this.options;
    if (end === 'completed') {
      this.notBeforeMs = nowMs;
    } else if (end === 'resource-in-use') {
      this.consecutiveFailures++;
      this.notBeforeMs = nowMs + resourceInUseWaitMs + Math.floor(random() * resourceInUseWaitMs * 0.2);
    } else {
      this.consecutiveFailures++;
      this.notBeforeMs = nowMs + fullJitterBackoffMs(this.consecutiveFailures, backoff, random);
    }
    return this.delayBeforeSubscribeMs(nowMs);
  }

  /** Whether the subscription has made no progress for `shardEndCheckAfterMs` (nor was checked since). */
  shouldCheckShardEnd(nowMs: number): boolean {
    const after = this.options.shardEndCheckAfterMs;
    if (after <= 0 || this.lastProgressAtMs === undefined) return false;
    return nowMs - Math.max(this.lastProgressAtMs, this.lastShardEndCheckAtMs) >= after;
  }

  /** A shard-end check was made now (the next one waits another `shardEndCheckAfterMs`). */
  checkedShardEnd(nowMs: number): void {
    this.lastShardEndCheckAtMs = nowMs;
  }
}
