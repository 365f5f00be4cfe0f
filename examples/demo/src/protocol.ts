/** What the demo's main process and its worker processes say to each other over the IPC channel. */

/** How a worker reads the stream. */
export type RetrievalMode = 'polling' | 'fan-out';

/** Given to a worker process as its one JSON argument. */
export interface WorkerConfig {
  /** A, B… */
  readonly label: string;
  readonly mode: RetrievalMode;
  readonly kinesisEndpoint: string;
  readonly dynamoDbEndpoint: string;
  readonly streamName: string;
  readonly applicationName: string;
  readonly sinkTable: string;
  readonly dedupeTable: string;
  readonly failoverTimeMs: number;
  /** Share of GetRecords calls answered with ProvisionedThroughputExceededException (injected). */
  readonly getRecordsThrottleRate: number;
}

export interface ShardStatus {
  readonly state: string;
  readonly millisBehindLatest: number | undefined;
}

export type WorkerMessage =
  | { readonly type: 'started'; readonly pid: number }
  | {
      readonly type: 'status';
      /** The leases held now. */
      readonly leases: readonly string[];
      /** Event ids written to the sink since the last status (first writes, not duplicates). */
      readonly delivered: readonly string[];
      /** Duplicates the idempotency store suppressed, in all. */
      readonly duplicates: number;
      /** Records handed to the handler, in all (duplicates included). */
      readonly records: number;
      /** GetRecords/SubscribeToShard calls throttled or failed and retried, in all. */
      readonly retrievalRetries: number;
      /** Batches that failed and were retried, in all. */
      readonly processingRetries: number;
      readonly shards: Readonly<Record<string, ShardStatus>>;
    }
  | { readonly type: 'lease'; readonly event: 'taken' | 'lost' | 'released'; readonly leaseKey: string }
  | { readonly type: 'shard-ended'; readonly shardId: string; readonly childShardIds: readonly string[] }
  | { readonly type: 'log'; readonly level: 'warn' | 'error'; readonly message: string }
  | { readonly type: 'stopped' };

export type MainMessage = { readonly type: 'stop' };
