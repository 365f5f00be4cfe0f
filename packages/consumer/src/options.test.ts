import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KinesisClient } from '@aws-sdk/client-kinesis';
import { ValidationError } from '@kinesis-ts/core';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { describe, expect, it } from 'vitest';
import { KinesisConsumer } from './kinesis-consumer.js';
import {
  DEFAULT_CONSUMER_OPTIONS,
  DEFAULT_FAN_OUT_OPTIONS,
  type KinesisConsumerOptions,
  resolveConsumerOptions,
} from './options.js';

const kinesisClient = new KinesisClient({ region: 'us-east-1' });
const dynamoDbClient = new DynamoDBClient({ region: 'us-east-1' });
const valid: KinesisConsumerOptions = {
  streamName: 'orders',
  applicationName: 'orders-app',
  kinesisClient,
  dynamoDbClient,
  initialPosition: 'TRIM_HORIZON',
  handler: async () => {},
};

function errorOf(options: Partial<KinesisConsumerOptions>): ValidationError {
  try {
    new KinesisConsumer({ ...valid, ...options } as KinesisConsumerOptions);
  } catch (error) {
    if (error instanceof ValidationError) return error;
    throw error;
  }
  throw new Error('expected a ValidationError');
}

describe('resolveConsumerOptions', () => {
  it('applies the KCL-like defaults, deriving the timers from the failover time', () => {
    const resolved = resolveConsumerOptions(valid);
    expect(resolved).toMatchObject({
      leaseTableName: 'orders-app',
      failoverTimeMs: 10_000,
      leaseRenewalIntervalMs: 3_308,
      leaseTakerIntervalMs: 5_000,
      maxLeasesForWorker: Number.POSITIVE_INFINITY,
      maxLeasesToStealAtOneTime: 1,
      idleTimeBetweenReadsMs: 1_000,
      maxRecordsPerFetch: 10_000,
      releaseLeasesOnStop: true,
    });
    expect(resolved.workerId).toMatch(/.+:[0-9a-f-]{36}$/);
    expect(resolveConsumerOptions({ ...valid, failoverTimeMs: 3_000 })).toMatchObject({
      leaseRenewalIntervalMs: 975,
      leaseTakerIntervalMs: 1_500,
    });
  });

  it('keeps every default in DEFAULT_CONSUMER_OPTIONS', () => {
    const resolved = resolveConsumerOptions(valid);
    for (const [name, value] of Object.entries(DEFAULT_CONSUMER_OPTIONS)) {
      expect(resolved[name as keyof typeof resolved], name).toEqual(value);
    }
  });

  it('refuses a failover time too small for renewals to keep up', () => {
    const error = errorOf({ failoverTimeMs: 500 });
    expect(error.field).toBe('failoverTimeMs');
    expect(error.code).toBe('INVALID_OPTION');
    expect(error.message).toContain('1000');
  });

  it('refuses a renewal interval over half the failover time', () => {
    expect(errorOf({ failoverTimeMs: 2_000, leaseRenewalIntervalMs: 1_500 }).field).toBe(
      'leaseRenewalIntervalMs',
    );
  });

  it('refuses an unknown initial position, and a missing one', () => {
    expect(errorOf({ initialPosition: 'EARLIEST' as never }).field).toBe('initialPosition');
    expect(errorOf({ initialPosition: undefined as never }).message).toContain("'LATEST', 'TRIM_HORIZON'");
    expect(errorOf({ initialPosition: { timestamp: 'yesterday' } as never }).field).toBe('initialPosition');
  });

  it('accepts a timestamp as a Date or epoch milliseconds', () => {
    expect(
      resolveConsumerOptions({ ...valid, initialPosition: { timestamp: 1_700_000_000_000 } }).initialPosition,
    ).toEqual({
      timestamp: new Date(1_700_000_000_000),
    });
  });

  it('refuses both a handler and a processor, and neither', () => {
    const both = errorOf({ processor: () => ({ processRecords() {} }) });
    expect(both.field).toBe('processor');
    expect(both.message).toContain('not both');
    const neither = errorOf({ handler: undefined });
    expect(neither.field).toBe('handler');
  });

  it('refuses both streamName and streamArn, and a malformed stream name', () => {
    expect(errorOf({ streamArn: 'arn:aws:kinesis:us-east-1:1:stream/x' }).field).toBe('streamArn');
    expect(errorOf({ streamName: 'bad name!' }).field).toBe('streamName');
  });

  it('refuses unknown options, naming them', () => {
    expect(errorOf({ failoverTimeMillis: 10_000 } as never).field).toBe('failoverTimeMillis');
  });

  it('refuses a lease table name DynamoDB would refuse', () => {
    expect(errorOf({ applicationName: 'my app' }).field).toBe('applicationName');
    expect(errorOf({ leaseTableName: 'x' }).field).toBe('leaseTableName');
  });

  it('refuses out-of-range retrieval options', () => {
    expect(errorOf({ idleTimeBetweenReadsMs: 100 }).field).toBe('idleTimeBetweenReadsMs');
    expect(errorOf({ maxRecordsPerFetch: 10_001 }).field).toBe('maxRecordsPerFetch');
    expect(errorOf({ maxProcessingAttempts: 0 }).field).toBe('maxProcessingAttempts');
    expect(errorOf({ processingBackoff: { baseDelayMs: 100, maxDelayMs: 10 } }).field).toBe(
      'processingBackoff.maxDelayMs',
    );
  });

  it('says what it got when an object option is not an object', () => {
    expect(errorOf({ retrieval: 'polling' as never }).message).toContain('got the string "polling"');
    expect(errorOf({ processingBackoff: 5 as never }).message).toContain('got 5');
  });

  it('refuses clients that are not SDK clients', () => {
    expect(errorOf({ kinesisClient: {} as never }).field).toBe('kinesisClient');
  });

  it('reads by polling unless fan-out is asked for, which defaults its consumer name to the application', () => {
    expect(resolveConsumerOptions(valid).retrieval).toEqual({ mode: 'polling' });
    const subscribeClient = new KinesisClient({ region: 'us-east-1' });
    expect(resolveConsumerOptions({ ...valid, retrieval: { mode: 'fan-out' } }).retrieval).toEqual({
      mode: 'fan-out',
      consumerName: 'orders-app',
      consumerArn: undefined,
      subscribeClient: kinesisClient,
      ...DEFAULT_FAN_OUT_OPTIONS,
    });
    expect(
      resolveConsumerOptions({
        ...valid,
        retrieval: { mode: 'fan-out', consumerName: 'orders-efo', subscribeClient, shardEndCheckAfterMs: 0 },
      }).retrieval,
    ).toMatchObject({ consumerName: 'orders-efo', subscribeClient, shardEndCheckAfterMs: 0 });
  });

  it('warns through the logger when fan-out would subscribe over an HTTP/1.1 kinesisClient', () => {
    const warnings: string[] = [];
    const logger = {
      debug: () => {},
      info: () => {},
      warn: (message: string) => warnings.push(message),
      error: () => {},
    };
    // What the docs tell users to build for the local emulator: an HTTP/1.1 handler.
    const http1Client = new KinesisClient({ region: 'us-east-1', requestHandler: new NodeHttpHandler() });
    new KinesisConsumer({ ...valid, kinesisClient: http1Client, logger, retrieval: { mode: 'fan-out' } });
    expect(warnings).toEqual([expect.stringContaining('retrieval.subscribeClient')]);
    warnings.length = 0;
    new KinesisConsumer({
      ...valid,
      kinesisClient: http1Client,
      logger,
      retrieval: { mode: 'fan-out', subscribeClient: kinesisClient },
    });
    new KinesisConsumer({ ...valid, logger, retrieval: { mode: 'fan-out' } }); // the SDK default is HTTP/2
    new KinesisConsumer({ ...valid, kinesisClient: http1Client, logger }); // polling
    expect(warnings).toEqual([]);
  });

  it('refuses malformed fan-out options, naming them', () => {
    const arn = 'arn:aws:kinesis:us-east-1:1:stream/orders/consumer/app:1';
    const cases: [KinesisConsumerOptions['retrieval'], string][] = [
      [{ mode: 'fan-out', consumerName: 'a', consumerArn: arn }, 'retrieval.consumerArn'],
      [
        { mode: 'fan-out', consumerArn: 'arn:aws:kinesis:us-east-1:1:stream/orders' },
        'retrieval.consumerArn',
      ],
      [{ mode: 'fan-out', consumerName: 'no spaces' }, 'retrieval.consumerName'],
      [{ mode: 'fan-out', subscriptionIdleTimeoutMs: 10 }, 'retrieval.subscriptionIdleTimeoutMs'],
      [{ mode: 'fan-out', shardEndCheckAfterMs: 50 }, 'retrieval.shardEndCheckAfterMs'],
      [{ mode: 'fan-out', subscribeClient: {} as KinesisClient }, 'retrieval.subscribeClient'],
      [{ mode: 'fan-out', consumer: 'x' } as never, 'retrieval.consumer'],
      [{ mode: 'polling', consumerName: 'x' } as never, 'retrieval.consumerName'],
      [{ mode: 'push' } as never, 'retrieval.mode'],
    ];
    for (const [retrieval, field] of cases) expect(errorOf({ retrieval }).field, field).toBe(field);
    expect(
      resolveConsumerOptions({ ...valid, retrieval: { mode: 'fan-out', consumerArn: arn } }).retrieval,
    ).toMatchObject({
      consumerArn: arn,
    });
  });

  it('cleans up finished leases by default, at most once a minute', () => {
    expect(resolveConsumerOptions(valid)).toMatchObject({
      cleanupLeasesUponShardCompletion: true,
      leaseCleanupIntervalMs: 60_000,
    });
    expect(errorOf({ leaseCleanupIntervalMs: -1 }).field).toBe('leaseCleanupIntervalMs');
    expect(errorOf({ cleanupLeasesUponShardCompletion: 'yes' as never }).field).toBe(
      'cleanupLeasesUponShardCompletion',
    );
  });

  it('reports stalls after a minute and has no processing timeout by default; each is 0 (off) or at least 100 ms', () => {
    expect(resolveConsumerOptions(valid)).toMatchObject({
      stalledShardWarningMs: 60_000,
      processingTimeoutMs: 0,
    });
    expect(
      resolveConsumerOptions({ ...valid, stalledShardWarningMs: 0, processingTimeoutMs: 120_000 }),
    ).toMatchObject({ stalledShardWarningMs: 0, processingTimeoutMs: 120_000 });
    for (const field of ['stalledShardWarningMs', 'processingTimeoutMs'] as const) {
      for (const value of [50, -1, 1.5, '60000' as never]) {
        const error = errorOf({ [field]: value });
        expect(error.field, `${field} ${value}`).toBe(field);
        expect(error.code).toBe('INVALID_OPTION');
      }
    }
    expect(errorOf({ processingTimeoutMs: 50 }).message).toContain('0 (never) or at least 100');
  });
});
