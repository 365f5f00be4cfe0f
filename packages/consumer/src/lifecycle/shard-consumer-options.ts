import type { DeaggregationDiscard, ExtendedSequenceNumber, Logger, RandomSource } from '@kinesis-ts/core';
import type { Lease, LeaseHashKeyRange } from '../leases/lease.js';
import type { CheckpointStore } from '../leases/lease-store.js';
import type { ProcessingPolicy } from '../processing/processing-retry.js';
import type { ConsumerRecord, RecordHandler, ShardRecordProcessor } from '../processor/record-processor.js';
import type { ChildShard, RetrievalFactory, RetrievedBatch } from '../retrieval/records-retrieval.js';
import type { ShardConsumerState } from './shard-consumer-states.js';
import type { StallReport } from './stall-watch.js';

/** How records reach the application. */
export type Delivery =
  | {
      readonly kind: 'handler';
      readonly handler: RecordHandler;
      /** The least time between the checkpoints written after batches, in ms (0: after every batch). */
      readonly checkpointIntervalMs: number;
    }
  | { readonly kind: 'processor'; readonly processor: ShardRecordProcessor };

/** What the shard consumer reports. */
export interface ShardConsumerHooks {
  onStateChange?(state: ShardConsumerState): void;
  onStarted?(checkpoint: ExtendedSequenceNumber): void;
  onBatch?(batch: RetrievedBatch): void;
  onProcessed?(records: number, bytes: number, millisBehindLatest: number | undefined): void;
  onCheckpoint?(checkpoint: ExtendedSequenceNumber): void;
  onProcessingError?(error: unknown, attempt: number, willRetry: boolean): void;
  onPoisonRecord?(record: ConsumerRecord, error: unknown, attempts: number): Promise<void> | void;
  onFailed?(error: unknown): void;
  onShardEnd?(childShardIds: readonly string[]): void;
  onDiscard?(discard: DeaggregationDiscard): void;
  onError?(operation: string, error: unknown): void;
  /**
   * The shard made progress at `atMs`: processing began, a batch completed (an empty one too), records
   * of a batch were done, or a checkpoint was written.
   */
  onProgress?(atMs: number): void;
  /** A delivery made no progress for `stalledShardWarningMs` (and again at each further multiple). */
  onStalled?(report: StallReport): void;
}

/** Options of {@link ShardConsumer}. */
export interface ShardConsumerOptions {
  readonly shardId: string;
  /** The lease as it was when taken. */
  readonly lease: Lease;
  readonly token: string;
  readonly store: CheckpointStore;
  /** Reads a lease (to check parents). */
  readonly getLease: (leaseKey: string) => Promise<Lease | undefined>;
  /**
   * Creates the leases of a finished shard's children (if they do not exist). Resolves `'blocked'`
   * when they must not be created yet (a merge whose other parent has no lease yet): the shard
   * waits `parentShardPollIntervalMs` and tries again, keeping its lease.
   */
  readonly createChildLeases: (
    parent: Lease,
    children: readonly ChildShard[],
  ) => Promise<'created' | 'blocked'>;
  /**
   * Waits until one of the parents may have finished: resolves when this worker finishes one of
   * them, or after `timeoutMs`, or when `signal` aborts (never rejects). @defaultValue a plain sleep
   */
  readonly waitForParents?: (
    parentShardIds: readonly string[],
    timeoutMs: number,
    signal: AbortSignal,
  ) => Promise<void>;
  readonly retrieval: RetrievalFactory;
  /** The configured AT_TIMESTAMP timestamp, for leases whose checkpoint is `AT_TIMESTAMP`. */
  readonly timestamp: Date | undefined;
  readonly hashKeyRange: LeaseHashKeyRange | undefined;
  readonly delivery: Delivery;
  readonly policy: Omit<ProcessingPolicy, 'onPoisonRecord'> & { readonly deadLetter: boolean };
  readonly parentShardPollIntervalMs: number;
  readonly deliverEmptyBatches: boolean;
  /** Report a delivery without progress after this long, in ms, and at each multiple; 0: never. @defaultValue 0 */
  readonly stalledShardWarningMs?: number;
  /** Abort a try of the handler/processor after this long, in ms, and count it failed; 0: never. @defaultValue 0 */
  readonly processingTimeoutMs?: number;
  readonly now: () => number;
  readonly random: RandomSource;
  readonly logger?: Logger;
  readonly hooks?: ShardConsumerHooks;
}
