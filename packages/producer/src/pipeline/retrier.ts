import {
  type AwsErrorContext,
  failureCode,
  fullJitterBackoffMs,
  RequestTimeoutError,
} from '@kinesis-ts/core';
import { ProducerErrorCode } from '../errors.js';
import type { MetricsRecorder } from '../metrics.js';
import type { ResolvedProducerOptions } from '../options.js';
import type { ProducerEventEmitter } from '../producer-events.js';
import type { RequestInFlight } from './collector.js';
import type { OpenShard } from './list-shards.js';
import {
  type AttemptTiming,
  addFailedAttempt,
  failedAttemptCount,
  failedAttempts,
  type PendingRecord,
  setDueAt,
} from './pending-record.js';
import {
  allRecordsIn,
  interpretPutRecordsError,
  interpretPutRecordsOutput,
  type SentEntry,
} from './put-records-outcome.js';
import type { RequestCompletion } from './sender.js';
import type { Settlement, WrittenEntry } from './settlement.js';
import type { ShardLane } from './shard-lane.js';

/** The options the retrier works with. */
export type RetrierOptions = Pick<
  ResolvedProducerOptions,
  'failIfThrottled' | 'maxAttempts' | 'retryBackoff' | 'random'
>;

/**
 * Why the shard map must be fetched again: an entry landed on another shard than the lanes' map
 * predicted (`'lanes-map-outdated'`: refresh that map, unless a newer one is already in use), or an
 * aggregate landed on a shard no map fetched so far has shown (`'unknown-shard'`: refresh whichever
 * map is current, since a newer map may have come while the request was in flight).
 */
export type ShardMapRefresh = 'lanes-map-outdated' | 'unknown-shard';

/** The retrier's neighbours in the pipeline. */
export interface RetrierDependencies {
  /** Where written records are resolved and given-up ones rejected. */
  readonly settlement: Settlement;
  readonly metrics: MetricsRecorder;
  readonly events: ProducerEventEmitter;
  /** The hash range of a shard seen in any map fetched so far (closed shards included). */
  readonly rangeOf: (shardId: string) => OpenShard | undefined;
  /** The lane an entry was predicted for (undefined: the unpredicted lane). */
  readonly laneOf: (shardId: string | undefined) => ShardLane;
  /** Records to send again, in put order: they go back at the front of their lane, before newer ones. */
  readonly requeue: (lane: ShardLane, records: PendingRecord[]) => void;
  /** The shard map must be fetched again. */
  readonly refreshShardMap: (reason: ShardMapRefresh) => void;
  /** What is known of the SDK client, for classifying a call's error (see `ClientHistory`). */
  readonly errorContext: () => AwsErrorContext;
}

/** An aggregate that landed on a shard the map did not know, waiting for the refreshed map. */
interface UndecidedEntry {
  readonly sent: SentEntry;
  readonly lane: ShardLane;
  readonly shardId: string;
  readonly sequenceNumber: string;
  readonly timing: AttemptTiming;
}

/** Records to retry, per lane, and the lanes that must back off first. */
class RetryBatch {
  readonly byLane = new Map<ShardLane, PendingRecord[]>();
  readonly backoff = new Set<ShardLane>();

  add(lane: ShardLane, record: PendingRecord): void {
    const records = this.byLane.get(lane);
    if (records === undefined) this.byLane.set(lane, [record]);
    else records.push(record);
  }
}

/**
 * Reads each completed `PutRecords` call entry by entry (see `put-records-outcome.ts`) and acts on it:
 * a written entry settles its records; an entry refused for good fails them; any other failure
 * records the attempt, then fails the records out of time or attempts and sends the others back to
 * the front of their lane. Shards that throttled or failed back off (full jitter) and are paced down;
 * shards that took everything reset their backoff and speed up again. An aggregate that landed on a
 * shard no map knows waits here until the refreshed map decides whether it was written or must be
 * re-sent (`decideUndecided`).
 */
export class Retrier {
  private readonly undecided: UndecidedEntry[] = [];

  constructor(
    private readonly options: RetrierOptions,
    private readonly deps: RetrierDependencies,
  ) {}

  /** Aggregates waiting for a refreshed shard map to decide where they stand. */
  get undecidedCount(): number {
    return this.undecided.length;
  }

  /** Acts on a completed `PutRecords` call: every user record it carried is settled, retried or held. */
  complete(request: RequestInFlight, completion: RequestCompletion): void {
    const { startedAt, endedAt, timeoutMs, userRecords, output, error } = completion;
    const { settlement, metrics, events } = this.deps;
    const timing: AttemptTiming = { startedAt, durationMs: endedAt - startedAt, endedAt };
    // A call that timed out was cut at its deadline, which may be the time to live of its first-
    // expiring record; the timer can fire a moment before the clock reads that time, and the records
    // whose time to live the deadline reached expire all the same.
    const expiredBy = RequestTimeoutError.isInstance(error)
      ? Math.max(endedAt, startedAt + timeoutMs)
      : endedAt;
    const outcomes =
      output === undefined
        ? interpretPutRecordsError(
            request.entries,
            error,
            this.options.failIfThrottled,
            this.deps.errorContext(),
          )
        : interpretPutRecordsOutput(request.entries, output, this.deps.rangeOf, this.options.failIfThrottled);
    metrics.requestCompleted(timing.durationMs, request.entries.length, userRecords);
    const requestErrorCode = error === undefined ? undefined : failureCode(error);
    events.emit('request:completed', {
      entries: request.entries.length,
      userRecords,
      failedEntries: outcomes.filter((outcome) => outcome.kind === 'retry' || outcome.kind === 'fail').length,
      durationMs: timing.durationMs,
      ...(requestErrorCode === undefined ? {} : { errorCode: requestErrorCode }),
    });
    if (requestErrorCode !== undefined) metrics.requestFailed(requestErrorCode);

    const retries = new RetryBatch();
    const succeededLanes = new Set<ShardLane>();
    let mapOutdated = false;
    const written: WrittenEntry[] = [];
    request.entries.forEach((sent, index) => {
      const outcome = outcomes[index]!;
      // Nothing rebuckets lanes while a request is in flight, so the entry's lane is still there.
      const lane = this.deps.laneOf(sent.predictedShardId);
      switch (outcome.kind) {
        case 'success':
          mapOutdated ||= outcome.mapOutdated;
          succeededLanes.add(lane);
          written.push({
            packed: sent.packed,
            shardId: outcome.shardId,
            sequenceNumber: outcome.sequenceNumber,
          });
          return;
        case 'unknown-shard':
          // Held (and counted in flight) until the refreshed map tells whether the shard holds it all.
          mapOutdated = true;
          lane.inFlight++;
          this.undecided.push({
            sent,
            lane,
            shardId: outcome.shardId,
            sequenceNumber: outcome.sequenceNumber,
            timing,
          });
          return;
        case 'fail':
          if (output !== undefined) metrics.error(sent.predictedShardId, outcome.errorCode);
          addFailedAttempt(sent.packed.records, outcome.errorCode, outcome.errorMessage, timing);
          for (const record of sent.packed.records) {
            settlement.failed(
              record,
              sent.predictedShardId,
              outcome.code,
              outcome.errorCode,
              outcome.errorMessage,
              outcome.cause,
            );
          }
          return;
        case 'retry':
          mapOutdated ||= outcome.mapOutdated;
          if (output !== undefined) metrics.error(sent.predictedShardId, outcome.errorCode);
          if (outcome.backoff) retries.backoff.add(lane);
          this.retryOrGiveUp(sent, lane, outcome.errorCode, outcome.errorMessage, timing, retries, {
            expiredBy,
            cause: error,
          });
          return;
      }
    });

    if (written.length > 0) settlement.requestWritten(written, timing);
    this.adjustLanes(succeededLanes, retries.backoff, endedAt);
    this.requeue(retries);
    if (this.undecided.length > 0) this.deps.refreshShardMap('unknown-shard');
    else if (mapOutdated) this.deps.refreshShardMap('lanes-map-outdated');
  }

  /**
   * Settles the aggregates that landed on shards the old map did not know, now that a map has been
   * fetched (`mapReady`) or fetching failed: those whose records all hash into the shard they landed
   * on are written; the others are re-sent whole.
   */
  decideUndecided(mapReady: boolean): void {
    const retries = new RetryBatch();
    for (const { sent, lane, shardId, sequenceNumber, timing } of this.undecided.splice(0)) {
      lane.inFlight--;
      const landedOn = mapReady ? this.deps.rangeOf(shardId) : undefined;
      if (landedOn !== undefined && allRecordsIn(sent.packed, landedOn)) {
        this.deps.settlement.written(sent.packed, shardId, sequenceNumber, timing);
      } else {
        const message = `Aggregate predicted for ${sent.predictedShardId} landed on ${shardId}, which does not hold all its records`;
        this.retryOrGiveUp(sent, lane, 'WrongShard', message, timing, retries);
      }
    }
    this.requeue(retries);
  }

  /** A record's time to live ran out while it waited for room in the buffer: it fails as `Expired`. */
  readonly expiredWaitingForRoom = (record: PendingRecord): void => {
    this.deps.settlement.failed(
      record,
      undefined,
      ProducerErrorCode.RECORD_EXPIRED,
      'Expired',
      'Record reached its time to live while waiting for room in the buffer',
    );
  };

  /** A record's time to live ran out while it was queued in `lane` (not in flight): it fails. */
  readonly expiredInLane = (record: PendingRecord, lane: ShardLane): void => {
    // A record sent before carries its last real error (a timeout tells it may have been written);
    // one never sent, the error of its shard's last failed send, which kept it waiting.
    const last = failedAttempts(record).at(-1);
    const behind = lane.lastError;
    this.deps.settlement.failed(
      record,
      lane.shardId,
      ProducerErrorCode.RECORD_EXPIRED,
      last?.errorCode ?? behind?.errorCode ?? 'Expired',
      last?.errorMessage ??
        (behind === undefined
          ? 'Record reached its time to live while waiting to be sent'
          : `Record reached its time to live while waiting to be sent behind its shard's failed sends: ${behind.errorMessage}`),
    );
  };

  /**
   * A shard that took everything resets its backoff and may go a little faster again. One that
   * throttled or failed (even if it took some entries) is paced down and backs off longer.
   */
  private adjustLanes(succeeded: Set<ShardLane>, backoff: Set<ShardLane>, endedAt: number): void {
    for (const lane of succeeded) {
      if (backoff.has(lane)) continue;
      lane.retryAttempt = 0;
      lane.lastError = undefined;
      lane.limiter?.speedUp(endedAt);
    }
    for (const lane of backoff) {
      lane.limiter?.slowDown(endedAt);
      lane.retryAttempt++;
      const backoffMs = fullJitterBackoffMs(
        lane.retryAttempt,
        this.options.retryBackoff,
        this.options.random,
      );
      lane.notBefore = endedAt + backoffMs;
      this.deps.events.emit('shard:throttled', { shardId: lane.shardId, backoffMs });
    }
  }

  /**
   * Records the failed attempt, then fails each record out of time (its time to live reached by
   * `expiredBy`, by default when the attempt ended) or attempts, and queues the rest for retry.
   * `cause` is the error of a call that failed as a whole, handed to the records given up on.
   */
  private retryOrGiveUp(
    sent: SentEntry,
    lane: ShardLane,
    errorCode: string,
    errorMessage: string,
    timing: AttemptTiming,
    retries: RetryBatch,
    { expiredBy = timing.endedAt, cause }: { expiredBy?: number; cause?: unknown } = {},
  ): void {
    addFailedAttempt(sent.packed.records, errorCode, errorMessage, timing);
    lane.lastError = { errorCode, errorMessage };
    for (const record of sent.packed.records) {
      if (record.arrival.expiresAt <= expiredBy) {
        this.deps.settlement.failed(
          record,
          sent.predictedShardId,
          ProducerErrorCode.RECORD_EXPIRED,
          errorCode,
          errorMessage,
          cause,
        );
      } else if (failedAttemptCount(record) >= this.options.maxAttempts) {
        this.deps.settlement.failed(
          record,
          sent.predictedShardId,
          ProducerErrorCode.MAX_ATTEMPTS_EXCEEDED,
          errorCode,
          errorMessage,
          cause,
        );
      } else {
        setDueAt(record, timing.endedAt);
        retries.add(lane, record);
      }
    }
  }

  /** Hands the records to retry back, lane by lane, in put order (a key's records stay in order). */
  private requeue(retries: RetryBatch): void {
    for (const [lane, records] of retries.byLane) {
      records.sort((a, b) => a.sequence - b.sequence);
      this.deps.requeue(lane, records);
    }
  }
}
