export {
  AggregatedRecordBuilder,
  type AggregationLimits,
  encodeAggregatedRecord,
  type PutRecordsEntry,
} from './aggregated-record-builder.js';
export {
  AGGREGATE_PARTITION_KEY,
  AGGREGATION_DIGEST_BYTES,
  AGGREGATION_MAGIC,
  AGGREGATION_OVERHEAD_BYTES,
} from './aggregation-format.js';
export {
  type AwsErrorContext,
  type AwsErrorKind,
  awsErrorCode,
  classifyAwsError,
  type FatalCause,
  failureCode,
  fatalCause,
  isClientSetupError,
  isCredentialsError,
  isRetryableAwsError,
} from './aws-error.js';
export {
  type BackoffPolicy,
  backoffCeilingMs,
  fullJitterBackoffMs,
  type RandomSource,
  sleep,
  validateBackoffPolicy,
} from './backoff.js';
export { ClientHistory } from './client-history.js';
export { closestMatch } from './closest-match.js';
export {
  type DeaggregateOptions,
  type DeaggregationDiscard,
  type DeaggregationDiscardReason,
  DeaggregationError,
  deaggregate,
  deaggregateAll,
  isAggregatedRecord,
} from './deaggregate.js';
export { describeError } from './describe-error.js';
export { CoreErrorCode, KinesisTsError, ValidationError } from './errors.js';
export {
  effectiveHashKey,
  parseExplicitHashKey,
  parseHashKeyBound,
  partitionKeyToHashKey,
} from './hash-key.js';
export {
  deaggregateLambdaEvent,
  type LambdaDeaggregatedRecord,
  type LambdaKinesisData,
  type LambdaKinesisEvent,
  type LambdaKinesisEventRecord,
} from './lambda-event.js';
export {
  DEFAULT_AGGREGATION_MAX_SIZE_BYTES,
  DEFAULT_MAX_RECORD_SIZE_BYTES,
  GET_RECORDS_MAX_LIMIT,
  MAX_HASH_KEY,
  MAX_PARTITION_KEY_LENGTH,
  MAX_RECORD_SIZE_LIMIT_BYTES,
  MIN_PARTITION_KEY_LENGTH,
  PUT_RECORDS_LEGACY_MAX_BYTES,
  PUT_RECORDS_MAX_BYTES,
  PUT_RECORDS_MAX_ENTRIES,
  SHARD_READ_BYTES_PER_SECOND,
  SHARD_READ_CALLS_PER_SECOND,
  SHARD_WRITE_BYTES_PER_SECOND,
  SHARD_WRITE_RECORDS_PER_SECOND,
} from './limits.js';
export {
  type ListShardsInput,
  type ListShardsOptions,
  type ListShardsOutput,
  listShards,
  type ShardDescription,
} from './list-shards.js';
export { type Logger, SILENT_LOGGER } from './logger.js';
export {
  backoffOption,
  booleanOption,
  clientOption,
  customOption,
  type DescribedOptionSettings,
  functionOption,
  type IntegerOptionSettings,
  integerOption,
  type ObjectOptionSettings,
  type OptionBuilder,
  type OptionDefaults,
  type OptionPresence,
  type OptionRange,
  type OptionSpec,
  type OptionSpecs,
  type OptionSpecsOf,
  objectOption,
  oneOfOption,
  optionDefaults,
  type ResolvedOptions,
  type ResolveOptionsContext,
  rejectUnknownOptions,
  resolveOptions,
  type StringOptionSettings,
  shareOption,
  stringOption,
} from './option-spec.js';
export {
  type PutRecordsBodyEntry,
  type PutRecordsBodyInput,
  writePutRecordsBody,
} from './put-records-body.js';
export {
  type CommandWithSerializeSteps,
  writePutRecordsBodyOf,
  writesPutRecordsInAwsJson,
} from './put-records-serialization.js';
export type { DeaggregatedRecord, KinesisRecordInput, UserRecord } from './record.js';
export {
  type ClientThatSends,
  type CommandWithMiddlewareStack,
  RequestTimeoutError,
  type SendOnceOptions,
  sendWithDeadline,
  sendWithoutSdkRetries,
} from './send-without-sdk-retries.js';
export {
  CheckpointSentinel,
  compareExtendedSequenceNumbers,
  compareSequenceNumbers,
  type ExtendedSequenceNumber,
  extendedSequenceNumber,
  isCheckpointSentinel,
  isSequenceNumber,
} from './sequence-number.js';
export { hashKeyInRange, type ShardHashRange, ShardLookup } from './shard-lookup.js';
export {
  STREAM_ARN_LIMIT,
  STREAM_ARN_PATTERN,
  STREAM_NAME_LIMIT,
  STREAM_NAME_PATTERN,
  type StreamFields,
  type StreamReference,
  streamLabel,
  streamParameters,
  streamReference,
  validateStreamArn,
  validateStreamName,
} from './stream-reference.js';
export { TypedEventEmitter } from './typed-event-emitter.js';
export {
  describeValue,
  type ValidatedUserRecord,
  ValidationErrorCode,
  validateBooleanOption,
  validateExplicitHashKey,
  validateIntegerOption,
  validateMaxRecordSizeBytes,
  validatePartitionKey,
  validateUserRecord,
} from './validation.js';
