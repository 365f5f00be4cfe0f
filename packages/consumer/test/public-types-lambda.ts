/**
 * The documented types of `@kinesis-ts/consumer/lambda`, named once: the type check fails when one of them is no longer
 * exported. (Types do not exist at runtime, so `src/public-api.test.ts` cannot list them; this file
 * catches a type that goes missing, not one that is added.)
 */
export type {
  BatchFunction,
  ClaimResult,
  DeadLetter,
  DeadLetterCallback,
  DeadLetterEnvelope,
  DeadLetterErrorInfo,
  DeadLetterSink,
  DetectSequenceRegressionsOptions,
  DynamoDbIdempotencyStoreOptions,
  IdempotencyClaim,
  IdempotencyStore,
  IdempotentOptions,
  IdempotentOutcome,
  InMemoryIdempotencyStoreOptions,
  KinesisBatchResponse,
  KinesisDeadLetterSinkOptions,
  LambdaBatchHandlerOptions,
  LambdaDeaggregatedRecord,
  LambdaKinesisEvent,
  LambdaKinesisEventRecord,
  LambdaProcessingContext,
  LambdaRecordHandlerOptions,
  ParallelByKeyOptions,
  PoisonRecordInput,
  RecordFailure,
  RecordFunction,
  RecordPosition,
  SequenceRegression,
  StreamPosition,
} from '../src/lambda.js';
