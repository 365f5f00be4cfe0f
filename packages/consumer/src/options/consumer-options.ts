import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import {
  backoffOption,
  booleanOption,
  clientOption,
  customOption,
  functionOption,
  integerOption,
  type Logger,
  type OptionSpecsOf,
  objectOption,
  oneOfOption,
  optionDefaults,
  type RandomSource,
  resolveOptions,
  STREAM_ARN_LIMIT,
  STREAM_ARN_PATTERN,
  STREAM_NAME_LIMIT,
  STREAM_NAME_PATTERN,
  streamReference,
  stringOption,
  validateIntegerOption,
} from '@kinesis-ts/core';
import type { FormerStreamsLeasesDeletion } from '../coordinator/former-streams-plan.js';
import type { S3ClaimCheck } from '../processing/claim-check.js';
import type {
  PoisonRecord,
  RecordHandler,
  ShardRecordProcessorFactory,
} from '../processor/record-processor.js';
import type { KinesisConsumerOptions } from './kinesis-consumer-options.js';
import { resolveLeaseAssignment } from './lease-assignment-options.js';
import { DAY_MS, invalid } from './option-checks.js';
import {
  checkRetrieval,
  DEFAULT_POLLING_OPTIONS,
  DEFAULT_RETRIEVAL,
  POLLING_CAUGHT_UP_OPTION_SPECS,
  POLLING_GIVEN_SPECS,
  resolveFanOut,
  resolvePolling,
} from './retrieval-options.js';
import {
  checkFormerStreamsLeasesDeletion,
  checkInitialPosition,
  checkStreams,
  INITIAL_POSITION_LIMIT,
  MULTI_STREAM,
} from './stream-options.js';

/** The smallest `failoverTimeMs`: below it renewals cannot keep up with DynamoDB latency. */
export const MIN_FAILOVER_TIME_MS = 1_000;

const UNLIMITED = Number.POSITIVE_INFINITY;

/**
 * The default, range and check of every option, beside each other; the TSDoc above says the same to
 * users (a test keeps the two in agreement, and docs/consumer.md's tables with them). Rules between
 * options (one stream, one of handler and processor, timers derived from the failover time…) are
 * {@link resolveConsumerOptions}'s.
 */
export const CONSUMER_OPTION_SPECS = {
  streamName: stringOption({ pattern: STREAM_NAME_PATTERN, limit: STREAM_NAME_LIMIT }),
  streamArn: stringOption({ pattern: STREAM_ARN_PATTERN, limit: STREAM_ARN_LIMIT }),
  streams: customOption(
    'a non-empty array of { streamName } or { streamArn }, or a function returning one',
    checkStreams,
  ),
  streamSyncIntervalMs: integerOption({ min: 1_000, max: DAY_MS, default: 60_000 }),
  formerStreamsLeasesDeletion: customOption(
    "'none', { strategy: 'auto-detect-deferred', waitMs } or { strategy: 'provided-deferred', waitMs, streamIdentifiers }",
    checkFormerStreamsLeasesDeletion,
    { default: 'none' as FormerStreamsLeasesDeletion },
  ),
  applicationName: stringOption({ required: true }),
  leaseTableName: stringOption({}),
  kinesisClient: clientOption<KinesisClient>({ required: true }),
  dynamoDbClient: clientOption<DynamoDBClient>({ required: true }),
  workerId: stringOption({}),
  initialPosition: customOption(INITIAL_POSITION_LIMIT, checkInitialPosition, { required: true }),
  handler: functionOption<RecordHandler>({ limit: 'a function (records, context) => Promise<void>' }),
  processor: functionOption<ShardRecordProcessorFactory>({
    limit: 'a function (shardId) => ShardRecordProcessor',
  }),
  resolveClaimChecks: objectOption<S3ClaimCheck>({
    limit: 'an S3ClaimCheck',
    accepts: (value) => typeof (value as { resolve?: unknown }).resolve === 'function',
  }),
  failoverTimeMs: integerOption({ min: MIN_FAILOVER_TIME_MS, max: DAY_MS, default: 10_000 }),
  leaseRenewalIntervalMs: integerOption({ min: 50, max: DAY_MS }),
  leaseTakerIntervalMs: integerOption({ min: 100, max: DAY_MS }),
  maxLeasesForWorker: integerOption({ min: 1, max: UNLIMITED, allowInfinity: true, default: UNLIMITED }),
  maxLeasesToStealAtOneTime: integerOption({ min: 0, max: 10_000, default: 1 }),
  enablePriorityLeaseAssignment: booleanOption({ default: true }),
  gracefulLeaseHandoff: booleanOption({ default: true }),
  gracefulLeaseHandoffTimeoutMs: integerOption({ min: 100, max: DAY_MS, default: 30_000 }),
  releaseLeasesOnStop: booleanOption({ default: true }),
  createLeaseTableIfMissing: booleanOption({ default: true }),
  leaseTableReadyTimeoutMs: integerOption({ min: 0, max: DAY_MS, default: 600_000 }),
  shardSyncIntervalMs: integerOption({ min: 1_000, max: DAY_MS, default: 60_000 }),
  parentShardPollIntervalMs: integerOption({ min: 10, max: DAY_MS, default: 1_000 }),
  cleanupLeasesUponShardCompletion: booleanOption({ default: true }),
  leaseCleanupIntervalMs: integerOption({ min: 0, max: DAY_MS, default: 60_000 }),
  dynamoDbRequestTimeoutMs: integerOption({ min: 100, max: DAY_MS, default: 10_000 }),
  leaseAssignment: oneOfOption(['worker-utilization', 'lease-count'], { default: 'lease-count' }),
  leaseAssignmentIntervalMs: integerOption({ min: 100, max: DAY_MS }),
  leaderLockLeaseDurationMs: integerOption({ min: 1_000, max: DAY_MS, default: 120_000 }),
  leaderLockHeartbeatPeriodMs: integerOption({ min: 100, max: DAY_MS, default: 30_000 }),
  workerMetricsReportIntervalMs: integerOption({ min: 1_000, max: DAY_MS, default: 30_000 }),
  createLeaseOwnerIndexIfMissing: booleanOption({ default: true }),
  retrieval: customOption("{ mode: 'polling', … } or { mode: 'fan-out', … }", checkRetrieval, {
    default: DEFAULT_RETRIEVAL,
  }),
  ...POLLING_GIVEN_SPECS,
  kinesisRequestTimeoutMs: integerOption({ min: 100, max: DAY_MS, default: 30_000 }),
  retrievalBackoff: backoffOption({ default: { baseDelayMs: 1_000, maxDelayMs: 10_000 } }),
  maxProcessingAttempts: integerOption({ min: 1, max: 1_000_000, default: 5 }),
  processingBackoff: backoffOption({ default: { baseDelayMs: 200, maxDelayMs: 10_000 } }),
  onPoisonRecord: functionOption<(poison: PoisonRecord) => Promise<void> | void>(),
  checkpointIntervalMs: integerOption({ min: 0, max: DAY_MS, default: 0 }),
  deliverEmptyBatches: booleanOption({ default: false }),
  stalledShardWarningMs: integerOption({ min: 100, max: DAY_MS, zeroMeansOff: true, default: 60_000 }),
  processingTimeoutMs: integerOption({ min: 100, max: DAY_MS, zeroMeansOff: true, default: 0 }),
  shutdownTimeoutMs: integerOption({ min: 0, max: DAY_MS, default: 30_000 }),
  logger: objectOption<Logger>({ limit: 'a Logger object' }),
  now: functionOption<() => number>({ default: Date.now }),
  random: functionOption<RandomSource>({ default: Math.random }),
} satisfies OptionSpecsOf<KinesisConsumerOptions>;

/**
 * The defaults of every option that has a fixed one; the polling ones also under their deprecated
 * top-level names (they are `DEFAULT_POLLING_OPTIONS`).
 */
export const DEFAULT_CONSUMER_OPTIONS = Object.freeze({
  ...optionDefaults(CONSUMER_OPTION_SPECS),
  ...DEFAULT_POLLING_OPTIONS,
});

/** The options after defaults and validation. */
export type ResolvedConsumerOptions = ReturnType<typeof resolveConsumerOptions>;

/** The retrieval after defaults and validation (the polling options are top-level there). */
export type ResolvedRetrieval = ResolvedConsumerOptions['retrieval'];

/**
 * Applies the defaults and checks every option, throwing a `ValidationError` (code
 * `INVALID_OPTION`) that names the first offending one. Polling options given at the top level
 * (deprecated) are taken, with one warning through `logger`.
 */
export function resolveConsumerOptions(options: KinesisConsumerOptions) {
  const o = resolveOptions(CONSUMER_OPTION_SPECS, options, { owner: 'KinesisConsumer' });
  const stream = o.streams === undefined ? streamReference(o.streamName, o.streamArn) : MULTI_STREAM;
  if (o.streams !== undefined && (o.streamName !== undefined || o.streamArn !== undefined)) {
    throw invalid(
      o.streamName !== undefined ? 'streamName' : 'streamArn',
      'either streams or streamName/streamArn, not both',
      'both were given',
    );
  }
  if (o.streams !== undefined && o.retrieval.mode === 'fan-out' && o.retrieval.consumerArn !== undefined) {
    throw invalid(
      'retrieval.consumerArn',
      'with streams, a consumerArn per stream (streams[i].consumerArn)',
      'one consumerArn cannot serve several streams',
    );
  }
  const leaseTableName = o.leaseTableName ?? o.applicationName;
  if (!/^[A-Za-z0-9_.-]{3,255}$/.test(leaseTableName)) {
    throw invalid(
      o.leaseTableName === undefined ? 'applicationName' : 'leaseTableName',
      'a DynamoDB table name: 3 to 255 of A-Z a-z 0-9 _ . -',
      `got "${leaseTableName}"`,
    );
  }
  if (o.handler !== undefined && o.processor !== undefined) {
    throw invalid(
      'processor',
      'either handler or processor, not both',
      'both handler and processor were given',
    );
  }
  if (o.handler === undefined && o.processor === undefined) {
    throw invalid(
      'handler',
      'a handler function or a processor factory',
      'neither handler nor processor was given',
    );
  }
  const { failoverTimeMs } = o;
  const leaseRenewalIntervalMs = validateIntegerOption(
    'leaseRenewalIntervalMs',
    o.leaseRenewalIntervalMs ?? Math.floor(failoverTimeMs / 3) - 25,
    50,
    Math.floor(failoverTimeMs / 2),
  );
  const {
    streamName: _streamName,
    streamArn: _streamArn,
    retrieval: given,
    maxRecordsPerFetch: _maxRecordsPerFetch,
    idleTimeBetweenReadsMs: _idleTimeBetweenReadsMs,
    maxPrefetchBatches: _maxPrefetchBatches,
    maxPrefetchRecords: _maxPrefetchRecords,
    maxPrefetchBytes: _maxPrefetchBytes,
    ...rest
  } = o;
  return {
    ...rest,
    stream,
    leaseTableName,
    workerId: o.workerId ?? `${hostname()}:${randomUUID()}`,
    leaseRenewalIntervalMs,
    leaseTakerIntervalMs: o.leaseTakerIntervalMs ?? Math.floor(failoverTimeMs / 2),
    ...resolvePolling(o, given.mode === 'polling' ? given : DEFAULT_RETRIEVAL),
    idleTimeBetweenReadsWhenCaughtUpMs:
      given.mode === 'polling'
        ? (given.idleTimeBetweenReadsWhenCaughtUpMs ?? 0)
        : POLLING_CAUGHT_UP_OPTION_SPECS.idleTimeBetweenReadsWhenCaughtUpMs.default,
    caughtUpThresholdMs:
      given.mode === 'polling'
        ? (given.caughtUpThresholdMs ?? POLLING_CAUGHT_UP_OPTION_SPECS.caughtUpThresholdMs.default)
        : POLLING_CAUGHT_UP_OPTION_SPECS.caughtUpThresholdMs.default,
    ...resolveLeaseAssignment(o, failoverTimeMs),
    retrieval:
      given.mode === 'fan-out' ? resolveFanOut(given, o.applicationName, o.kinesisClient) : DEFAULT_RETRIEVAL,
  };
}
