export { type Logger, SILENT_LOGGER } from '@kinesis-ts/core';
export type { Attempt, PutResult } from './attempt.js';
export {
  BufferFullError,
  OversizedRecordError,
  ProducerClosedError,
  ProducerErrorCode,
  RecordFailedError,
  type RecordFailureCode,
} from './errors.js';
export type { HotSpot } from './hot-key-detector.js';
export { KinesisProducer } from './kinesis-producer.js';
export type { ProducerMetricSet, ProducerMetrics, ProducerStreamMetrics, Statistic } from './metrics.js';
export {
  type BufferFullBehavior,
  DEFAULT_PRODUCER_OPTIONS,
  type KinesisProducerOptions,
  type OversizedRecordContext,
  type OversizedRecordHook,
  type PutRecordsSerializer,
} from './options.js';
export { bucketedPartitionKey } from './partition-key-bucket.js';
export type { OpenShard } from './pipeline/list-shards.js';
export type { ProducerEvents } from './producer-events.js';
export {
  ProducerWritableError,
  type ProducerWritableOptions,
  type WritableChunk,
} from './producer-writable.js';
export type { PutManyResult } from './put-many-batch.js';
export { checkReadCapacity, type ReadCapacityCheck, requiredShards, type WriteLoad } from './shard-count.js';
