/**
 * `@kinesis-ts/consumer`: `KinesisConsumer` and what its options, events, metrics and processors are
 * made of, the processing toolkit (also in `@kinesis-ts/consumer/lambda`), the lease admin API and
 * the fan-out stream consumer helpers. Internals (lease protocol, retrieval, shard consumers) are
 * not exported; `src/public-api.test.ts` holds the list.
 */
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
export type {
  ConsumerEventListener,
  ConsumerEventName,
  ConsumerEvents,
  EventStreamFields,
} from './consumer-events.js';
export type { ConsumerMetrics, ShardMetrics } from './consumer-metrics.js';
export type { StreamConfig, StreamsSource } from './coordinator/stream-config.js';
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
  StreamRecreatedError,
  StreamTrackerError,
} from './errors.js';
export { type ConsumerState, KinesisConsumer } from './kinesis-consumer.js';
export type { Lease, LeaseHashKeyRange } from './leases/lease.js';
export type { LeaseLossReason } from './leases/lease-renewer.js';
export type { ShardConsumerState, ShardShutdownReason } from './lifecycle/shard-consumer-states.js';
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
export { bisectOnError } from './processing/bisect-on-error.js';
export {
  type ClaimCheckLifecycle,
  type ClaimCheckPointer,
  type ClaimCheckS3Client,
  claimCheckPointerOf,
  resolveClaimChecks,
  resolveDeadLetter,
  S3ClaimCheck,
  type S3ClaimCheckOptions,
} from './processing/claim-check.js';
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
} from './processing/dead-letter.js';
export {
  DEFAULT_IDEMPOTENCY_STORE_OPTIONS,
  DynamoDbIdempotencyStore,
  type DynamoDbIdempotencyStoreOptions,
} from './processing/dynamodb-idempotency-store.js';
export {
  type ClaimResult,
  type IdempotencyClaim,
  type IdempotencyStore,
  InMemoryIdempotencyStore,
  type InMemoryIdempotencyStoreOptions,
} from './processing/idempotency-store.js';
export {
  DEFAULT_IDEMPOTENT_OPTIONS,
  type IdempotentOptions,
  type IdempotentOutcome,
  idempotent,
  positionEventId,
} from './processing/idempotent.js';
export {
  DEFAULT_KINESIS_DEAD_LETTER_SINK_OPTIONS,
  KinesisDeadLetterSink,
  type KinesisDeadLetterSinkOptions,
} from './processing/kinesis-dead-letter-sink.js';
export {
  type BatchFunction,
  DEFAULT_PARALLEL_BY_KEY_OPTIONS,
  MAX_PARALLEL_BY_KEY_CONCURRENCY,
  type ParallelByKeyOptions,
  parallelByKey,
  type RecordFunction,
} from './processing/parallel-by-key.js';
export {
  DeadLetterDeliveryError,
  IdempotencyInProgressError,
  IdempotencyKeyMissingError,
  PartialBatchFailureError,
  ProcessingErrorCode,
  type RecordFailure,
  type RecordPosition,
  SequenceRegressionError,
} from './processing/processing-errors.js';
export {
  type DetectSequenceRegressionsOptions,
  detectSequenceRegressions,
  type SequenceRegression,
  type StreamPosition,
} from './processing/sequence-regression.js';
export type { Checkpointer, CheckpointPosition, PreparedCheckpointer } from './processor/checkpointer.js';
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
  StreamContext,
} from './processor/record-processor.js';
export {
  DEFAULT_READ_STREAM_OPTIONS,
  type ReadStreamOptions,
  type ReadStreamPosition,
  readStream,
  type StreamRecord,
} from './read-stream/read-stream.js';
export type { SubscriptionEndReason } from './retrieval/fanout/fan-out-retrieval-options.js';
export {
  DEFAULT_STREAM_CONSUMER_OPTIONS,
  type DeregisterStreamConsumerOptions,
  deregisterStreamConsumer,
  type EnsureStreamConsumerOptions,
  ensureStreamConsumer,
  type StreamConsumerDescription,
} from './retrieval/fanout/stream-consumer.js';
export type { InitialPosition } from './retrieval/initial-position.js';
export type { ChildShard, StartingPosition } from './retrieval/records-retrieval.js';
