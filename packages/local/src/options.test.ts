import { ValidationError } from '@kinesis-ts/core';
import { describe, expect, it } from 'vitest';
import { DEFAULT_LOCAL_STACK_OPTIONS, emulatorEnvironment, resolveLocalStackOptions } from './options';

function invalid(options: object): ValidationError {
  try {
    resolveLocalStackOptions(options);
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return error as ValidationError;
  }
  throw new Error('expected a ValidationError');
}

describe('resolveLocalStackOptions', () => {
  it('applies the defaults: free ports, us-east-1 and 100 ms transitions', () => {
    const resolved = resolveLocalStackOptions();
    expect(resolved).toEqual(DEFAULT_LOCAL_STACK_OPTIONS);
    expect(resolved.kinesisPort).toBe(0);
    expect(resolved.createStreamDurationMs).toBe(100);
    expect(resolved.region).toBe('us-east-1');
  });

  it('treats an option given as undefined as not given', () => {
    expect(resolveLocalStackOptions({ region: undefined }).region).toBe('us-east-1');
  });

  it('rejects an unknown option, naming it', () => {
    const error = invalid({ kinesisPrt: 1 });
    expect(error.field).toBe('kinesisPrt');
    expect(error.code).toBe('INVALID_OPTION');
    expect(error.message).toContain("startLocalStack has no option named 'kinesisPrt'");
  });

  it('rejects out-of-range values, naming the option', () => {
    expect(invalid({ kinesisPort: 70_000 }).field).toBe('kinesisPort');
    expect(invalid({ splitShardDurationMs: -1 }).field).toBe('splitShardDurationMs');
    expect(invalid({ startTimeoutMs: 0 }).field).toBe('startTimeoutMs');
    expect(invalid({ region: 'nowhere' }).field).toBe('region');
    expect(invalid({ accountId: '123' }).field).toBe('accountId');
    expect(invalid({ logLevel: 'LOUD' }).field).toBe('logLevel');
    expect(invalid({ streams: [{ name: 'bad name', shardCount: 1 }] }).field).toBe('streams[0].name');
    expect(invalid({ streams: [{ name: 'ok', shardCount: 0 }] }).field).toBe('streams[0].shardCount');
    expect(invalid({ kinesisPort: 5000, dynamoDbPort: 5000 }).field).toBe('kinesisPort');
  });

  it('says what an integer option got: a quoted string, NaN, a fraction, Infinity or an object', () => {
    const allowed = '(allowed: an integer from 1 to 3600000 ms)';
    expect(invalid({ startTimeoutMs: '5000' }).message).toBe(
      `Invalid startTimeoutMs: got the string "5000" ${allowed}`,
    );
    expect(invalid({ startTimeoutMs: Number.NaN }).message).toBe(
      `Invalid startTimeoutMs: got NaN ${allowed}`,
    );
    expect(invalid({ startTimeoutMs: 1.5 }).message).toBe(
      `Invalid startTimeoutMs: got 1.5, not an integer ${allowed}`,
    );
    expect(invalid({ startTimeoutMs: Number.POSITIVE_INFINITY }).message).toBe(
      `Invalid startTimeoutMs: got Infinity ${allowed}`,
    );
    expect(invalid({ startTimeoutMs: [5000] }).message).toBe(
      `Invalid startTimeoutMs: got an array ${allowed}`,
    );
    expect(invalid({ startTimeoutMs: 0 }).message).toBe(`Invalid startTimeoutMs: got 0 ${allowed}`);
  });
});

describe('the service limits options', () => {
  it("are off by default, with the service's 5-minute subscriptions", () => {
    const resolved = resolveLocalStackOptions();
    expect(resolved.enforceLimits).toBe(false);
    expect(resolved.limits).toEqual({ subscriptionLifetimeMs: 300_000 });
    expect(resolveLocalStackOptions({ enforceLimits: true, limits: {} }).limits).toEqual({
      subscriptionLifetimeMs: 300_000,
    });
  });

  it("take a shorter subscription lifetime, within 1 ms to the service's 5 minutes", () => {
    expect(
      resolveLocalStackOptions({ enforceLimits: true, limits: { subscriptionLifetimeMs: 2_000 } }).limits,
    ).toEqual({ subscriptionLifetimeMs: 2_000 });
    expect(invalid({ enforceLimits: true, limits: { subscriptionLifetimeMs: 300_001 } }).field).toBe(
      'limits.subscriptionLifetimeMs',
    );
    expect(invalid({ enforceLimits: true, limits: { subscriptionLifetimeMs: 0 } }).field).toBe(
      'limits.subscriptionLifetimeMs',
    );
  });

  it('refuse an unknown setting, a non-boolean enforceLimits, and limits without enforceLimits', () => {
    const unknown = invalid({ enforceLimits: true, limits: { subscriptionLifetime: 5 } });
    expect(unknown.field).toBe('limits.subscriptionLifetime');
    expect(unknown.message).toContain("did you mean 'subscriptionLifetimeMs'?");
    expect(invalid({ enforceLimits: 'yes' }).field).toBe('enforceLimits');
    const orphan = invalid({ limits: { subscriptionLifetimeMs: 1_000 } });
    expect(orphan.field).toBe('limits');
    expect(orphan.message).toContain('enforceLimits');
  });
});

describe('emulatorEnvironment', () => {
  it('maps the options to kinesis-local variables, with persistence off', () => {
    const environment = emulatorEnvironment(
      resolveLocalStackOptions({
        splitShardDurationMs: 250,
        shardLimit: 7,
        emulatorEnv: { LOG_LEVEL: 'DEBUG' },
      }),
      { plain: 4568, tls: 4567 },
    );
    expect(environment).toMatchObject({
      KINESIS_MOCK_PLAIN_PORT: '4568',
      KINESIS_MOCK_TLS_PORT: '4567',
      SPLIT_SHARD_DURATION: '250ms',
      CREATE_STREAM_DURATION: '100ms',
      SHARD_LIMIT: '7',
      SHOULD_PERSIST_DATA: 'false',
      LOAD_DATA_IF_EXISTS: 'false',
      LOG_LEVEL: 'DEBUG',
    });
  });
});

describe('the large-record threshold', () => {
  it('keeps records above 64 KiB in the front by default, and takes 0 to 10 MiB', () => {
    expect(resolveLocalStackOptions().largeRecordThresholdBytes).toBe(65_536);
    expect(
      resolveLocalStackOptions({ largeRecordThresholdBytes: 10_485_760 }).largeRecordThresholdBytes,
    ).toBe(10_485_760);
    expect(invalid({ largeRecordThresholdBytes: 10_485_761 }).field).toBe('largeRecordThresholdBytes');
    expect(invalid({ largeRecordThresholdBytes: -1 }).message).toContain('from 0 to 10485760 bytes');
  });
});
