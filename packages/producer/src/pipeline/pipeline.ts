import {
  ClientHistory,
  CoreErrorCode,
  DEFAULT_MAX_RECORD_SIZE_BYTES,
  failureCode,
  type Logger,
  MAX_RECORD_SIZE_LIMIT_BYTES,
  type UserRecord,
  ValidationError,
} from '@kinesis-ts/core';
import { OversizedRecordError, ProducerErrorCode } from '../errors.js';
import type { MetricsRecorder } from '../metrics.js';
import type { ResolvedProducerOptions } from '../options.js';
import type { ProducerEventEmitter } from '../producer-events.js';
import { Admission, LiveAdmissionLimits } from './admission.js';
import { collectRequest, type RequestInFlight } from './collector.js';
import { FlushWaiters } from './flush-waiters.js';
import { HotSpotMonitor } from './hot-spots.js';
import { listOpenShards, type OpenShard } from './list-shards.js';
import { isSettled, type PendingRecord, type RecordSettler } from './pending-record.js';
import { PumpScheduler } from './pump-scheduler.js';
import { isStreamWideFailure } from './put-records-outcome.js';
import { Retrier } from './retrier.js';
import { Router } from './router.js';
import { canSend, holdsFullLoad, isDue } from './send-readiness.js';
import { type RequestCompletion, Sender } from './sender.js';
import { Settlement } from './settlement.js';
import type { ShardLane } from './shard-lane.js';
import { ShardMap } from './shard-map.js';
import { type RecordSizeLimit, readStreamRecordLimit } from './stream-record-limit.js';

const byDueAt = (a: ShardLane, b: ShardLane): number => a.dueAt - b.dueAt;

/** What the pipeline reports to and through: the producer's events, metrics and logger. */
export interface PipelineContext {
  readonly events: ProducerEventEmitter;
  readonly metrics: MetricsRecorder;
  readonly logger: Logger;
}

/**
 * The producer's machinery behind `KinesisProducer`, and the one place its stages are wired:
 * admission → router (shard lanes, from the shard map) → collector (packer, token buckets) → sender →
 * retrier → settlement, with retries going back to the front of their lane. The stages know each
 * other only through the callbacks given here; the pump below moves records along (see
 * docs/internals/producer-pipeline.md).
 */
export class ProducerPipeline {
  private readonly events: ProducerEventEmitter;
  private readonly metricsRecorder: MetricsRecorder;
  private readonly logger: Logger;

  private readonly admission: Admission;
  private readonly shardMap: ShardMap;
  private readonly router: Router;
  private readonly hotSpots: HotSpotMonitor | undefined;
  private readonly sender: Sender;
  private readonly retrier: Retrier;
  private readonly settlement: Settlement;
  private readonly flushWaiters = new FlushWaiters();
  /** Whether the service has answered the client yet: decides how far a credentials error reaches. */
  private readonly clientHistory = new ClientHistory();
  private readonly scheduler = new PumpScheduler(() => this.pump());
  /** `flush()` calls under way: while there is one, every lane with records is due. */
  private flushes = 0;
  /**
   * The record size limit; undefined while the stream's is being read at start. Records up to the
   * 10 MiB hard maximum are accepted meanwhile; once one above 1 MiB (the smallest limit a stream can
   * have) is queued, nothing is sent until the limit is known, so no record goes out above it and
   * records queued behind it keep their order.
   */
  private recordLimit: RecordSizeLimit | undefined;
  /** Records above 1 MiB routed while the stream's limit was being read. */
  private largeRecordsBeforeLimit = 0;
  /**
   * Calls of the `oversizedRecords` hook under way. The record waits in its lane meanwhile, and
   * nothing is sent until every call has settled, so no record overtakes it (see
   * docs/internals/producer-pipeline.md).
   */
  private replacementsPending = 0;
  private stopped = false;
  /** The lanes that may send, gathered by each pump (kept to spare an array per pump). */
  private readonly candidates: ShardLane[] = [];

  constructor(
    private readonly options: ResolvedProducerOptions,
    context: PipelineContext,
  ) {
    this.events = context.events;
    this.metricsRecorder = context.metrics;
    this.logger = context.logger;
    this.settlement = new Settlement(
      this.metricsRecorder,
      this.events,
      (record) => {
        this.admission.release(record);
        this.flushWaiters.settled(record.sequence);
      },
      (records, figures) => {
        this.admission.releaseAdmitted(figures.count, figures.bufferedBytes);
        this.flushWaiters.settledAll(records, figures.firstSequence, figures.lastSequence);
      },
    );
    this.recordLimit = this.options.recordSizeFromStream
      ? undefined
      : { source: 'option', bytes: this.options.maxRecordSizeBytes };
    // With the hook, records above the limit are let in up to the hard maximum, and replaced in `route`.
    const admissionLimits = new LiveAdmissionLimits(this.options, () =>
      this.options.oversizedRecords !== undefined
        ? MAX_RECORD_SIZE_LIMIT_BYTES
        : (this.recordLimit?.bytes ?? MAX_RECORD_SIZE_LIMIT_BYTES),
    );
    this.admission = new Admission(admissionLimits, {
      admitted: (record) => this.route(record),
      bufferFull: (bufferedRecords, bufferedBytes) =>
        this.events.emit('buffer:full', { bufferedRecords, bufferedBytes }),
      recheckIn: (delayMs) => this.scheduler.runIn(delayMs),
    });
    const now = Date.now();
    if (this.options.hotKeyShare > 0) {
      const { hotKeyShare, hotKeyWindowMs, random } = this.options;
      this.hotSpots = new HotSpotMonitor(hotKeyShare, hotKeyWindowMs, now, random, {
        hotKey: (hot) => this.events.emit('hot-key', hot),
        hotShard: (hot) => this.events.emit('hot-shard', hot),
      });
    }
    this.shardMap = new ShardMap({
      fetchShards: () => this.fetchOpenShards(),
      errorContext: () => this.clientHistory.errorContext,
      onChange: (map) => {
        if (map.state !== 'refreshing' && map.state !== 'loading' && this.retrier.undecidedCount > 0) {
          this.retrier.decideUndecided(map.state === 'ready');
          this.admission.admitWaiting();
        }
        if (map.state === 'ready') {
          this.events.emit('shard-map:updated', { shards: map.shards, generation: map.generation });
          this.logger.debug('Shard map updated', { shards: map.shards.length, generation: map.generation });
        }
        this.scheduler.runIn(0);
      },
      onError: (error, willRetry) => {
        this.events.emit('shard-map:error', { error, willRetry });
        this.logger.warn('ListShards failed; sending records without shard prediction meanwhile', {
          error: error instanceof Error ? error.message : String(error),
          willRetry,
        });
      },
    });
    this.router = new Router(this.shardMap, this.options);
    this.sender = new Sender(this.options, this.metricsRecorder, (request, completion) =>
      this.complete(request, completion),
    );
    this.retrier = new Retrier(this.options, {
      settlement: this.settlement,
      metrics: this.metricsRecorder,
      events: this.events,
      rangeOf: (shardId) => this.shardMap.rangeOf(shardId),
      laneOf: (shardId) => this.router.laneOf(shardId),
      // Retries re-enter at the front of their lane, before newer records.
      requeue: (lane, records) => lane.unshiftAll(records),
      errorContext: () => this.clientHistory.errorContext,
      refreshShardMap: (reason) =>
        this.shardMap.invalidate(
          reason === 'unknown-shard'
            ? this.shardMap.generation
            : typeof this.router.mode === 'number'
              ? this.router.mode
              : -1,
        ),
    });
    this.shardMap.start();
    if (this.recordLimit === undefined) void this.readRecordLimit();
  }

  /** User records accepted and not yet settled (buffered or in flight), plus those waiting for room. */
  get outstandingRecords(): number {
    return this.admission.outstandingRecords;
  }

  /** Bytes (data plus partition keys) of the records accepted and not yet settled. */
  get outstandingBytes(): number {
    return this.admission.outstandingBytes;
  }

  /**
   * Validates a record and admits it to the buffer (or the wait for room); `settler` hears how it
   * ends. `now`: when it arrived.
   */
  accept(record: UserRecord, settler: RecordSettler, slot = 0, now = Date.now()): void {
    this.admission.accept(record, settler, slot, now);
  }

  /** Resolves when the buffer has room for another record. */
  waitForCapacity(): Promise<void> {
    return this.admission.waitForCapacity();
  }

  /** Sends everything buffered now, and resolves when all of it is settled (written or failed). */
  async flush(): Promise<void> {
    const remaining = this.outstandingRecords;
    if (remaining === 0) return;
    this.flushes++;
    this.scheduler.runSoon();
    try {
      await this.flushWaiters.wait(this.admission.lastSequence, remaining);
    } finally {
      this.flushes--;
    }
  }

  /** Refuses new records from now on. */
  refuseNewRecords(): void {
    this.admission.refuseNewRecords();
  }

  /** Stops the pipeline's timers (once everything is settled). */
  stop(): void {
    this.stopped = true;
    this.shardMap.stop();
    this.scheduler.stop();
  }

  // ---- routing admitted records -------------------------------------------------------------

  private route(record: PendingRecord): void {
    // A record accepted while the stream's limit was read, that waited for room past that time.
    const limit = this.recordLimit;
    const oversized = limit !== undefined && record.sizeBytes > limit.bytes;
    if (oversized && this.options.oversizedRecords === undefined) {
      this.settlement.refused(record, this.tooLarge(record, limit));
      return;
    }
    if (this.recordLimit === undefined && record.sizeBytes > DEFAULT_MAX_RECORD_SIZE_BYTES) {
      this.largeRecordsBeforeLimit++;
    }
    this.metricsRecorder.recordReceived();
    const lane = this.router.route(record);
    if (oversized) this.replaceOversized(record, lane, limit);
    this.hotSpots?.observe(
      record.partitionKey,
      lane.shardId,
      record.arrival.arrivedAt,
      this.shardMap.shards.length,
    );
    // In a burst the pump is already asked for: it looks at every lane, and schedules what it leaves.
    if (this.scheduler.soon) return;
    if (this.flushes > 0 || holdsFullLoad(lane, this.options)) {
      this.scheduler.runSoon();
      return;
    }
    // A timer set for the lane's due time or earlier looks at it in time: no need to read the clock.
    if (this.scheduler.timerRunsAt <= lane.dueAt) return;
    const now = Date.now();
    if (lane.dueAt <= now) this.scheduler.runSoon();
    else this.scheduler.runIn(lane.dueAt - now);
  }

  // ---- the pump: decides what to send, and when to look again --------------------------------

  private pump(): void {
    const now = Date.now();
    this.expireRecords(now);
    const waitForLimit =
      (this.recordLimit === undefined && this.largeRecordsBeforeLimit > 0) || this.replacementsPending > 0;
    const mode = waitForLimit ? undefined : this.router.desiredMode();
    if (mode === undefined) {
      // The shard map (and the stream's record limit) call back when ready; records still expire on time meanwhile.
      const expiry = this.nextExpiry();
      if (expiry !== Number.POSITIVE_INFINITY) this.scheduler.runIn(Math.max(1, expiry - now));
      return;
    }
    if (mode !== this.router.mode) {
      if (this.sender.requestsInFlight > 0 || this.retrier.undecidedCount > 0) return; // their completion pumps again
      this.router.rebucket(mode);
    }

    let slots = this.options.maxConcurrentRequests - this.sender.requestsInFlight;
    const candidates = this.candidates;
    candidates.length = 0;
    for (const lane of this.router.allLanes()) {
      if (canSend(lane, now, this.flushes > 0, this.options)) candidates.push(lane);
    }
    candidates.sort(byDueAt);
    while (slots > 0 && candidates.length > 0) {
      const request = collectRequest(candidates, now, this.flushes > 0, this.options);
      if (request.entries.length === 0) break;
      this.sender.send(request);
      slots--;
    }
    candidates.length = 0;
    this.scheduleNextPump(now);
  }

  private scheduleNextPump(now: number): void {
    let next = Number.POSITIVE_INFINITY;
    for (const lane of this.router.allLanes()) {
      if (lane.queue.length === 0) continue;
      if (this.options.preserveKeyOrder && lane.inFlight > 0) continue; // its completion pumps
      const dueAt = isDue(lane, now, this.flushes > 0, this.options) ? now : lane.dueAt;
      const at = Math.max(dueAt, lane.notBefore, lane.tokensAt);
      if (at < next) next = at;
    }
    next = Math.min(next, this.nextExpiry());
    if (next !== Number.POSITIVE_INFINITY) {
      if (next <= now && this.sender.requestsInFlight >= this.options.maxConcurrentRequests) return;
      this.scheduler.runIn(Math.max(1, next - now));
    }
  }

  /**
   * When the next record that is not in flight reaches its time to live (queued in a lane, whatever
   * holds the lane back, or waiting for room): the pump must look again by then to fail it on time.
   */
  private nextExpiry(): number {
    return Math.min(this.admission.nextWaitingExpiry, this.router.nextQueuedExpiry());
  }

  /** Fails every record past its time to live that is not in flight, and lets waiting records into the room freed. */
  private expireRecords(now: number): void {
    const before = this.outstandingRecords;
    this.failExpired(now);
    if (this.outstandingRecords < before) this.admission.admitWaiting();
  }

  private failExpired(now: number): void {
    this.admission.expireWaiting(now, this.retrier.expiredWaitingForRoom);
    this.router.expireQueued(now, this.retrier.expiredInLane);
  }

  // ---- sending and completing requests --------------------------------------------------------

  /** A `PutRecords` call completed: the retrier settles or requeues its records; then the pump looks again. */
  private complete(request: RequestInFlight, completion: RequestCompletion): void {
    if (completion.error === undefined) this.clientHistory.succeeded();
    else this.clientHistory.failed(completion.error);
    this.retrier.complete(request, completion);
    if (
      completion.error !== undefined &&
      isStreamWideFailure(completion.error, this.clientHistory.errorContext)
    ) {
      this.failEveryWaitingRecord(completion.error);
    }
    // Records whose time to live ran out as this call ended fail where they are (a record waiting
    // for room is not let into the room this call freed just to fail there).
    this.failExpired(completion.endedAt);
    this.admission.admitWaiting();
    this.scheduler.runSoon();
  }

  /**
   * A call showed the stream cannot be written at all (no region, no credentials, no permission, no
   * such stream): every record waiting to be sent fails now with `CANNOT_WRITE_STREAM` and the cause,
   * instead of each being retried until its time to live. Records put later are tried again (the
   * setup may have been fixed meanwhile).
   */
  private failEveryWaitingRecord(error: unknown): void {
    const errorCode = failureCode(error);
    const errorMessage = error instanceof Error ? error.message : String(error);
    const before = this.outstandingRecords;
    const fail = (record: PendingRecord, lane?: { readonly shardId: string | undefined }) =>
      this.settlement.failed(
        record,
        lane?.shardId,
        ProducerErrorCode.CANNOT_WRITE_STREAM,
        errorCode,
        errorMessage,
        error,
      );
    // Every record not in flight "expires" now: the same removal as at the time to live.
    this.admission.expireWaiting(Number.POSITIVE_INFINITY, fail);
    this.router.expireQueued(Number.POSITIVE_INFINITY, fail);
    this.logger.error('Cannot write to the stream: failing every waiting record', {
      errorCode,
      error: errorMessage,
      failedRecords: before - this.outstandingRecords,
    });
  }

  /** Fetches the stream's open shards, noting whether the service answered (see `ClientHistory`). */
  private async fetchOpenShards(): Promise<OpenShard[]> {
    const { client, stream, requestTimeoutMs } = this.options;
    try {
      const shards = await listOpenShards(client, stream, requestTimeoutMs);
      this.clientHistory.succeeded();
      return shards;
    } catch (error) {
      this.clientHistory.failed(error);
      throw error;
    }
  }

  // ---- the stream's record size limit ---------------------------------------------------------

  /**
   * Reads the stream's `MaxRecordSizeInKiB` (falling back to 1 MiB, said once in the log), then
   * refuses the records accepted meanwhile that are above it, and lets the pump send.
   */
  private async readRecordLimit(): Promise<void> {
    const { client, stream, requestTimeoutMs, random } = this.options;
    const limit = await readStreamRecordLimit({ client, stream, requestTimeoutMs, random });
    if (this.stopped) return;
    if (limit.source === 'stream') this.clientHistory.succeeded();
    this.recordLimit = limit;
    if (limit.source === 'fallback') {
      this.logger.warn("Could not read the stream's record size limit; records above 1 MiB are refused", {
        maxRecordSizeBytes: limit.bytes,
        reason: limit.reason,
      });
    } else {
      this.logger.debug('Record size limit read from the stream', { maxRecordSizeBytes: limit.bytes });
    }
    for (const lane of this.router.allLanes()) {
      if (this.options.oversizedRecords !== undefined) {
        const above: PendingRecord[] = [];
        lane.queue.forEach((queued) => {
          if (queued.sizeBytes > limit.bytes) above.push(queued);
        });
        for (const record of above) this.replaceOversized(record, lane, limit);
        continue;
      }
      for (const record of lane.removeWhere((queued) => queued.sizeBytes > limit.bytes)) {
        this.settlement.refused(record, this.tooLarge(record, limit));
      }
    }
    this.admission.admitWaiting();
    this.scheduler.runSoon();
  }

  /**
   * Gives a queued record above the limit to the `oversizedRecords` hook and puts the data it returns
   * in its place. The record stays in its lane meanwhile and the pump sends nothing (no rebucketing
   * either, so the lane stays the record's); when the hook fails, only this record is taken out and
   * fails. A record that settled meanwhile (its time to live ran out) is left as it is.
   */
  private replaceOversized(record: PendingRecord, lane: ShardLane, limit: RecordSizeLimit): void {
    const hook = this.options.oversizedRecords!;
    this.replacementsPending++;
    const context = { partitionKey: record.partitionKey, limitBytes: limit.bytes };
    void Promise.resolve()
      .then(() => hook(record.data, context))
      .then(
        (data) => {
          if (isSettled(record)) return;
          const sizeBytes = record.sizeBytes - record.data.byteLength + (data?.byteLength ?? 0);
          if (!(data instanceof Uint8Array) || sizeBytes > limit.bytes) {
            const detail = !(data instanceof Uint8Array)
              ? 'it did not return a Uint8Array'
              : `it returned ${sizeBytes} bytes (data + partition key), above the limit of ${limit.bytes}`;
            this.failOversized(record, lane, new OversizedRecordError(record.userRecord, detail));
            return;
          }
          const delta = sizeBytes - record.sizeBytes;
          lane.bytes += delta;
          this.admission.resized(record, delta);
          record.data = data;
          record.sizeBytes = sizeBytes;
        },
        (error: unknown) => {
          if (isSettled(record)) return;
          const detail = `it threw: ${error instanceof Error ? error.message : String(error)}`;
          this.failOversized(record, lane, new OversizedRecordError(record.userRecord, detail, error));
        },
      )
      .finally(() => {
        this.replacementsPending--;
        this.admission.admitWaiting();
        this.scheduler.runSoon();
      });
  }

  private failOversized(record: PendingRecord, lane: ShardLane, error: OversizedRecordError): void {
    lane.removeWhere((queued) => queued === record);
    this.settlement.refused(record, error);
  }

  /** The error of a record above the limit, as `put` throws it for one refused at once. */
  private tooLarge(record: PendingRecord, limit: RecordSizeLimit): ValidationError {
    const source =
      limit.source === 'stream'
        ? "the stream's MaxRecordSizeInKiB"
        : limit.source === 'fallback'
          ? `the default: ${limit.reason}`
          : 'maxRecordSizeBytes';
    return new ValidationError(
      'data',
      `data + partition key at most ${limit.bytes} bytes (${source})`,
      `record is ${record.sizeBytes} bytes`,
      CoreErrorCode.RECORD_TOO_LARGE,
    );
  }
}
