import { ValidationError } from '@kinesis-ts/core';
import { describe, expect, it } from 'vitest';
import { exportLine, parseCliArgs, parseStreamSpec } from './cli-args';

describe('parseCliArgs', () => {
  it('maps flags to stack options, with repeatable --stream', () => {
    expect(
      parseCliArgs([
        '--stream',
        'orders:2',
        '--stream=events',
        '--kinesis-port',
        '4568',
        '--dynamodb-port=8000',
        '--region',
        'eu-west-1',
        '--log-level',
        'info',
      ]),
    ).toEqual({
      kind: 'start',
      options: {
        kinesisPort: 4568,
        dynamoDbPort: 8000,
        region: 'eu-west-1',
        logLevel: 'INFO',
        streams: [
          { name: 'orders', shardCount: 2 },
          { name: 'events', shardCount: 1 },
        ],
      },
    });
  });

  it('turns the service limits on, with a subscription lifetime', () => {
    expect(parseCliArgs(['--enforce-limits'])).toEqual({ kind: 'start', options: { enforceLimits: true } });
    expect(parseCliArgs(['--enforce-limits', '--subscription-lifetime-ms', '5000'])).toEqual({
      kind: 'start',
      options: { enforceLimits: true, limits: { subscriptionLifetimeMs: 5_000 } },
    });
    expect(() => parseCliArgs(['--subscription-lifetime-ms', '5000'])).toThrow(/needs --enforce-limits/);
    expect(() => parseCliArgs(['--enforce-limits', '--subscription-lifetime-ms', '5s'])).toThrow(
      /must be a number of milliseconds/,
    );
  });

  it('starts with defaults when given nothing, and shows help for -h', () => {
    expect(parseCliArgs([])).toEqual({ kind: 'start', options: {} });
    expect(parseCliArgs(['-h'])).toEqual({ kind: 'help' });
    expect(parseCliArgs(['--', '-h'])).toEqual({ kind: 'help' });
  });

  it('rejects unknown flags, bad ports and bad stream specs', () => {
    expect(() => parseCliArgs(['--kinesis-prt', '1'])).toThrow(ValidationError);
    expect(() => parseCliArgs(['--kinesis-port', 'abc'])).toThrow(
      expect.objectContaining({ code: 'INVALID_OPTION', field: '--kinesis-port' }),
    );
    expect(() => parseCliArgs(['--kinesis-port', 'abc'])).toThrow(/--kinesis-port must be a port number/);
    expect(() => parseStreamSpec('a:b:c')).toThrow(/NAME:SHARDS/);
    expect(() => parseStreamSpec('a:0')).toThrow(/at least 1/);
  });
});

describe('exportLine', () => {
  it('prints a POSIX export line, quoting values that need it', () => {
    expect(exportLine({ A: 'http://127.0.0.1:1', B: "it's" })).toBe(
      `export A=http://127.0.0.1:1 B='it'\\''s'`,
    );
  });
});
