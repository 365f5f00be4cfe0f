import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import type { BackoffPolicy, Logger, RandomSource } from '@kinesis-ts/core';
import type { FormerStreamsLeasesDeletion } from '../coordinator/former-streams-plan.js';
import type { StreamsSource } from '../coordinator/stream-config.js';
import type { S3ClaimCheck } from '../processing/claim-check.js';
import type {
  PoisonRecord,
  RecordHandler,
  ShardRecordProcessorFactory,
} from '../processor/record-processor.js';
import type { InitialPosition } from '../retrieval/initial-position.js';
import type { RetrievalConfig } from './retrieval-options.js';

/**
 * Options of `KinesisConsumer`. Times are in milliseconds, sizes in bytes. Give exactly one of
 * `handler` and `processor`, and one of `streamName` and `streamArn`.
 */
export interface KinesisConsumerOptions {
  /** The stream to consume. Give this or `streamArn`. */
  readonly streamName?: string;
  /** The stream's ARN (cross-account access). Give this or `streamName`. */
  readonly streamArn?: string;
  /**
   * Many streams in one application (the KCL's multi-stream mode, with its lease keys
   * `<accountId>:<streamName>:<creationEpoch>:<shardId>`): a non-empty list of `{ streamName }` or
   * `{ streamArn }`, or a function returning it, called every `streamSyncIntervalMs` so streams can
   * be added and removed while the application runs. Give this instead of `streamName`/`streamArn`.
   */
  readonly streams?: StreamsSource;
  /** How often a `streams` function is called for the list of streams, from 1 000 to a day. @defaultValue 60000 */
  readonly streamSyncIntervalMs?: number;
  /**
   * With `streams`: what happens to the leases of a stream that left the list (the KCL's
   * `FormerStreamsLeasesDeletionStrategy`): `'none'` keeps them, `{ strategy: 'auto-detect-deferred',
   * waitMs }` deletes them once the stream has been absent for `waitMs`, `{ strategy:
   * 'provided-deferred', waitMs, streamIdentifiers }` deletes those of the streams the function names.
   * Deleted streams and older streams of a recreated name lose their leases whatever this says.
   * @defaultValue 'none'
   */
  readonly formerStreamsLeasesDeletion?: FormerStreamsLeasesDeletion;
  /**
   * The application's name: workers with the same name share the stream's shards through one lease
   * table, named after the application unless `leaseTableName` says otherwise.
   */
  readonly applicationName: string;
  /** The DynamoDB table holding leases and checkpoints (the KCL's `tableName`). @defaultValue applicationName */
  readonly leaseTableName?: string;
  /**
   * The Kinesis client to read with (SDK v3). The consumer runs its own retries and disables the
   * SDK's for its calls. For kinesis-local or LocalStack, give it an HTTP/1.1 `NodeHttpHandler`.
   */
  readonly kinesisClient: KinesisClient;
  /** The DynamoDB client for the lease table (SDK v3). */
  readonly dynamoDbClient: DynamoDBClient;
  /**
   * This worker's id in the lease table (`leaseOwner`). Must be unique among the application's
   * running workers. @defaultValue `<hostname>:<random UUID>`
   */
  readonly workerId?: string;
  /**
   * Where to start reading shards that have no checkpoint yet: `'TRIM_HORIZON'`, `'LATEST'` or
   * `{ timestamp }`. Shards with a checkpoint always resume from it. Required: the KCL's two
   * defaults (LATEST in code, TRIM_HORIZON in its docs) have confused enough people.
   */
  readonly initialPosition: InitialPosition;

  /**
   * Called with each non-empty batch of deaggregated records, in shard order; the batch is
   * checkpointed when it resolves. Give this or `processor`.
   */
  readonly handler?: RecordHandler;
  /**
   * Makes a KCL-shaped processor per shard (`initialize`, `processRecords`, `leaseLost`,
   * `shardEnded`, `shutdownRequested`); the application checkpoints. Give this or `handler`.
   */
  readonly processor?: ShardRecordProcessorFactory;
  /**
   * Opt-in: records whose data is a claim-check pointer (written by an `S3ClaimCheck`, e.g. a
   * `KinesisDeadLetterSink` with `claimCheck`) reach `handler` / `processor` with the payload read
   * from S3 instead, checked against the pointer's size and digest; a pointer that cannot be read
   * fails its record (retried, then `onPoisonRecord`). The object is kept or deleted as the
   * claim check's `lifecycle` says. Without it, pointers are delivered as they are.
   */
  readonly resolveClaimChecks?: S3ClaimCheck;

  /**
   * How long a lease stays valid without renewal: a worker that stops renewing loses its leases
   * after this, and others take them within about twice this. From 1 000. (The KCL's `failoverTimeMillis`.)
   * @defaultValue 10000
   */
  readonly failoverTimeMs?: number;
  /**
   * How often held leases are renewed (one conditional write per lease). From 50, and at most half
   * of `failoverTimeMs`. @defaultValue failoverTimeMs / 3 − 25 (3 308 at the default failover time, as the KCL)
   */
  readonly leaseRenewalIntervalMs?: number;
  /**
   * How often the lease table is scanned to take expired or unowned leases and balance the load.
   * Each run is one Scan of the table. The KCL uses 2 × (failoverTimeMs + 25); the shorter default
   * bounds the takeover of a dead worker's shards to about 2 × failoverTimeMs. From 100 to a day.
   * @defaultValue failoverTimeMs / 2
   */
  readonly leaseTakerIntervalMs?: number;
  /** The most leases this worker holds. @defaultValue Infinity */
  readonly maxLeasesForWorker?: number;
  /** The most leases stolen from a busier worker in one taker run, 0 to 10 000. @defaultValue 1 */
  readonly maxLeasesToStealAtOneTime?: number;
  /**
   * Take leases nobody renewed for 3 × `failoverTimeMs` (and brand-new ones) first, ignoring the
   * fair share (the KCL's `enablePriorityLeaseAssignment`). @defaultValue true
   */
  readonly enablePriorityLeaseAssignment?: boolean;
  /**
   * Move a lease taken from a busier worker by the KCL 3.x graceful handoff: the owner finishes its
   * batch, checkpoints (`shutdownRequested` for a processor) and hands the lease over, instead of
   * being cut off at its next renewal. Handoffs started by others (a Java KCL 3.x leader) are always
   * honoured. (The KCL's `isGracefulLeaseHandoffEnabled`.) @defaultValue true
   */
  readonly gracefulLeaseHandoff?: boolean;
  /**
   * How long a graceful handoff may take, in ms: the old owner hands the lease over after this even
   * if its shard has not finished, and the new owner takes it after this even if the old owner never
   * handed it over (it died, or is a KCL 2.x worker). From 100 to a day. (The KCL's
   * `gracefulLeaseHandoffTimeoutMillis`.) @defaultValue 30000
   */
  readonly gracefulLeaseHandoffTimeoutMs?: number;
  /**
   * On `stop()`, release every lease with a conditional write (`REMOVE leaseOwner`) after the final
   * checkpoint, so other workers take the shards at once instead of after the failover time. The
   * KCL does not; set false to behave like it. @defaultValue true
   */
  readonly releaseLeasesOnStop?: boolean;
  /** Create the lease table (on-demand billing) when it does not exist. @defaultValue true */
  readonly createLeaseTableIfMissing?: boolean;
  /** How long `start()` waits for a new lease table to become ACTIVE, from 0 to a day. @defaultValue 600000 */
  readonly leaseTableReadyTimeoutMs?: number;
  /**
   * How often the shard list is compared with the lease table to create missing leases, from 1 000
   * to a day. @defaultValue 60000
   */
  readonly shardSyncIntervalMs?: number;
  /**
   * How often a child shard reads its parents' leases while it waits for them to reach SHARD_END.
   * A parent finished by this worker wakes its children at once. From 10 to a day. @defaultValue 1000
   */
  readonly parentShardPollIntervalMs?: number;
  /**
   * Delete a finished (SHARD_END) lease once its parents' leases are gone and all its children have
   * started (the KCL's `cleanupLeasesUponShardCompletion`). @defaultValue true
   */
  readonly cleanupLeasesUponShardCompletion?: boolean;
  /**
   * The least time between two finished-lease cleanups by this worker (each reuses a taker scan),
   * from 0 to a day. @defaultValue 60000
   */
  readonly leaseCleanupIntervalMs?: number;
  /**
   * How long one DynamoDB call may take before it is aborted (every lease-table call has this
   * deadline). Also the margin `stop()` may take past `shutdownTimeoutMs` for lease releases. From 100
   * to a day. @defaultValue 10000
   */
  readonly dynamoDbRequestTimeoutMs?: number;
  /**
   * How leases are spread over workers: `'lease-count'` (every worker takes and steals by count, the
   * KCL 2.x way; right beside KCL 2.x workers) or `'worker-utilization'` (one leader, elected through
   * the lock row `Leader` of the lease table, assigns leases by worker CPU and lease throughput, the
   * KCL 3.x way). Left unset, a lease table whose `Migration3.0` row says a Java KCL 3.x fleet runs in
   * 3.x mode makes the worker follow that fleet's leader as `'worker-utilization'`; set to
   * `'lease-count'` there, `start()` fails with `KCL3_FLEET`. @defaultValue 'lease-count'
   */
  readonly leaseAssignment?: 'worker-utilization' | 'lease-count';
  /**
   * How often the leader assigns and rebalances leases (`'worker-utilization'`), from 100 to a day.
   * @defaultValue 2 × failoverTimeMs (the KCL's `leaseAssignmentIntervalMillis`)
   */
  readonly leaseAssignmentIntervalMs?: number;
  /**
   * How long the leader lock is held without a heartbeat (`'worker-utilization'`): another worker
   * takes over at most about this long (plus one heartbeat period) after the leader dies. From 1 000
   * to a day. @defaultValue 120000
   */
  readonly leaderLockLeaseDurationMs?: number;
  /**
   * How often the leader heartbeats its lock and the others look at it, from 100 to a day, less than
   * `leaderLockLeaseDurationMs`. @defaultValue 30000
   */
  readonly leaderLockHeartbeatPeriodMs?: number;
  /** How often each worker writes its metrics row (CPU) for the leader, from 1 000 to a day. @defaultValue 30000 */
  readonly workerMetricsReportIntervalMs?: number;
  /**
   * With `'worker-utilization'`, add the KCL 3.x `LeaseOwnerToLeaseKeyIndex` to an existing lease
   * table that lacks it (UpdateTable, which needs `dynamodb:UpdateTable`), as the KCL 3.x does, so
   * that workers find their leases by Query and only the leader scans. When it is denied or not
   * supported the worker logs it once and scans. @defaultValue true
   */
  readonly createLeaseOwnerIndexIfMissing?: boolean;

  /**
   * How shards are read: `{ mode: 'polling', maxRecordsPerFetch?, idleTimeBetweenReadsMs?,
   * maxPrefetchBatches?… }` (GetRecords) or `{ mode: 'fan-out', consumerName?, consumerArn?,
   * subscribeClient?… }` (SubscribeToShard), each with its own options. @defaultValue { mode: 'polling' }
   */
  readonly retrieval?: RetrievalConfig;
  /**
   * @deprecated Give it as `retrieval: { mode: 'polling', maxRecordsPerFetch }`; the top-level name
   * still works (with a logged warning) until the next major version.
   */
  readonly maxRecordsPerFetch?: number;
  /**
   * @deprecated Give it as `retrieval: { mode: 'polling', idleTimeBetweenReadsMs }`; the top-level name
   * still works (with a logged warning) until the next major version.
   */
  readonly idleTimeBetweenReadsMs?: number;
  /**
   * @deprecated Give it as `retrieval: { mode: 'polling', maxPrefetchBatches }`; the top-level name
   * still works (with a logged warning) until the next major version.
   */
  readonly maxPrefetchBatches?: number;
  /**
   * @deprecated Give it as `retrieval: { mode: 'polling', maxPrefetchRecords }`; the top-level name
   * still works (with a logged warning) until the next major version.
   */
  readonly maxPrefetchRecords?: number;
  /**
   * @deprecated Give it as `retrieval: { mode: 'polling', maxPrefetchBytes }`; the top-level name
   * still works (with a logged warning) until the next major version.
   */
  readonly maxPrefetchBytes?: number;
  /**
   * How long one Kinesis call may take before it is aborted: every call has this deadline
   * (DescribeStreamSummary and ListShards at start and in shard syncs, GetShardIterator, GetRecords,
   * the fan-out registration calls). From 100 to a day. @defaultValue 30000
   */
  readonly kinesisRequestTimeoutMs?: number;
  /** Backoff of GetRecords/GetShardIterator after throttling or errors. @defaultValue { baseDelayMs: 1000, maxDelayMs: 10000 } */
  readonly retrievalBackoff?: BackoffPolicy;

  /**
   * Tries at the same record before giving up: of a batch, of its rest after a partial failure
   * (`PartialBatchFailureError`: progress starts the count again), of a record when isolating a poison
   * record. 1 to 1 000 000. @defaultValue 5
   */
  readonly maxProcessingAttempts?: number;
  /** Backoff between tries of a failing batch. @defaultValue { baseDelayMs: 200, maxDelayMs: 10000 } */
  readonly processingBackoff?: BackoffPolicy;
  /**
   * Receives each record that still fails after `maxProcessingAttempts` (tried alone), with its
   * metadata and last error; processing then moves past it. Without it, a batch that keeps failing
   * stops its shard (nothing skipped; the lease stays held). If it throws, the shard stops.
   * `deadLetterTo(sink)` makes one that writes dead letters (e.g. to a `KinesisDeadLetterSink`).
   */
  readonly onPoisonRecord?: (poison: PoisonRecord) => Promise<void> | void;
  /**
   * Handler path: the least time between checkpoints written after batches. 0 checkpoints after
   * every batch; more saves DynamoDB writes at the price of more records delivered again after a
   * crash (never after `stop()`, which checkpoints). From 0 to a day. @defaultValue 0
   */
  readonly checkpointIntervalMs?: number;
  /** Call the handler/processor with empty batches too (the KCL's `callProcessRecordsEvenForEmptyRecordList`). @defaultValue false */
  readonly deliverEmptyBatches?: boolean;
  /**
   * A batch in delivery that makes no progress (no checkpoint, no records done) for this long emits
   * `shard:stalled` and logs a warning, then again at each further multiple while it stays stuck.
   * The lease stays renewed meanwhile, so without this a hung handler is silent. 0 or at least 100;
   * 0 turns the reports off. (The KCL's `logWarningForTaskAfterMillis`, unset there by default.)
   * @defaultValue 60000 (a minute: above a healthy batch that waits out one 30 s SDK timeout and a
   * retry, and within one 1-minute alarm period of a hang)
   */
  readonly stalledShardWarningMs?: number;
  /**
   * Abort a try of the handler (or `processRecords`) that runs longer than this: its context's
   * `signal` is aborted and the try counts as failed with a `ProcessingTimeoutError`
   * (`PROCESSING_TIMEOUT`), so `maxProcessingAttempts` and `onPoisonRecord` apply as to any failure.
   * The next try only starts once the timed-out one has returned: a handler that ignores its signal
   * keeps its shard waiting (and reported by `shard:stalled`). 0 or at least 100; 0: no timeout.
   * @defaultValue 0 (no timeout: how long a batch may take is the application's call)
   */
  readonly processingTimeoutMs?: number;
  /**
   * `stop()`'s budget, counted from the call: winding down, then batches in delivery and
   * `shutdownRequested` (shards that do not finish keep their leases unreleased), then retries of
   * failed lease releases. `stop()` resolves within `shutdownTimeoutMs + dynamoDbRequestTimeoutMs`.
   * From 0 to a day. @defaultValue 30000
   */
  readonly shutdownTimeoutMs?: number;

  /** Where diagnostics go. @defaultValue a logger that discards everything */
  readonly logger?: Logger;
  /** The clock, in ms since the epoch (tests). @defaultValue Date.now */
  readonly now?: () => number;
  /** Uniform random numbers in [0, 1) (tests). @defaultValue Math.random */
  readonly random?: RandomSource;
}
