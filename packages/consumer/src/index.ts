export { type Logger, SILENT_LOGGER } from '@kinesis-ts/core';
export {
  LeaseAdminError,
  LeaseAdminErrorCode,
  type LeaseAdminIssue,
} from './admin/admin-errors.js';
export {
  type CheckpointChange,
  type CheckpointResetPlan,
  type CheckpointResetTarget,
  describeResetTarget,
  planCheckpointReset,
  type ResolvedResetPosition,
  type UnchangedLease,
  validateResetTarget,
} from './admin/checkpoint-reset-plan.js';
export {
  type CheckpointResetRequest,
  type CheckpointResetResult,
  DEFAULT_LEASE_ADMIN_OPTIONS,
  LeaseAdmin,
  type LeaseAdminOptions,
  type LeaseStatus,
  type ListLeasesOptions,
} from './admin/lease-admin.js';
export {
  type FoundRecord,
  ShardPositionFinder,
  type ShardPositionFinderOptions,
} from './admin/shard-positions.js';
export { bisectOnError } from './bisect-on-error.js';
export {
  type CheckpointBounds,
  type ResolvedCheckpoint,
  resolveCheckpoint,
} from './checkpoint-validation.js';
export {
  type Checkpointer,
  type CheckpointPosition,
  type CheckpointStore,
  type PreparedCheckpointer,
  ShardCheckpointer,
} from './checkpointer.js';
export {
  type ConsumerEventListener,
  type ConsumerEventName,
  type ConsumerEvents,
  TypedEventEmitter,
} from './consumer-events.js';
export type { ConsumerMetrics, ShardMetrics } from './consumer-metrics.js';
export {
  type DeadLetter,
  type DeadLetterCallback,
  type DeadLetterEnvelope,
  type DeadLetterErrorInfo,
  type DeadLetterSink,
  deadLetterTo,
  decodeDeadLetter,
  encodeDeadLetter,
  type PoisonRecordInput,
  toDeadLetter,
} from './dead-letter.js';
export {
  DEFAULT_IDEMPOTENCY_STORE_OPTIONS,
  DynamoDbIdempotencyStore,
  type DynamoDbIdempotencyStoreOptions,
  IDEMPOTENCY_ATTRIBUTES,
} from './dynamodb-idempotency-store.js';
export {
  CheckpointFailedError,
  ConsumerErrorCode,
  ConsumerStartError,
  ConsumerStateError,
  InvalidCheckpointError,
  InvalidRetrievalResultError,
  LeaseLostError,
  ProcessingTimeoutError,
  RecordProcessingError,
  ShardEndNotCheckpointedError,
  StreamConsumerError,
} from './errors.js';
export {
  FanOutRetrieval,
  type FanOutRetrievalEvent,
  type FanOutRetrievalOptions,
  type SubscriptionEndReason,
} from './fan-out-retrieval.js';
export {
  findHashRangeHoles,
  HashRangeAuditor,
  type HashRangeHole,
  leaseHashRangeHoles,
} from './hash-range-audit.js';
export {
  type ClaimResult,
  type IdempotencyClaim,
  type IdempotencyStore,
  InMemoryIdempotencyStore,
  type InMemoryIdempotencyStoreOptions,
  ttlEpochSeconds,
} from './idempotency-store.js';
export {
  DEFAULT_IDEMPOTENT_OPTIONS,
  type IdempotentOptions,
  type IdempotentOutcome,
  idempotent,
  positionEventId,
} from './idempotent.js';
export type { InitialPosition } from './initial-position.js';
export { KeyedScheduler } from './keyed-scheduler.js';
export { type ConsumerState, KinesisConsumer } from './kinesis-consumer.js';
export {
  DEFAULT_KINESIS_DEAD_LETTER_SINK_OPTIONS,
  KinesisDeadLetterSink,
  type KinesisDeadLetterSinkOptions,
} from './kinesis-dead-letter-sink.js';
export { isLeaseFinished, type Lease, type LeaseHashKeyRange } from './lease.js';
export { planLeaseCleanup } from './lease-cleanup-plan.js';
export { LeaseExpiryTracker } from './lease-expiry-tracker.js';
export type { LeaseLossReason } from './lease-renewer.js';
export {
  LEASE_ATTRIBUTES,
  LEASE_ENTITY_TYPE,
  type LeaseItem,
  leaseFromItem,
  leaseToItem,
  type ReadLeaseResult,
} from './lease-serializer.js';
export { type CheckpointUpdate, LeaseTable, type LeaseTableOptions } from './lease-table.js';
export {
  type LeaseHolding,
  type LeaseTakingInput,
  type LeaseTakingPlan,
  type ObservedLease,
  planLeaseTaking,
} from './lease-taking-plan.js';
export {
  DEFAULT_CONSUMER_OPTIONS,
  DEFAULT_FAN_OUT_OPTIONS,
  DEFAULT_POLLING_OPTIONS,
  type FanOutRetrievalConfig,
  type KinesisConsumerOptions,
  MIN_FAILOVER_TIME_MS,
  MIN_IDLE_TIME_BETWEEN_READS_MS,
  type PollingRetrievalConfig,
  type RetrievalConfig,
} from './options.js';
export {
  type BatchFunction,
  DEFAULT_PARALLEL_BY_KEY_OPTIONS,
  MAX_PARALLEL_BY_KEY_CONCURRENCY,
  type ParallelByKeyOptions,
  parallelByKey,
  type RecordFunction,
} from './parallel-by-key.js';
export { PollingRetrieval, type PollingRetrievalOptions, type StreamReference } from './polling-retrieval.js';
export {
  DeadLetterDeliveryError,
  IdempotencyInProgressError,
  IdempotencyKeyMissingError,
  PartialBatchFailureError,
  ProcessingErrorCode,
  type RecordFailure,
  type RecordPosition,
  SequenceRegressionError,
} from './processing-errors.js';
export type {
  ConsumerRecord,
  HandlerContext,
  InitializationInput,
  LeaseLostInput,
  PoisonRecord,
  ProcessRecordsInput,
  RecordHandler,
  ShardEndedInput,
  ShardRecordProcessor,
  ShardRecordProcessorFactory,
  ShutdownRequestedInput,
} from './record-processor.js';
export type {
  ChildShard,
  RetrievalFactory,
  RetrievalRequest,
  RetrievedBatch,
  ShardRecordsRetrieval,
  StartingPosition,
} from './records-retrieval.js';
export {
  type InvalidRetrievalResultReason,
  type RetrievalResultValidation,
  validateRetrievalResult,
} from './retrieval-result-validation.js';
export {
  type DetectSequenceRegressionsOptions,
  detectSequenceRegressions,
  type SequenceCheck,
  type SequenceRegression,
  SequenceRegressionDetector,
  type StreamPosition,
} from './sequence-regression.js';
export type { ShardConsumerState, ShardShutdownReason } from './shard-consumer.js';
export { probeShardEnd, type ShardEndProbe, type ShardEndProbeOptions } from './shard-end-probe.js';
export { planShardSync, type ShardInfo } from './shard-sync-plan.js';
export {
  DEFAULT_STREAM_CONSUMER_OPTIONS,
  type DeregisterStreamConsumerOptions,
  deregisterStreamConsumer,
  type EnsureStreamConsumerOptions,
  ensureStreamConsumer,
  type StreamConsumerDescription,
} from './stream-consumer.js';
export {
  type SubscriptionEnd,
  SubscriptionPlanner,
  type SubscriptionPlannerOptions,
} from './subscription-planner.js';
