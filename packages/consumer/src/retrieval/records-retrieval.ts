import type { KinesisRecordInput, StreamReference } from '@kinesis-ts/core';

/** Which stream to read: core's one stream reference. */
export type { StreamReference };

/** A child shard reported at the end of a closed shard (`ChildShards` in GetRecords or SubscribeToShard). */
export interface ChildShard {
  readonly shardId: string;
  readonly parentShardIds: readonly string[];
  readonly startingHashKey: string;
  readonly endingHashKey: string;
}

/** Where a shard consumer starts reading: a sentinel position, or at/after a sequence number. */
export type StartingPosition =
  | { readonly type: 'TRIM_HORIZON' | 'LATEST' }
  | { readonly type: 'AT_TIMESTAMP'; readonly timestamp: Date }
  | { readonly type: 'AT_SEQUENCE_NUMBER' | 'AFTER_SEQUENCE_NUMBER'; readonly sequenceNumber: string };

/** One batch of Kinesis records as retrieved, before deaggregation. */
export interface RetrievedBatch {
  /** The Kinesis records (KPL aggregates not yet split), possibly none. */
  readonly records: readonly KinesisRecordInput[];
  /** How far behind the tip of the shard the batch is, when the service said. */
  readonly millisBehindLatest?: number;
  /** Set on the last batch of a closed shard: the shard has been read to its end. */
  readonly shardEnd?: { readonly childShards: readonly ChildShard[] };
  /** The records' data bytes. */
  readonly sizeBytes: number;
  /** When the batch was retrieved (ms since the epoch). */
  readonly retrievedAtMs: number;
}

/**
 * The records of one shard, in order: polling (`GetRecords` with a bounded prefetch) today, enhanced
 * fan-out (`SubscribeToShard`) later. `next` hands out one batch at a time; taking a batch frees room
 * for the retrieval to fetch more, so a slow processor slows the retrieval instead of growing memory.
 */
export interface ShardRecordsRetrieval {
  /** The next batch; waits for one. Rejects with the signal's reason when `signal` aborts. */
  next(signal?: AbortSignal): Promise<RetrievedBatch>;
  /** Stops fetching and drops what was prefetched. */
  close(): void;
}

/** What a retrieval needs to start reading a shard. */
export interface RetrievalRequest {
  readonly shardId: string;
  readonly startingPosition: StartingPosition;
}

/** Builds the retrieval of a shard (one per shard consumer). */
export type RetrievalFactory = (request: RetrievalRequest) => ShardRecordsRetrieval;
