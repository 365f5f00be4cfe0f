import {
  SubscribeToShardCommand,
  type SubscribeToShardCommandOutput,
  type SubscribeToShardEvent,
  type SubscribeToShardEventStream,
} from '@aws-sdk/client-kinesis';
import {
  type AwsErrorKind,
  awsErrorCode,
  classifyAwsError,
  describeError,
  type Logger,
  SILENT_LOGGER,
  sendWithoutSdkRetries,
  sleep,
} from '@kinesis-ts/core';
import { ConsumerErrorCode, InvalidRetrievalResultError, StreamConsumerError } from '../../errors.js';
import { anySignal, raceAbort, waitForAbort } from '../../util/signals.js';
import type { RetrievedBatch, ShardRecordsRetrieval } from '../records-retrieval.js';
import { validateRetrievalResult } from '../retrieval-result-validation.js';
import { type ShardEndProbe, toChildShard, toRecordInput } from '../shard-end-probe.js';
import { decideShardNotFound } from '../shard-status.js';
import type { FanOutRetrievalOptions } from './fan-out-retrieval-options.js';
import { type SubscriptionEnd, SubscriptionPlanner } from './subscription-planner.js';

interface Subscription {
  readonly controller: AbortController;
  readonly iterator: AsyncIterator<SubscribeToShardEventStream>;
  events: number;
}

/** The watchdog's abort reason. */
class SubscriptionIdleError extends Error {
  constructor(timeoutMs: number) {
    super(`No SubscribeToShard event for ${timeoutMs} ms`);
    this.name = 'SubscriptionIdleTimeout';
  }
}

const DEFAULT_MIN_SUBSCRIBE_INTERVAL_MS = 1_000;
const DEFAULT_RESOURCE_IN_USE_WAIT_MS = 5_000;

/**
 * Reads a shard through enhanced fan-out: one `SubscribeToShard` subscription at a time, renewed for
 * as long as the shard is read (the service ends each after 5 minutes). Decisions are the
 * {@link SubscriptionPlanner}'s; this shell does the calls, the watchdog and the aborts.
 *
 * - **Backpressure**: `next()` pulls one event from the subscription and hands it out; the next
 *   event is pulled only when `next()` is called again, after the previous batch was processed (which
 *   acknowledges it). A slow processor slows the subscription instead of filling memory.
 * - **Renewal**: every subscription after the first starts `AFTER_SEQUENCE_NUMBER` the last
 *   acknowledged `ContinuationSequenceNumber`; at most one per `minSubscribeIntervalMs`; after
 *   `ResourceInUseException` at least `resourceInUseWaitMs` later; throttling, KMS, internal and
 *   network errors back off; after any failure, only if the lease is still held.
 * - **Watchdog**: waiting for an event (or for the call to answer) longer than
 *   `subscriptionIdleTimeoutMs` aborts the subscription and renews it.
 * - **Shard end**: the final event (no continuation number, with `ChildShards`) ends the shard. When
 *   the service says `ResourceNotFoundException`, or the subscription makes no progress for
 *   `shardEndCheckAfterMs` on a shard the stream lists as closed (the local emulator never sends the
 *   final event), one GetRecords call decides: the shard's end (with its last records and children),
 *   the shard is gone (an end without children, only once a fresh shard listing shows it closed or
 *   gone: one `ResourceNotFoundException` may be transient), or neither (the subscription goes on).
 * - `close()` (lease lost, shutdown) aborts the subscription through its `AbortSignal`.
 */
export class FanOutRetrieval implements ShardRecordsRetrieval {
  private readonly options: FanOutRetrievalOptions;
  private readonly planner: SubscriptionPlanner;
  private readonly closing = new AbortController();
  private readonly now: () => number;
  private readonly logger: Logger;
  private subscription: Subscription | undefined;
  private shardEnded = false;

  constructor(options: FanOutRetrievalOptions) {
    this.options = options;
    this.now = options.now ?? Date.now;
    this.logger = options.logger ?? SILENT_LOGGER;
    this.planner = new SubscriptionPlanner({
      initialPosition: options.startingPosition,
      minSubscribeIntervalMs: options.minSubscribeIntervalMs ?? DEFAULT_MIN_SUBSCRIBE_INTERVAL_MS,
      resourceInUseWaitMs: options.resourceInUseWaitMs ?? DEFAULT_RESOURCE_IN_USE_WAIT_MS,
      backoff: options.backoff,
      shardEndCheckAfterMs: options.shardEndCheckAfterMs,
      random: options.random ?? Math.random,
    });
  }

  /**
   * The next batch (one subscription event). Calling it acknowledges the previous batch: later
   * subscriptions start after it. Rejects with the signal's reason when `signal` aborts or the
   * retrieval is closed; the subscription is then dropped (the next call starts a new one).
   */
  async next(signal?: AbortSignal): Promise<RetrievedBatch> {
    const stop = anySignal([this.closing.signal, signal]);
    try {
      this.planner.acknowledge();
      for (;;) {
        if (stop.signal.aborted) throw stop.signal.reason;
        if (this.shardEnded) await waitForAbort(stop.signal); // the end was handed out: nothing follows
        try {
          const batch = this.subscription ? await this.pull(stop.signal) : await this.subscribe(stop.signal);
          if (batch) return batch;
        } catch (error) {
          if (stop.signal.aborted) throw stop.signal.reason;
          // Not expected (every failure is handled above), but never let it end the shard's processing.
          this.logger.error('Fan-out retrieval failed unexpectedly; subscribing again', {
            shardId: this.options.shardId,
            error: describeError(error),
          });
          this.drop('closed');
          this.planner.ended('error', this.now());
        }
      }
    } catch (error) {
      if (stop.signal.aborted) this.drop('closed');
      throw error;
    } finally {
      stop.dispose();
    }
  }

  /** Aborts the subscription; `next()` rejects from now on. */
  close(): void {
    if (!this.closing.signal.aborted) this.closing.abort(new Error('retrieval closed'));
    this.drop('closed');
  }

  // --- subscribing ----------------------------------------------------------------------------

  private async subscribe(stop: AbortSignal): Promise<RetrievedBatch | undefined> {
    const delay = this.planner.delayBeforeSubscribeMs(this.now());
    if (delay > 0) await sleep(delay, stop);
    const lastEnd = this.planner.lastEnd();
    if (lastEnd !== undefined && lastEnd !== 'completed' && this.options.verifyLease) {
      const held = await this.options.verifyLease().catch(() => true);
      if (!held) {
        this.logger.info('Not subscribing again: the lease is no longer held', {
          shardId: this.options.shardId,
        });
        await waitForAbort(stop); // the consumer closes this retrieval once it learns of the loss
      }
    }
    const startingPosition = this.planner.startingPosition();
    this.planner.subscribing(this.now());
    const controller = new AbortController();
    const idleTimeoutMs = this.options.subscriptionIdleTimeoutMs;
    const watchdog = setTimeout(
      () => controller.abort(new SubscriptionIdleError(idleTimeoutMs)),
      idleTimeoutMs,
    );
    const race = anySignal([stop, controller.signal]);
    try {
      const sending = sendWithoutSdkRetries<SubscribeToShardCommandOutput>(
        this.options.client,
        new SubscribeToShardCommand({
          ConsumerARN: this.options.consumerArn,
          ShardId: this.options.shardId,
          StartingPosition: {
            Type: startingPosition.type,
            SequenceNumber:
              'sequenceNumber' in startingPosition ? startingPosition.sequenceNumber : undefined,
            Timestamp: 'timestamp' in startingPosition ? startingPosition.timestamp : undefined,
          },
        }),
        { abortSignal: controller.signal },
      );
      const output = await raceAbort(sending, race.signal);
      if (!output.EventStream) throw new Error('SubscribeToShard answered without an event stream');
      this.subscription = {
        controller,
        iterator: output.EventStream[Symbol.asyncIterator](),
        events: 0,
      };
      this.logger.debug('Subscribed to shard', { shardId: this.options.shardId, startingPosition });
      this.options.onEvent?.({ type: 'subscribed', startingPosition });
      return undefined;
    } catch (error) {
      if (!controller.signal.aborted) controller.abort(new Error('subscription abandoned'));
      if (stop.aborted) throw stop.reason;
      return this.failed(error, 'SubscribeToShard', stop, 0);
    } finally {
      clearTimeout(watchdog);
      race.dispose();
    }
  }

  // --- reading --------------------------------------------------------------------------------

  private async pull(stop: AbortSignal): Promise<RetrievedBatch | undefined> {
    const subscription = this.subscription!;
    const idleTimeoutMs = this.options.subscriptionIdleTimeoutMs;
    const watchdog = setTimeout(
      () => subscription.controller.abort(new SubscriptionIdleError(idleTimeoutMs)),
      idleTimeoutMs,
    );
    const race = anySignal([stop, subscription.controller.signal]);
    let result: IteratorResult<SubscribeToShardEventStream>;
    try {
      const pending = subscription.iterator.next();
      pending.catch(() => undefined);
      result = await raceAbort(pending, race.signal);
    } catch (error) {
      if (stop.aborted) throw stop.reason;
      this.forget(subscription);
      return this.failed(error, 'SubscribeToShard', stop, subscription.events);
    } finally {
      clearTimeout(watchdog);
      race.dispose();
    }
    if (result.done) {
      this.forget(subscription);
      this.planner.ended('completed', this.now());
      this.logger.debug('Subscription completed; renewing it', {
        shardId: this.options.shardId,
        events: subscription.events,
      });
      this.options.onEvent?.({
        type: 'subscription-ended',
        reason: 'completed',
        events: subscription.events,
      });
      return undefined;
    }
    subscription.events++;
    const event = result.value;
    if (event.SubscribeToShardEvent) return this.onEvent(event.SubscribeToShardEvent, subscription, stop);
    // An exception delivered as an event of the union (older SDKs) rather than thrown.
    const members = event as unknown as Record<string, { message?: string } | undefined>;
    const name = Object.keys(members).find((key) => key !== '$unknown' && members[key] !== undefined);
    if (name === undefined) return undefined; // an event type this SDK does not know: skip it
    const detail = members[name];
    const error = Object.assign(new Error(detail?.message ?? name), { name });
    this.forget(subscription);
    return this.failed(error, 'SubscribeToShard', stop, subscription.events);
  }

  private async onEvent(
    event: SubscribeToShardEvent,
    subscription: Subscription,
    stop: AbortSignal,
  ): Promise<RetrievedBatch | undefined> {
    const { shardId } = this.options;
    const validation = validateRetrievalResult(event.ContinuationSequenceNumber, event.ChildShards);
    if (!validation.valid) {
      this.forget(subscription);
      const error = new InvalidRetrievalResultError(shardId, 'SubscribeToShard', validation.reason);
      return this.failed(error, 'SubscribeToShard', stop, subscription.events);
    }
    const records = (event.Records ?? []).map(toRecordInput);
    const sizeBytes = records.reduce((sum, record) => sum + record.data.byteLength, 0);
    this.options.onEvent?.({
      type: 'event',
      records: records.length,
      millisBehindLatest: event.MillisBehindLatest,
    });
    if (validation.shardEnd) {
      this.shardEnded = true;
      this.drop('shard-end');
      return {
        records,
        millisBehindLatest: event.MillisBehindLatest,
        shardEnd: { childShards: (event.ChildShards ?? []).map(toChildShard) },
        sizeBytes,
        retrievedAtMs: this.now(),
      };
    }
    this.planner.received(event.ContinuationSequenceNumber!, records.length, this.now());
    if (records.length === 0 && this.planner.shouldCheckShardEnd(this.now())) {
      const end = await this.checkShardEnd(stop);
      if (end) return end;
    }
    return { records, millisBehindLatest: event.MillisBehindLatest, sizeBytes, retrievedAtMs: this.now() };
  }

  // --- shard end without the final event ------------------------------------------------------

  /** A silent subscription on a closed shard: one GetRecords call tells whether the shard ended. */
  private async checkShardEnd(stop: AbortSignal): Promise<RetrievedBatch | undefined> {
    this.planner.checkedShardEnd(this.now());
    let closed: boolean;
    try {
      closed = (await this.options.shardStatus(this.options.shardEndCheckAfterMs)) === 'closed';
    } catch (error) {
      this.logger.debug('Could not list shards to check for a closed shard', { error: describeError(error) });
      return undefined;
    }
    if (!closed) {
      this.options.onEvent?.({ type: 'shard-end-check', closed: false, ended: false });
      return undefined;
    }
    // The current event brought nothing new: it is safe to read on from the last continuation number.
    this.planner.acknowledge();
    const probe = await this.probe(stop);
    if (probe === undefined) return undefined;
    const batch = await this.endBatch(probe, stop);
    this.options.onEvent?.({ type: 'shard-end-check', closed: true, ended: batch !== undefined });
    if (batch) {
      this.logger.info('Shard ended without a final SubscribeToShard event; confirmed with GetRecords', {
        shardId: this.options.shardId,
      });
      this.shardEnded = true;
      this.drop('shard-end');
    } else if (probe.kind === 'invalid') {
      this.reportError(
        'GetRecords',
        new InvalidRetrievalResultError(this.options.shardId, 'GetRecords', probe.reason),
        0,
      );
    }
    return batch;
  }

  /** `ResourceNotFoundException`: the shard is gone, or ended, or the stream consumer is. */
  private async onResourceNotFound(
    error: unknown,
    stop: AbortSignal,
    events: number,
  ): Promise<RetrievedBatch | undefined> {
    const probe = await this.probe(stop);
    const batch = probe && (await this.endBatch(probe, stop));
    if (batch) {
      this.logger.warn('Shard not found by SubscribeToShard and read to its end with GetRecords', {
        shardId: this.options.shardId,
        gone: probe?.kind === 'gone',
      });
      this.shardEnded = true;
      this.options.onEvent?.({ type: 'subscription-ended', reason: 'shard-end', events, error });
      return batch;
    }
    if (probe === undefined) return undefined; // the probe failed and was reported; retry later
    const cause =
      probe.kind === 'invalid'
        ? new InvalidRetrievalResultError(this.options.shardId, 'GetRecords', probe.reason)
        : probe.kind === 'gone'
          ? error // GetRecords said not found too, but the shard listing did not confirm it
          : new StreamConsumerError(
              ConsumerErrorCode.STREAM_CONSUMER_NOT_FOUND,
              this.options.consumerArn,
              `SubscribeToShard says ResourceNotFoundException but shard ${this.options.shardId} is readable: the stream consumer may have been deregistered`,
              error,
            );
    const retryInMs = this.planner.ended('error', this.now());
    this.options.onEvent?.({ type: 'subscription-ended', reason: 'error', events, error: cause });
    this.reportError('SubscribeToShard', cause, retryInMs);
    return undefined;
  }

  /** Probes the shard from the resume position; `undefined` when the probe itself failed (reported). */
  private async probe(stop: AbortSignal): Promise<ShardEndProbe | undefined> {
    try {
      return await this.options.probeShardEnd(this.planner.startingPosition(), stop);
    } catch (error) {
      if (stop.aborted) throw stop.reason;
      const retryInMs = this.planner.ended('error', this.now());
      this.reportError('GetRecords', error, retryInMs);
      return undefined;
    }
  }

  /** The end batch a probe shows; a shard not found ends only once a fresh listing confirms it. */
  private async endBatch(probe: ShardEndProbe, stop: AbortSignal): Promise<RetrievedBatch | undefined> {
    if (probe.kind === 'gone') {
      const status = await this.options.shardStatus(0).catch((error: unknown) => {
        if (stop.aborted) throw stop.reason;
        this.logger.warn('Listing shards to confirm a shard not found failed', {
          shardId: this.options.shardId,
          error: describeError(error),
        });
        return undefined;
      });
      if (decideShardNotFound(status) === 'retry') {
        this.logger.warn(
          'GetRecords says the shard does not exist, but the shard listing does not confirm it',
          {
            shardId: this.options.shardId,
            status,
          },
        );
        return undefined;
      }
      return { records: [], shardEnd: { childShards: [] }, sizeBytes: 0, retrievedAtMs: this.now() };
    }
    if (probe.kind !== 'ended') return undefined;
    return {
      records: probe.records,
      millisBehindLatest: probe.millisBehindLatest,
      shardEnd: { childShards: probe.childShards },
      sizeBytes: probe.records.reduce((sum, record) => sum + record.data.byteLength, 0),
      retrievedAtMs: this.now(),
    };
  }

  // --- failures -------------------------------------------------------------------------------

  /** A subscription failed (or could not start): decide when to renew it, and report. */
  private async failed(
    error: unknown,
    operation: 'SubscribeToShard',
    stop: AbortSignal,
    events: number,
  ): Promise<RetrievedBatch | undefined> {
    const code = awsErrorCode(error) ?? (error instanceof Error ? error.name : undefined);
    if (code === 'ResourceNotFoundException') return this.onResourceNotFound(error, stop, events);
    let end: SubscriptionEnd;
    if (error instanceof SubscriptionIdleError) end = 'idle-timeout';
    else if (code === 'ResourceInUseException') end = 'resource-in-use';
    else if (classifyAwsError(error) === 'throttling') end = 'throttled';
    else end = 'error';
    const retryInMs = this.planner.ended(end, this.now());
    this.logger[end === 'idle-timeout' || end === 'resource-in-use' ? 'info' : 'warn'](
      'Subscription ended; renewing it',
      { shardId: this.options.shardId, reason: end, retryInMs, events, error: describeError(error) },
    );
    this.options.onEvent?.({ type: 'subscription-ended', reason: end, events, error });
    this.reportError(operation, error, retryInMs);
    return undefined;
  }

  private reportError(operation: 'SubscribeToShard' | 'GetRecords', error: unknown, retryInMs: number): void {
    const kind: AwsErrorKind = error instanceof SubscriptionIdleError ? 'transient' : classifyAwsError(error);
    this.options.onEvent?.({ type: 'error', operation, kind, error, retryInMs });
  }

  /** Ends the current subscription (abort its call), reporting why. */
  private drop(reason: 'closed' | 'shard-end'): void {
    const subscription = this.subscription;
    if (!subscription) return;
    this.forget(subscription);
    this.options.onEvent?.({ type: 'subscription-ended', reason, events: subscription.events });
  }

  /** Stops using a subscription: aborts its request and releases its stream. */
  private forget(subscription: Subscription): void {
    if (this.subscription === subscription) this.subscription = undefined;
    if (!subscription.controller.signal.aborted)
      subscription.controller.abort(new Error('subscription closed'));
    void subscription.iterator.return?.()?.catch(() => undefined);
  }
}
