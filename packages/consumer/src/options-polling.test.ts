import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KinesisClient } from '@aws-sdk/client-kinesis';
import { type Logger, ValidationError } from '@kinesis-ts/core';
import { describe, expect, it } from 'vitest';
import { KinesisConsumer } from './kinesis-consumer.js';
import {
  DEFAULT_CONSUMER_OPTIONS,
  DEFAULT_POLLING_OPTIONS,
  type KinesisConsumerOptions,
  resolveConsumerOptions,
} from './options.js';

const valid: KinesisConsumerOptions = {
  streamName: 'orders',
  applicationName: 'orders-app',
  kinesisClient: new KinesisClient({ region: 'us-east-1' }),
  dynamoDbClient: new DynamoDBClient({ region: 'us-east-1' }),
  initialPosition: 'TRIM_HORIZON',
  handler: async () => {},
};

function recordingLogger(): Logger & { warnings: { message: string; context?: Record<string, unknown> }[] } {
  const warnings: { message: string; context?: Record<string, unknown> }[] = [];
  return {
    warnings,
    debug: () => {},
    info: () => {},
    warn: (message, context) => warnings.push({ message, context }),
    error: () => {},
  };
}

function errorOf(options: object): ValidationError {
  try {
    resolveConsumerOptions({ ...valid, ...options } as KinesisConsumerOptions);
  } catch (error) {
    if (error instanceof ValidationError) return error;
    throw error;
  }
  throw new Error('expected a ValidationError');
}

describe('the polling options under retrieval', () => {
  it('are read from retrieval: { mode: polling }, the others keeping their defaults', () => {
    const resolved = resolveConsumerOptions({
      ...valid,
      retrieval: { mode: 'polling', idleTimeBetweenReadsMs: 200, maxPrefetchBatches: 1 },
    });
    expect(resolved).toMatchObject({
      ...DEFAULT_POLLING_OPTIONS,
      idleTimeBetweenReadsMs: 200,
      maxPrefetchBatches: 1,
      retrieval: { mode: 'polling' },
    });
  });

  it('are checked there, errors naming them under retrieval', () => {
    expect(errorOf({ retrieval: { mode: 'polling', idleTimeBetweenReadsMs: 100 } }).field).toBe(
      'retrieval.idleTimeBetweenReadsMs',
    );
    const typo = errorOf({ retrieval: { mode: 'polling', idleTimeBetweenReads: 500 } });
    expect(typo.field).toBe('retrieval.idleTimeBetweenReads');
    expect(typo.message).toContain("did you mean 'idleTimeBetweenReadsMs'?");
    expect(errorOf({ retrieval: { mode: 'fan-out', maxRecordsPerFetch: 100 } }).field).toBe(
      'retrieval.maxRecordsPerFetch',
    );
  });

  it('still work at the top level, with one warning through the logger naming their new place', () => {
    const logger = recordingLogger();
    const resolved = resolveConsumerOptions({
      ...valid,
      logger,
      idleTimeBetweenReadsMs: 200,
      maxRecordsPerFetch: 500,
    });
    expect(resolved).toMatchObject({ idleTimeBetweenReadsMs: 200, maxRecordsPerFetch: 500 });
    expect(logger.warnings).toHaveLength(1);
    expect(logger.warnings[0]!.message).toContain(
      "retrieval: { mode: 'polling', maxRecordsPerFetch, idleTimeBetweenReadsMs }",
    );
    expect(logger.warnings[0]!.context).toEqual({
      deprecated: ['maxRecordsPerFetch', 'idleTimeBetweenReadsMs'],
      use: ['retrieval.maxRecordsPerFetch', 'retrieval.idleTimeBetweenReadsMs'],
    });
  });

  it('warn once per consumer built with them, and not at all without them', () => {
    const logger = recordingLogger();
    new KinesisConsumer({ ...valid, logger, maxPrefetchBytes: 1_024 });
    expect(logger.warnings.map((warning) => warning.message)).toEqual([
      expect.stringContaining('maxPrefetchBytes at the top level'),
    ]);
    logger.warnings.length = 0;
    new KinesisConsumer({ ...valid, logger, retrieval: { mode: 'polling', maxPrefetchBytes: 1_024 } });
    new KinesisConsumer({ ...valid, logger });
    expect(logger.warnings).toEqual([]);
  });

  it('may be mixed between the two places, but one option given in both is refused', () => {
    expect(
      resolveConsumerOptions({
        ...valid,
        maxRecordsPerFetch: 500,
        retrieval: { mode: 'polling', idleTimeBetweenReadsMs: 300 },
      }),
    ).toMatchObject({ maxRecordsPerFetch: 500, idleTimeBetweenReadsMs: 300 });
    const both = errorOf({
      idleTimeBetweenReadsMs: 200,
      retrieval: { mode: 'polling', idleTimeBetweenReadsMs: 200 },
    });
    expect(both).toBeInstanceOf(ValidationError);
    expect(both.code).toBe('INVALID_OPTION');
    expect(both.field).toBe('idleTimeBetweenReadsMs');
    expect(both.message).toContain('retrieval.idleTimeBetweenReadsMs');
  });

  it('keep their defaults in DEFAULT_CONSUMER_OPTIONS under the top-level names too', () => {
    expect(DEFAULT_CONSUMER_OPTIONS).toMatchObject(DEFAULT_POLLING_OPTIONS);
    expect(DEFAULT_POLLING_OPTIONS).toEqual({
      maxRecordsPerFetch: 10_000,
      idleTimeBetweenReadsMs: 1_000,
      maxPrefetchBatches: 3,
      maxPrefetchRecords: 30_000,
      maxPrefetchBytes: 8 * 1024 * 1024,
    });
  });
});

describe('resolveConsumerOptions on the option-spec kit', () => {
  it('takes undefined as not given and refuses null', () => {
    expect(resolveConsumerOptions({ ...valid, failoverTimeMs: undefined }).failoverTimeMs).toBe(10_000);
    for (const field of ['failoverTimeMs', 'releaseLeasesOnStop', 'retrieval', 'processingBackoff', 'now']) {
      const error = errorOf({ [field]: null });
      expect(error.field, field).toBe(field);
      expect(error.message, field).toContain('got null');
    }
  });

  it('suggests the option meant by a misspelt one', () => {
    const error = errorOf({ failoverTimeMillis: 10_000 });
    expect(error.field).toBe('failoverTimeMillis');
    expect(error.message).toContain(
      "KinesisConsumer has no option named 'failoverTimeMillis'; did you mean 'failoverTimeMs'?",
    );
  });

  it('refuses a logger that is not an object', () => {
    expect(errorOf({ logger: 'console' }).field).toBe('logger');
  });
});
