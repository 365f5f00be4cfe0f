import { describe, expect, expectTypeOf, it } from 'vitest';
import { ValidationError } from './errors.js';
import {
  backoffOption,
  booleanOption,
  clientOption,
  customOption,
  functionOption,
  integerOption,
  nearestName,
  type OptionSpecsOf,
  objectOption,
  oneOfOption,
  optionDefaults,
  rejectUnknownOptions,
  resolveOptions,
  shareOption,
  stringOption,
} from './option-spec.js';

interface ExampleOptions {
  readonly maxThingsPerCall?: number;
  readonly timeoutMs?: number;
  readonly reportAfterMs?: number;
  readonly compress?: boolean;
  readonly whenFull?: 'wait' | 'reject';
  readonly hotShare?: number;
  readonly clock?: () => number;
  readonly onEvent?: (event: string) => void;
  readonly sink?: { write(line: string): void };
  readonly name: string;
  readonly backoff?: { baseDelayMs: number; maxDelayMs: number };
  readonly position?: Date;
}

const specs = {
  maxThingsPerCall: integerOption({ min: 1, max: 500, default: 500 }),
  timeoutMs: integerOption({ min: 100, max: Number.POSITIVE_INFINITY, allowInfinity: true, default: 30_000 }),
  reportAfterMs: integerOption({ min: 100, max: 86_400_000, zeroMeansOff: true, default: 0 }),
  compress: booleanOption({ default: true }),
  whenFull: oneOfOption(['wait', 'reject'], { default: 'wait' }),
  hotShare: shareOption({ default: 0.05 }),
  clock: functionOption<() => number>({ default: Date.now }),
  onEvent: functionOption<(event: string) => void>(),
  sink: objectOption<{ write(line: string): void }>({
    limit: 'an object with write(line)',
    accepts: (value) => typeof (value as { write?: unknown }).write === 'function',
  }),
  name: stringOption({ pattern: /^[a-z]{1,8}$/, limit: '1 to 8 of a-z', required: true }),
  backoff: backoffOption({ default: { baseDelayMs: 100, maxDelayMs: 5_000 } }),
  position: customOption('a Date or epoch milliseconds', (value, field): Date => {
    const time = value instanceof Date ? value.getTime() : typeof value === 'number' ? value : Number.NaN;
    if (!Number.isFinite(time)) throw new ValidationError(field, 'a date', 'not a date', 'INVALID_OPTION');
    return new Date(time);
  }),
} satisfies OptionSpecsOf<ExampleOptions>;

const resolve = (options: object) => resolveOptions(specs, { name: 'abc', ...options }, { owner: 'Example' });

function errorOf(run: () => unknown): ValidationError {
  try {
    run();
  } catch (error) {
    if (error instanceof ValidationError) return error;
    throw error;
  }
  throw new Error('expected a ValidationError');
}

describe('resolveOptions', () => {
  it('applies the default of every option not given, and keeps the given values', () => {
    const resolved = resolve({ maxThingsPerCall: 7 });
    expect(resolved).toEqual({
      maxThingsPerCall: 7,
      timeoutMs: 30_000,
      reportAfterMs: 0,
      compress: true,
      whenFull: 'wait',
      hotShare: 0.05,
      clock: Date.now,
      onEvent: undefined,
      sink: undefined,
      name: 'abc',
      backoff: { baseDelayMs: 100, maxDelayMs: 5_000 },
      position: undefined,
    });
  });

  it('takes undefined as not given, and refuses null like any other wrong value', () => {
    expect(resolve({ timeoutMs: undefined, compress: undefined }).timeoutMs).toBe(30_000);
    for (const field of ['timeoutMs', 'compress', 'whenFull', 'hotShare', 'clock', 'sink', 'backoff']) {
      const error = errorOf(() => resolve({ [field]: null }));
      expect(error.field, field).toBe(field);
      expect(error.code).toBe('INVALID_OPTION');
      expect(error.message, field).toContain('got null');
    }
  });

  it('refuses a required option left out, naming it', () => {
    const error = errorOf(() => resolveOptions(specs, {}, { owner: 'Example' }));
    expect(error.field).toBe('name');
    expect(error.message).toBe('Invalid name: got undefined (allowed: 1 to 8 of a-z)');
  });

  it('refuses an unknown key, naming it and the nearest known one', () => {
    const typo = errorOf(() => resolve({ timeoutMillis: 5 }));
    expect(typo.field).toBe('timeoutMillis');
    expect(typo.code).toBe('INVALID_OPTION');
    expect(typo.message).toBe(
      "Invalid timeoutMillis: Example has no option named 'timeoutMillis'; did you mean 'timeoutMs'? (allowed: a known option of Example)",
    );
    const unrelated = errorOf(() => resolve({ colour: 'red' }));
    expect(unrelated.message).toContain("Example has no option named 'colour' (allowed");
  });

  it('names fields under their prefix and accepts the keys its caller handles', () => {
    const inner = { maxThingsPerCall: { min: 1, max: 10, default: 10 } };
    const innerSpecs = { maxThingsPerCall: integerOption(inner.maxThingsPerCall) };
    const context = { owner: 'polling retrieval', fieldPrefix: 'retrieval.', alsoKnown: ['mode'] };
    expect(resolveOptions(innerSpecs, { mode: 'polling' }, context)).toEqual({ maxThingsPerCall: 10 });
    expect(errorOf(() => resolveOptions(innerSpecs, { maxThingsPerCall: 11 }, context)).field).toBe(
      'retrieval.maxThingsPerCall',
    );
    expect(errorOf(() => resolveOptions(innerSpecs, { mod: 'polling' }, context)).field).toBe(
      'retrieval.mod',
    );
  });

  it('refuses options that are not an object', () => {
    for (const options of [null, 5, 'x', [1]]) {
      const error = errorOf(() => resolveOptions(specs, options, { owner: 'Example' }));
      expect(error.field).toBe('options');
      expect(error.limit).toBe('an options object for Example');
    }
  });

  it('checks in the order of the specs, so the first offending option is named', () => {
    expect(errorOf(() => resolve({ compress: 'yes', maxThingsPerCall: 0 })).field).toBe('maxThingsPerCall');
  });
});

describe('each kind of option', () => {
  it('integer: names the field and the range, and accepts both ends', () => {
    expect(resolve({ maxThingsPerCall: 1 }).maxThingsPerCall).toBe(1);
    expect(resolve({ maxThingsPerCall: 500 }).maxThingsPerCall).toBe(500);
    expect(errorOf(() => resolve({ maxThingsPerCall: 501 })).message).toBe(
      'Invalid maxThingsPerCall: got 501 (allowed: an integer from 1 to 500)',
    );
    expect(errorOf(() => resolve({ maxThingsPerCall: 1.5 })).message).toContain('not an integer');
    expect(errorOf(() => resolve({ maxThingsPerCall: '5' })).message).toContain('got the string "5"');
    expect(errorOf(() => resolve({ maxThingsPerCall: Number.POSITIVE_INFINITY })).field).toBe(
      'maxThingsPerCall',
    );
  });

  it('integer with Infinity allowed: accepts it and says so', () => {
    expect(resolve({ timeoutMs: Number.POSITIVE_INFINITY }).timeoutMs).toBe(Number.POSITIVE_INFINITY);
    expect(errorOf(() => resolve({ timeoutMs: 99 })).message).toBe(
      'Invalid timeoutMs: got 99 (allowed: an integer of 100 or more, or Infinity)',
    );
  });

  it('integer where 0 means off: accepts 0 and the range, refuses what lies between', () => {
    expect(resolve({ reportAfterMs: 0 }).reportAfterMs).toBe(0);
    expect(resolve({ reportAfterMs: 100 }).reportAfterMs).toBe(100);
    for (const value of [50, -1, 86_400_001]) {
      expect(errorOf(() => resolve({ reportAfterMs: value })).message).toBe(
        `Invalid reportAfterMs: got ${value} (allowed: 0 (never) or at least 100 and at most 86400000)`,
      );
    }
    expect(specs.reportAfterMs.range).toEqual({
      min: 100,
      max: 86_400_000,
      allowInfinity: false,
      zeroMeansOff: true,
    });
  });

  it('boolean: true or false, nothing truthy', () => {
    expect(resolve({ compress: false }).compress).toBe(false);
    expect(errorOf(() => resolve({ compress: 'true' })).message).toBe(
      'Invalid compress: got the string "true" (allowed: true or false)',
    );
  });

  it('one-of: lists the values', () => {
    expect(resolve({ whenFull: 'reject' }).whenFull).toBe('reject');
    expect(errorOf(() => resolve({ whenFull: 'drop' })).message).toBe(
      `Invalid whenFull: got the string "drop" (allowed: 'wait' or 'reject')`,
    );
    expect(oneOfOption(['a', 'b', 'c']).limit).toBe("'a', 'b' or 'c'");
  });

  it('share: a number from 0 to 1, NaN refused', () => {
    expect(resolve({ hotShare: 0 }).hotShare).toBe(0);
    expect(resolve({ hotShare: 1 }).hotShare).toBe(1);
    for (const value of [1.01, -0.1, Number.NaN, '0.5']) {
      const error = errorOf(() => resolve({ hotShare: value }));
      expect(error.field).toBe('hotShare');
      expect(error.limit).toBe('a number from 0 to 1');
    }
  });

  it('function: refuses anything else, saying what it got', () => {
    const onEvent = () => {};
    expect(resolve({ onEvent }).onEvent).toBe(onEvent);
    expect(errorOf(() => resolve({ clock: 5 })).message).toBe('Invalid clock: got 5 (allowed: a function)');
  });

  it('object: refuses arrays, primitives and what its own rule refuses', () => {
    const sink = { write() {} };
    expect(resolve({ sink }).sink).toBe(sink);
    for (const value of [[], 'x', {}]) {
      expect(errorOf(() => resolve({ sink: value })).limit).toBe('an object with write(line)');
    }
  });

  it('client: an object with a send method, required or not', () => {
    const client = { send: async () => ({}) };
    const clientSpecs = { client: clientOption<typeof client>({ required: true }), other: clientOption() };
    expect(resolveOptions(clientSpecs, { client }, { owner: 'X' })).toEqual({ client, other: undefined });
    expect(errorOf(() => resolveOptions(clientSpecs, {}, { owner: 'X' })).message).toBe(
      'Invalid client: got undefined (allowed: an AWS SDK v3 client)',
    );
    expect(errorOf(() => resolveOptions(clientSpecs, { client, other: {} }, { owner: 'X' })).field).toBe(
      'other',
    );
  });

  it('string: non-empty and matching its pattern', () => {
    expect(errorOf(() => resolve({ name: '' })).field).toBe('name');
    expect(errorOf(() => resolve({ name: 'ABC' })).message).toBe(
      'Invalid name: got the string "ABC" (allowed: 1 to 8 of a-z)',
    );
    expect(errorOf(() => resolveOptions({ s: stringOption({}) }, { s: '' }, { owner: 'X' })).limit).toBe(
      'a non-empty string',
    );
  });

  it('backoff: fills a field left out from the default and names the inner field', () => {
    expect(resolve({ backoff: { maxDelayMs: 200 } }).backoff).toEqual({ baseDelayMs: 100, maxDelayMs: 200 });
    expect(errorOf(() => resolve({ backoff: { baseDelayMs: 10, maxDelayMs: 1 } })).field).toBe(
      'backoff.maxDelayMs',
    );
    expect(errorOf(() => resolve({ backoff: 5 })).message).toBe(
      'Invalid backoff: got 5 (allowed: { baseDelayMs, maxDelayMs })',
    );
  });

  it('custom: its check decides and may normalise', () => {
    expect(resolve({ position: 0 }).position).toEqual(new Date(0));
    expect(errorOf(() => resolve({ position: 'yesterday' })).field).toBe('position');
  });
});

describe('optionDefaults', () => {
  it('holds the default of every defaulted option, frozen', () => {
    const defaults = optionDefaults(specs);
    expect(defaults).toEqual({
      maxThingsPerCall: 500,
      timeoutMs: 30_000,
      reportAfterMs: 0,
      compress: true,
      whenFull: 'wait',
      hotShare: 0.05,
      clock: Date.now,
      backoff: { baseDelayMs: 100, maxDelayMs: 5_000 },
    });
    expect(Object.isFrozen(defaults)).toBe(true);
  });

  it('infers the resolved and default types from the specs', () => {
    const resolved = resolve({});
    expectTypeOf(resolved.maxThingsPerCall).toEqualTypeOf<number>();
    expectTypeOf(resolved.whenFull).toEqualTypeOf<'wait' | 'reject'>();
    expectTypeOf(resolved.onEvent).toEqualTypeOf<((event: string) => void) | undefined>();
    expectTypeOf(resolved.name).toEqualTypeOf<string>();
    expectTypeOf(resolved.position).toEqualTypeOf<Date | undefined>();
    expectTypeOf(optionDefaults(specs)).toHaveProperty('timeoutMs');
    expectTypeOf(optionDefaults(specs)).not.toHaveProperty('name');
  });
});

describe('rejectUnknownOptions and nearestName', () => {
  it('suggests a near name whatever its case, and nothing when none is near', () => {
    expect(nearestName('StreamName', ['streamName', 'streamArn'])).toBe('streamName');
    expect(nearestName('failoverTimeMillis', ['failoverTimeMs', 'workerId'])).toBe('failoverTimeMs');
    expect(nearestName('aggregate', ['aggregation', 'client'])).toBe('aggregation');
    expect(nearestName('xyz', ['streamName'])).toBeUndefined();
  });

  it('accepts the known keys', () => {
    expect(() => rejectUnknownOptions({ a: 1, b: undefined }, ['a', 'b'], 'X')).not.toThrow();
    expect(errorOf(() => rejectUnknownOptions({ a: 1, c: 2 }, ['a', 'b'], 'X')).field).toBe('c');
  });
});
