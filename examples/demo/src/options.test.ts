import { describe, expect, it } from 'vitest';
import { DEFAULT_DEMO_OPTIONS, DemoUsageError, parseDemoArgs } from './options.js';

describe('parseDemoArgs', () => {
  it('gives the defaults for an empty command line', () => {
    expect(parseDemoArgs([])).toEqual(DEFAULT_DEMO_OPTIONS);
  });

  it('reads --duration, --rate and --shards as separate or inline values, past a pnpm `--`', () => {
    expect(parseDemoArgs(['--', '--duration', '30', '--rate=250', '--shards', '6', '--plain'])).toEqual({
      durationSeconds: 30,
      rate: 250,
      shards: 6,
      plain: true,
      limits: true,
      help: false,
    });
  });

  it('runs with the service limits unless --no-limits', () => {
    expect(parseDemoArgs([]).limits).toBe(true);
    expect(parseDemoArgs(['--no-limits']).limits).toBe(false);
  });

  it('refuses unknown options, missing values and values out of range, naming them', () => {
    expect(() => parseDemoArgs(['--speed', '3'])).toThrow(new DemoUsageError('Unknown option --speed'));
    expect(() => parseDemoArgs(['--rate'])).toThrow('--rate needs a value');
    expect(() => parseDemoArgs(['--duration', '5'])).toThrow('--duration must be an integer from 20 to 3600');
    expect(() => parseDemoArgs(['--shards', '1.5'])).toThrow('--shards must be an integer from 2 to 16');
  });
});
