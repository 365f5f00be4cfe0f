export {
  createLocalDynamoDbClient,
  createLocalKinesisClient,
  KINESIS_TRANSPORTS,
  type KinesisTransport,
  kinesisClientFor,
  LOCAL_CREDENTIALS,
  type LocalCredentials,
  type LocalKinesisClientOptions,
  type LocalStackEndpoints,
  localStackEnvironment,
} from './clients';
export {
  connectLocalStack,
  type LocalStackConnection,
  type LocalStackConnectionInfo,
  uniqueName,
} from './connection';
export {
  type ConditionalCheckFailureRule,
  type ConditionalWriteOperation,
  type DynamoDbFaultOptions,
  injectDynamoDbFaults,
  isConditionalWrite,
} from './dynamodb-faults';
export {
  LOCAL_STACK_ERROR_CODES,
  type LocalStackComponent,
  LocalStackError,
  LocalStackErrorCode,
} from './errors';
export {
  createDynamoDbError,
  createKinesisError,
  createSocketError,
  DYNAMODB_FAULT_ERROR_NAMES,
  type DynamoDbFaultErrorName,
  KINESIS_FAULT_ERROR_NAMES,
  type KinesisFaultErrorName,
  type PutRecordsEntryErrorCode,
  type SocketFaultErrorName,
} from './fault-errors';
export type { MiddlewareClient } from './fault-middleware';
export type { CallErrorRule, FaultInjector, FaultStats, LatencyRule } from './fault-rules';
export type { CloseSessionsMode, CloseSessionsResult, KinesisFrontStats } from './front-control';
export type { EmulatorExit } from './kinesis-emulator';
export {
  type GetRecordsThrottlingRule,
  injectKinesisFaults,
  type KinesisFaultOptions,
  type PutRecordsFailureRule,
} from './kinesis-faults';
export type { LargeRecordStats } from './large-record-store';
export { type LocalStack, startLocalStack } from './local-stack';
export {
  DEFAULT_LOCAL_STACK_OPTIONS,
  type EmulatorLogLevel,
  type LocalStackOptions,
  type ServiceLimitOptions,
} from './options';
export { mulberry32, type RandomSource } from './prng';
export {
  type EntryFailure,
  type PutRecordsPlan,
  planPutRecords,
  splicePutRecordsOutput,
} from './put-records-splice';
export { type LocalS3, type LocalS3Options, startLocalS3 } from './s3-server';
export {
  CALL_RATE_LIMITS,
  type CallRateLimit,
  type CallRateScope,
  SHARD_LIMITS,
} from './service-limit-table';
export type { ServiceLimitStats } from './service-limits';
export {
  type CreateStreamOptions,
  createStreamAndWait,
  deleteStreamAndWait,
  type StreamWaitOptions,
} from './streams';
