import type { ExtendedSequenceNumber } from '@kinesis-ts/core';
import type { ShardConsumerState } from './lifecycle/shard-consumer-states.js';

/** A shard's figures, named after the KCL's metrics where it has one. */
export interface ShardMetrics {
  readonly shardId: string;
  /** Multi-stream: the shard's stream (the entry is then keyed `<streamName>/<shardId>`). */
  readonly streamName?: string;
  readonly state: ShardConsumerState;
  /** How far the last batch was behind the tip of the shard, in ms (the KCL's `MillisBehindLatest`). */
  readonly MillisBehindLatest: number | undefined;
  /** User records delivered since this worker took the lease. */
  readonly RecordsProcessed: number;
  /** Bytes of user record data delivered since this worker took the lease. */
  readonly DataBytesProcessed: number;
  /** The last checkpoint written (or found on the lease). */
  readonly checkpoint: ExtendedSequenceNumber | undefined;
  /** GetRecords calls (polling; with fan-out, the calls that check a silent closed shard's end). */
  readonly GetRecordsCalls: number;
  /** Fan-out: SubscribeToShard subscriptions started (each renewal counts). */
  readonly SubscribeToShardCalls: number;
  /** Expired shard iterators replaced (the KCL's `ExpiredIterator`). */
  readonly ExpiredIterator: number;
  /** Throttled Kinesis calls. */
  readonly ThrottledCalls: number;
  /** Other failed Kinesis calls. */
  readonly RetrievalErrors: number;
  /** Handler or processor failures (each retry counts). */
  readonly ProcessingFailures: number;
  /** Records handed to `onPoisonRecord`. */
  readonly PoisonRecords: number;
  /**
   * How long ago the shard last made progress, in ms: processing began, a batch completed (an empty
   * one from an idle shard too), records of a batch were done, or a checkpoint was written. Undefined
   * until processing begins (while waiting for the parent shards, during `initialize`). A healthy shard
   * stays near `idleTimeBetweenReadsMs` (polling) or 5 s (fan-out) when idle, and near its batch time
   * when busy; it grows without bound while a handler hangs, retries, or the shard is `failed`.
   */
  readonly MillisSinceLastProgress: number | undefined;
}

/** A snapshot of the consumer's figures, named after the KCL's metrics where it has one. */
export interface ConsumerMetrics {
  readonly workerId: string;
  readonly state: string;
  /** Leases this worker holds (the KCL's `CurrentLeases`). */
  readonly CurrentLeases: number;
  /** Leases in the table that can be worked on, at the last scan (`TotalLeases`; SHARD_END ones excluded). */
  readonly TotalLeases: number;
  /** Finished (SHARD_END) leases still in the table at the last scan. */
  readonly FinishedLeases: number;
  /** Workers seen holding a live lease at the last scan, this one included (`NumWorkers`). */
  readonly NumWorkers: number;
  /** The fair share of leases per worker at the last scan. */
  readonly TargetLeases: number;
  /** How many more leases this worker wanted at the last scan (`NeededLeases`). */
  readonly NeededLeases: number;
  /** Leases nobody takes because of `maxLeasesForWorker` (`LeaseSpillover`). */
  readonly LeaseSpillover: number;
  /** Leases taken since start (`TakenLeases`), stolen ones included. */
  readonly TakenLeases: number;
  /** Leases stolen from busier workers since start. */
  readonly StolenLeases: number;
  /** Leases lost since start (`LostLeases`). */
  readonly LostLeases: number;
  /** Leases released for others (graceful stop, shard end) since start. */
  readonly ReleasedLeases: number;
  /** Finished leases this worker deleted since start (their children had started). */
  readonly DeletedLeases: number;
  /** Successful lease table writes since start: renewals, takes, checkpoints (each bumps `leaseCounter`). */
  readonly LeaseWrites: number;
  /** Failed renewals (the lease is kept until it expires locally). */
  readonly RenewalFailures: number;
  /** User records delivered since start (`RecordsProcessed`). */
  readonly RecordsProcessed: number;
  /** Bytes of user record data delivered since start (`DataBytesProcessed`). */
  readonly DataBytesProcessed: number;
  /** The largest `MillisBehindLatest` among the shards this worker processes. */
  readonly MillisBehindLatest: number | undefined;
  /** Checkpoints written since start. */
  readonly Checkpoints: number;
  /** Records handed to `onPoisonRecord` since start. */
  readonly PoisonRecords: number;
  /** Per shard this worker processes now. */
  readonly shards: Readonly<Record<string, ShardMetrics>>;
}

type MutableShardMetrics = {
  -readonly [K in Exclude<keyof ShardMetrics, 'MillisSinceLastProgress'>]: ShardMetrics[K];
} & {
  /** When the shard last made progress, in ms since the epoch (see `MillisSinceLastProgress`). */
  lastProgressAtMs: number | undefined;
};

/** Counts for `metrics()`; the facade feeds it. */
export class MetricsRecorder {
  takenLeases = 0;
  stolenLeases = 0;
  lostLeases = 0;
  releasedLeases = 0;
  deletedLeases = 0;
  leaseWrites = 0;
  renewalFailures = 0;
  recordsProcessed = 0;
  dataBytesProcessed = 0;
  checkpoints = 0;
  poisonRecords = 0;
  private readonly shardMetrics = new Map<string, MutableShardMetrics>();

  /** Starts (or restarts) a shard's figures. */
  openShard(shardId: string, checkpoint: ExtendedSequenceNumber, streamName?: string): MutableShardMetrics {
    const metrics: MutableShardMetrics = {
      shardId,
      streamName,
      state: 'waiting-on-parents',
      MillisBehindLatest: undefined,
      RecordsProcessed: 0,
      DataBytesProcessed: 0,
      checkpoint,
      GetRecordsCalls: 0,
      SubscribeToShardCalls: 0,
      ExpiredIterator: 0,
      ThrottledCalls: 0,
      RetrievalErrors: 0,
      ProcessingFailures: 0,
      PoisonRecords: 0,
      lastProgressAtMs: undefined,
    };
    this.shardMetrics.set(shardKey(shardId, streamName), metrics);
    return metrics;
  }

  /** Forgets a shard's figures if `metrics` is still the current entry. */
  closeShard(shardId: string, metrics: MutableShardMetrics): void {
    const key = shardKey(shardId, metrics.streamName);
    if (this.shardMetrics.get(key) === metrics) this.shardMetrics.delete(key);
  }

  /** The figures at `nowMs` (ms since the epoch, for the ages). */
  snapshot(
    base: Omit<ConsumerMetrics, 'shards' | 'MillisBehindLatest' | keyof CounterFields>,
    nowMs: number,
  ): ConsumerMetrics {
    const shards: Record<string, ShardMetrics> = {};
    let behind: number | undefined;
    for (const [shardId, metrics] of this.shardMetrics) {
      const { lastProgressAtMs, ...figures } = metrics;
      shards[shardId] = {
        ...figures,
        MillisSinceLastProgress:
          lastProgressAtMs === undefined ? undefined : Math.max(0, nowMs - lastProgressAtMs),
      };
      if (metrics.MillisBehindLatest !== undefined)
        behind = Math.max(behind ?? 0, metrics.MillisBehindLatest);
    }
    return {
      ...base,
      TakenLeases: this.takenLeases,
      StolenLeases: this.stolenLeases,
      LostLeases: this.lostLeases,
      ReleasedLeases: this.releasedLeases,
      DeletedLeases: this.deletedLeases,
      LeaseWrites: this.leaseWrites,
      RenewalFailures: this.renewalFailures,
      RecordsProcessed: this.recordsProcessed,
      DataBytesProcessed: this.dataBytesProcessed,
      Checkpoints: this.checkpoints,
      PoisonRecords: this.poisonRecords,
      MillisBehindLatest: behind,
      shards,
    };
  }
}

type CounterFields = Pick<
  ConsumerMetrics,
  | 'TakenLeases'
  | 'StolenLeases'
  | 'LostLeases'
  | 'ReleasedLeases'
  | 'DeletedLeases'
  | 'LeaseWrites'
  | 'RenewalFailures'
  | 'RecordsProcessed'
  | 'DataBytesProcessed'
  | 'Checkpoints'
  | 'PoisonRecords'
>;

/** A shard's key in `shards`: its id, prefixed with its stream in a multi-stream application. */
function shardKey(shardId: string, streamName: string | undefined): string {
  return streamName === undefined ? shardId : `${streamName}/${shardId}`;
}
