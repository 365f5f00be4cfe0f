/**
 * The public API of `@kinesis-ts/consumer` and `@kinesis-ts/consumer/lambda`, held in place: each
 * entry's runtime exports (the keys of its module namespace) must be exactly the allowlist below.
 * Adding an export is a decision (document it, then add it here); internals (the lease protocol,
 * retrieval, shard consumers, the lease table) stay out and are imported by path in tests.
 *
 * Type-only exports (`export type`, interfaces) do not exist at runtime, so `Object.keys` cannot see
 * them and this test cannot hold them. `test/public-types.ts` and `test/public-types-lambda.ts` name
 * every documented type, so the type check fails when one goes missing; an added type export is
 * caught by neither.
 */
import { describe, expect, it } from 'vitest';

const INDEX_VALUES = [
  'CheckpointFailedError',
  'ConsumerErrorCode',
  'ConsumerStartError',
  'ConsumerStateError',
  'DEFAULT_CONSUMER_OPTIONS',
  'DEFAULT_FAN_OUT_OPTIONS',
  'DEFAULT_IDEMPOTENCY_STORE_OPTIONS',
  'DEFAULT_IDEMPOTENT_OPTIONS',
  'DEFAULT_KINESIS_DEAD_LETTER_SINK_OPTIONS',
  'DEFAULT_LEASE_ADMIN_OPTIONS',
  'DEFAULT_PARALLEL_BY_KEY_OPTIONS',
  'DEFAULT_POLLING_OPTIONS',
  'DEFAULT_READ_STREAM_OPTIONS',
  'DEFAULT_STREAM_CONSUMER_OPTIONS',
  'DeadLetterDeliveryError',
  'DynamoDbIdempotencyStore',
  'IdempotencyInProgressError',
  'IdempotencyKeyMissingError',
  'InMemoryIdempotencyStore',
  'InvalidCheckpointError',
  'InvalidRetrievalResultError',
  'KinesisConsumer',
  'KinesisDeadLetterSink',
  'LeaseAdmin',
  'LeaseAdminError',
  'LeaseAdminErrorCode',
  'LeaseLostError',
  'MAX_PARALLEL_BY_KEY_CONCURRENCY',
  'MIN_FAILOVER_TIME_MS',
  'MIN_IDLE_TIME_BETWEEN_READS_MS',
  'PartialBatchFailureError',
  'ProcessingErrorCode',
  'ProcessingTimeoutError',
  'RecordProcessingError',
  'S3ClaimCheck',
  'SILENT_LOGGER',
  'SequenceRegressionError',
  'ShardEndNotCheckpointedError',
  'ShardPositionFinder',
  'StreamConsumerError',
  'StreamRecreatedError',
  'StreamTrackerError',
  'bisectOnError',
  'claimCheckPointerOf',
  'deadLetterTo',
  'decodeDeadLetter',
  'deregisterStreamConsumer',
  'describeResetTarget',
  'detectSequenceRegressions',
  'encodeDeadLetter',
  'ensureStreamConsumer',
  'idempotent',
  'parallelByKey',
  'planCheckpointReset',
  'positionEventId',
  'readStream',
  'resolveClaimChecks',
  'resolveDeadLetter',
  'validateResetTarget',
];

const LAMBDA_VALUES = [
  'DEFAULT_IDEMPOTENCY_STORE_OPTIONS',
  'DEFAULT_IDEMPOTENT_OPTIONS',
  'DEFAULT_KINESIS_DEAD_LETTER_SINK_OPTIONS',
  'DEFAULT_LAMBDA_HANDLER_OPTIONS',
  'DEFAULT_PARALLEL_BY_KEY_OPTIONS',
  'DEFAULT_WINDOW_HANDLER_OPTIONS',
  'DeadLetterDeliveryError',
  'DynamoDbIdempotencyStore',
  'FailedBatchUnavailableError',
  'IdempotencyInProgressError',
  'IdempotencyKeyMissingError',
  'InMemoryIdempotencyStore',
  'KinesisDeadLetterSink',
  'MAX_PARALLEL_BY_KEY_CONCURRENCY',
  'PartialBatchFailureError',
  'ProcessingErrorCode',
  'S3ClaimCheck',
  'SequenceRegressionError',
  'WindowStateTooLargeError',
  'bisectOnError',
  'claimCheckPointerOf',
  'deadLetterTo',
  'decodeDeadLetter',
  'detectSequenceRegressions',
  'encodeDeadLetter',
  'idempotent',
  'kinesisLambdaHandler',
  'kinesisWindowHandler',
  'parallelByKey',
  'parseKinesisFailureMessages',
  'positionEventId',
  'readFailedBatch',
  'replayFailedBatch',
  'resolveClaimChecks',
  'resolveDeadLetter',
];

describe('the public API', () => {
  it('@kinesis-ts/consumer exports exactly its allowlist at runtime', async () => {
    const entry = await import('./index.js');
    expect(Object.keys(entry).sort()).toEqual(INDEX_VALUES);
  });

  it('@kinesis-ts/consumer/lambda exports exactly its allowlist at runtime', async () => {
    const entry = await import('./lambda.js');
    expect(Object.keys(entry).sort()).toEqual(LAMBDA_VALUES);
  });

  it('keeps both allowlists sorted, so that a change reads as one line', () => {
    expect(INDEX_VALUES).toEqual([...INDEX_VALUES].sort());
    expect(LAMBDA_VALUES).toEqual([...LAMBDA_VALUES].sort());
  });

  it('exports from the Lambda entry only what the main entry exports too, but the Lambda handlers', async () => {
    const lambdaOnly = LAMBDA_VALUES.filter((name) => !INDEX_VALUES.includes(name));
    expect(lambdaOnly).toEqual([
      'DEFAULT_LAMBDA_HANDLER_OPTIONS',
      'DEFAULT_WINDOW_HANDLER_OPTIONS',
      'FailedBatchUnavailableError',
      'WindowStateTooLargeError',
      'kinesisLambdaHandler',
      'kinesisWindowHandler',
      'parseKinesisFailureMessages',
      'readFailedBatch',
      'replayFailedBatch',
    ]);
  });
});
