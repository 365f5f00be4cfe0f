/**
 * `@kinesis-ts/consumer/lambda`: the processing toolkit for AWS Lambda Kinesis event sources, without
 * the `KinesisConsumer` runtime (it needs only `@kinesis-ts/core`, plus the AWS SDK clients of the
 * parts you use: DynamoDB for the idempotency store, Kinesis for the dead-letter stream).
 */
export type {
  LambdaDeaggregatedRecord,
  LambdaKinesisEvent,
  LambdaKinesisEventRecord,
} from '@kinesis-ts/core';
export { FailedBatchUnavailableError } from './lambda/failed-batch-errors.js';
export { type KinesisFailedBatch, parseKinesisFailureMessages } from './lambda/failure-message.js';
export {
  DEFAULT_LAMBDA_HANDLER_OPTIONS,
  type KinesisBatchResponse,
  kinesisLambdaHandler,
  type LambdaBatchHandlerOptions,
  type LambdaProcessingContext,
  type LambdaRecordHandlerOptions,
} from './lambda/lambda-handler.js';
export {
  type ReadFailedBatchOptions,
  type ReplayFailedBatchOptions,
  type ReplayResult,
  readFailedBatch,
  replayFailedBatch,
} from './lambda/replay-failed-batch.js';
export { WindowStateTooLargeError } from './lambda/window-errors.js';
export type {
  KinesisWindowResponse,
  LambdaKinesisWindow,
  LambdaKinesisWindowEvent,
  WindowState,
} from './lambda/window-event.js';
export {
  DEFAULT_WINDOW_HANDLER_OPTIONS,
  kinesisWindowHandler,
  type WindowBounds,
  type WindowEndContext,
  type WindowHandlerOptions,
  type WindowProcessingContext,
} from './lambda/window-handler.js';
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
