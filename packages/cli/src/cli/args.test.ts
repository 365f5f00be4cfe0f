import { describe, expect, it } from 'vitest';
import { CliUsageError } from '../errors.js';
import { parseFlags } from './args.js';

describe('parseFlags', () => {
  const spec = { timestamp: { type: 'string' }, shard: { type: 'string', multiple: true } } as const;

  it('reads times as ISO 8601, epoch milliseconds or relative to now', () => {
    const now = Date.UTC(2026, 0, 1, 12, 0, 0);
    const at = (value: string) =>
      parseFlags('tail', ['--timestamp', value], spec).timestamp('timestamp', now);
    expect(at('2026-01-01T10:00:00Z')?.toISOString()).toBe('2026-01-01T10:00:00.000Z');
    expect(at('1767261600000')?.toISOString()).toBe('2026-01-01T10:00:00.000Z');
    expect(at('2h')?.toISOString()).toBe('2026-01-01T10:00:00.000Z');
    expect(parseFlags('tail', ['--timestamp=-2h'], spec).timestamp('timestamp', now)?.getTime()).toBe(
      now - 7_200_000,
    );
    expect(at('15m')?.toISOString()).toBe('2026-01-01T11:45:00.000Z');
    expect(at('1d')?.toISOString()).toBe('2025-12-31T12:00:00.000Z');
  });

  it('collects repeated flags and the stream from the first positional', () => {
    const flags = parseFlags('tail', ['orders', '--shard', 'a', '--shard', 'b'], spec);
    expect(flags.list('shard')).toEqual(['a', 'b']);
    expect(flags.stream()).toBe('orders');
    expect(() => parseFlags('tail', ['a', 'b'], spec).stream()).toThrow(/unexpected argument 'b'/);
    expect(() => parseFlags('tail', [], spec).stream()).toThrow(/stream name is required/);
    expect(() => parseFlags('tail', ['orders/eu'], spec).stream()).toThrow(
      /'orders\/eu' is not a stream name: expected a stream name of 1 to 128/,
    );
    expect(() => parseFlags('tail', ['x'.repeat(129)], spec).stream()).toThrow(CliUsageError);
  });
});
