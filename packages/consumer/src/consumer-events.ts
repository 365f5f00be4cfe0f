import type { ExtendedSequenceNumber } from '@kinesis-ts/core';
import type { LeaseLossReason } from './leases/lease-renewer.js';
import type { ShardShutdownReason } from './lifecycle/shard-consumer-states.js';
import type { ConsumerRecord } from './processor/record-processor.js';
import type { SubscriptionEndReason } from './retrieval/fanout/fan-out-retrieval-options.js';
import type { StartingPosition } from './retrieval/records-retrieval.js';

/** The payloads of {@link ConsumerEvents}, before the stream fields. */
interface ConsumerEventPayloads {
  /** `start()` finished: the lease table is ready and the first leases are taken. */
  started: { readonly workerId: string };
  /** `stop()` finished. */
  stopped: { readonly workerId: string };
  /** This worker took a lease: unowned, expired, or stolen from a busier worker. */
  'lease:taken': {
    readonly leaseKey: string;
    readonly previousOwner?: string;
    readonly stolen: boolean;
    readonly checkpoint: ExtendedSequenceNumber;
  };
  /** A lease was lost: another worker took it, or renewals failed for the failover time. */
  'lease:lost': { readonly leaseKey: string; readonly reason: LeaseLossReason };
  /** A lease was released for others to take (graceful stop, shard end). */
  'lease:released': { readonly leaseKey: string; readonly written: boolean };
  /**
   * A finished (SHARD_END) lease was deleted from the table: its parents' leases were gone and all
   * its children had started (`cleanupLeasesUponShardCompletion`).
   */
  'lease:deleted': { readonly leaseKey: string };
  /** A shard consumer began reading (after its parents finished and `initialize`). */
  'shard:started': { readonly shardId: string; readonly checkpoint: ExtendedSequenceNumber };
  /** A shard was read to its end and checkpointed at SHARD_END. */
  'shard:ended': { readonly shardId: string; readonly childShardIds: readonly string[] };
  /** A shard consumer finished, for any reason. */
  'shard:stopped': { readonly shardId: string; readonly reason: ShardShutdownReason };
  /** A shard stopped because processing kept failing; its lease stays held. */
  'shard:failed': { readonly shardId: string; readonly error: unknown };
  /**
   * A batch in delivery made no progress (no checkpoint, no records done) for `stalledShardWarningMs`;
   * emitted again at each further multiple while it stays stuck. The lease stays renewed meanwhile.
   */
  'shard:stalled': {
    readonly shardId: string;
    /** How long since the delivery began or last made progress, in ms. */
    readonly stalledForMs: number;
    /** How many records the try in progress was given (the batch, its rest, or one record when isolating). */
    readonly records: number;
    /** The sequence number of the first of them (undefined for an empty batch). */
    readonly firstSequenceNumber: string | undefined;
    /** Which try of these records is in progress (1 for the first). */
    readonly attempt: number;
    /**
     * `processingTimeoutMs` already aborted the try's signal and the handler has not returned: it
     * ignores its signal, and the shard waits for it.
     */
    readonly timedOut: boolean;
  };
  /** A checkpoint was written. */
  checkpoint: { readonly shardId: string; readonly checkpoint: ExtendedSequenceNumber };
  /** A batch was delivered (or skipped because it was empty). */
  'batch:processed': {
    readonly shardId: string;
    readonly records: number;
    readonly bytes: number;
    readonly millisBehindLatest?: number;
  };
  /** The handler or processor threw; `willRetry` says whether the batch will be tried again. */
  'processing:error': {
    readonly shardId: string;
    readonly error: unknown;
    readonly attempt: number;
    readonly willRetry: boolean;
  };
  /** A record was handed to `onPoisonRecord` and skipped. */
  'record:poisoned': { readonly shardId: string; readonly record: ConsumerRecord; readonly error: unknown };
  /** Fan-out: a SubscribeToShard subscription began (the call was answered). */
  'subscription:started': { readonly shardId: string; readonly startingPosition: StartingPosition };
  /**
   * Fan-out: a subscription ended: `completed` by the service (every 5 minutes), `idle-timeout`
   * (the watchdog), `resource-in-use`, `throttled`, `error`, `shard-end`, or `closed` (lease lost,
   * shutdown). All but the last two are followed by a new subscription.
   */
  'subscription:ended': {
    readonly shardId: string;
    readonly reason: SubscriptionEndReason;
    /** Events the subscription delivered. */
    readonly events: number;
    readonly error?: unknown;
  };
  /** A Kinesis call failed (it is retried). */
  'retrieval:error': { readonly shardId: string; readonly operation: string; readonly error: unknown };
  /** A lease table call failed (scan, take, renew, shard sync…; retried at the next interval). */
  'lease-table:error': { readonly operation: string; readonly error: unknown };
  /** Multi-stream: a stream was added (from `streams`), its leases created and its shards open to take. */
  'stream:added': {
    readonly streamName: string;
    readonly streamArn: string;
    readonly streamIdentifier: string;
  };
  /** Multi-stream: a stream left the `streams` list; this worker stopped its shards and released their leases. */
  'stream:removed': {
    readonly streamName: string;
    readonly streamArn: string;
    readonly streamIdentifier: string;
  };
  /**
   * Multi-stream: the `streams` list could not be read or was invalid (a `ValidationError` naming the
   * entry, or a `StreamTrackerError`): the streams already running keep running.
   */
  'streams:error': { readonly error: unknown };
  /**
   * Single-stream: the stream was deleted and created again while the consumer ran (a
   * `StreamRecreatedError`); the consumer stops rather than read the new stream from the old
   * stream's checkpoints.
   */
  'stream:recreated': { readonly error: unknown };
  /**
   * Load-aware assignment (`'worker-utilization'`): this worker became the fleet's leader (it holds
   * the `Leader` lock row: it assigns leases, scans the table and runs the periodic shard sync), or
   * stopped being it (its heartbeats failed for a lock lease duration, or it stopped).
   */
  'leadership:changed': { readonly isLeader: boolean };
}

/**
 * The stream an event about a shard or a lease concerns. Multi-stream (`streams`): both fields.
 * Single-stream: the stream as configured, `streamName` or `streamArn` (as in `onPoisonRecord`).
 * `lease-table:error` carries them only for a stream's own work (its shard sync, its lease cleanup).
 */
export interface EventStreamFields {
  /** The stream's name: always in multi-stream mode; in single-stream mode if configured by `streamName`. */
  readonly streamName?: string;
  /** The stream's ARN: always in multi-stream mode; in single-stream mode if configured by `streamArn`. */
  readonly streamArn?: string;
}

/** Events about the consumer or the stream list as a whole: they carry no {@link EventStreamFields}. */
type ConsumerWideEvent =
  | 'started'
  | 'stopped'
  | 'stream:added'
  | 'stream:removed'
  | 'streams:error'
  | 'stream:recreated'
  | 'leadership:changed';

/**
 * Every event a `KinesisConsumer` emits, with its payload. The events about a shard or a lease
 * (`lease:*`, `shard:*`, `batch:processed`, `checkpoint`, …) also carry {@link EventStreamFields}.
 */
export type ConsumerEvents = {
  [E in keyof ConsumerEventPayloads]: E extends ConsumerWideEvent
    ? ConsumerEventPayloads[E]
    : ConsumerEventPayloads[E] & EventStreamFields;
};

/** The name of an event of {@link ConsumerEvents}. */
export type ConsumerEventName = keyof ConsumerEvents;

/** A listener of event `E`. */
export type ConsumerEventListener<E extends ConsumerEventName> = (payload: ConsumerEvents[E]) => void;
