import type { DeaggregatedRecord, ExtendedSequenceNumber } from '@kinesis-ts/core';
import type { ChildShard } from '../retrieval/records-retrieval.js';
import type { Checkpointer } from './checkpointer.js';

/**
 * A user record as delivered: deaggregated from its KPL aggregate when it was one, with the Kinesis
 * record's sequence number and its position in the aggregate (`subSequenceNumber`, 0 otherwise).
 * `data` may be a view into the fetched bytes: copy it to keep it past the call.
 */
export type ConsumerRecord = DeaggregatedRecord;

/**
 * The stream of a shard, in a multi-stream application (`streams`): given to the handler and the
 * processor next to `shardId`.
 */
export interface StreamContext {
  readonly streamName: string;
  readonly streamArn: string;
}

/** `initialize`'s input: where the shard's processing resumes. */
export interface InitializationInput extends Partial<StreamContext> {
  readonly shardId: string;
  /** The lease's checkpoint: a position, or a sentinel (`TRIM_HORIZON`, `LATEST`, `AT_TIMESTAMP`). */
  readonly extendedSequenceNumber: ExtendedSequenceNumber;
  /** A checkpoint the previous owner prepared and did not make: records up to it may have been processed. */
  readonly pendingCheckpointSequenceNumber?: ExtendedSequenceNumber;
  /** The bytes the previous owner stored with its pending checkpoint. */
  readonly pendingCheckpointState?: Uint8Array;
}

/** `processRecords`' input. */
export interface ProcessRecordsInput extends Partial<StreamContext> {
  readonly shardId: string;
  /** The batch, deaggregated, in shard order, none at or before the checkpoint. */
  readonly records: readonly ConsumerRecord[];
  readonly checkpointer: Checkpointer;
  /** How far the batch is behind the tip of the shard, in ms, when Kinesis said. */
  readonly millisBehindLatest?: number;
  /** The last batch of a closed shard: `shardEnded` follows. */
  readonly isAtShardEnd: boolean;
  /** The shard's children, on the last batch of a closed shard. */
  readonly childShards?: readonly ChildShard[];
  /**
   * Aborted when the lease is lost or the consumer stops (finish quickly; later checkpoints may fail),
   * or when this call exceeds `processingTimeoutMs` (its `reason` is then the `ProcessingTimeoutError`).
   */
  readonly signal: AbortSignal;
}

/** `leaseLost`'s input. The lease is already gone: checkpoints fail with `LeaseLostError`. */
export interface LeaseLostInput extends Partial<StreamContext> {
  readonly shardId: string;
}

/** `shardEnded`'s input. The processor must call `checkpointer.checkpoint()` (it writes SHARD_END). */
export interface ShardEndedInput extends Partial<StreamContext> {
  readonly shardId: string;
  readonly checkpointer: Checkpointer;
}

/** `shutdownRequested`'s input: the consumer is stopping; checkpoint what is done. */
export interface ShutdownRequestedInput extends Partial<StreamContext> {
  readonly shardId: string;
  readonly checkpointer: Checkpointer;
}

/**
 * A KCL-shaped record processor: one instance per shard lease acquisition. Methods may be async; the
 * consumer waits for each. `processRecords` failures are retried (see `maxProcessingAttempts`).
 *
 * Lifecycle: `initialize` once, `processRecords` zero or more times, then exactly one of
 * `leaseLost` (another worker took the shard), `shardEnded` (the shard is closed and fully read)
 * or `shutdownRequested` (the consumer is stopping).
 */
export interface ShardRecordProcessor {
  initialize?(input: InitializationInput): Promise<void> | void;
  processRecords(input: ProcessRecordsInput): Promise<void> | void;
  leaseLost?(input: LeaseLostInput): Promise<void> | void;
  /** Must checkpoint (`checkpointer.checkpoint()`). When absent, the consumer checkpoints SHARD_END itself. */
  shardEnded?(input: ShardEndedInput): Promise<void> | void;
  shutdownRequested?(input: ShutdownRequestedInput): Promise<void> | void;
}

/** Makes the processor of one shard lease acquisition (the KCL's `ShardRecordProcessorFactory`). */
export type ShardRecordProcessorFactory = (shardId: string, stream?: StreamContext) => ShardRecordProcessor;

/** The second argument of a {@link RecordHandler}. */
export interface HandlerContext extends Partial<StreamContext> {
  readonly shardId: string;
  /** How far the batch is behind the tip of the shard, in ms, when Kinesis said. */
  readonly millisBehindLatest?: number;
  /** The last batch of a closed shard. */
  readonly isAtShardEnd: boolean;
  /** For checkpoints inside the batch; the consumer checkpoints the whole batch when the handler resolves. */
  readonly checkpointer: Checkpointer;
  /**
   * Aborted when the lease is lost or the consumer stops, or when this call exceeds
   * `processingTimeoutMs` (its `reason` is then the `ProcessingTimeoutError`).
   */
  readonly signal: AbortSignal;
  /** 1 on the first try of this batch, then 2, 3… on retries. */
  readonly attempt: number;
}

/**
 * The simple way to consume: called with each non-empty batch, in shard order. When it resolves, the
 * batch is checkpointed; when it throws, the batch is retried (see `maxProcessingAttempts`).
 */
export type RecordHandler = (
  records: readonly ConsumerRecord[],
  context: HandlerContext,
) => Promise<void> | void;

/** A record given up on after `maxProcessingAttempts` failures, handed to `onPoisonRecord`. */
export interface PoisonRecord {
  readonly streamName?: string;
  readonly streamArn?: string;
  readonly shardId: string;
  readonly record: ConsumerRecord;
  /** The last error the handler or processor threw. */
  readonly error: unknown;
  /**
   * How many times the record was handed to the handler: `maxProcessingAttempts`, or twice that
   * when a plain error made the consumer isolate it (the tries of the whole batch, then its own).
   */
  readonly attempts: number;
}
