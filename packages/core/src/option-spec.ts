import { type BackoffPolicy, validateBackoffPolicy } from './backoff.js';
import { editDistance } from './closest-match.js';
import { CoreErrorCode, ValidationError } from './errors.js';
import { describeValue, integerLimit, validateBooleanOption, validateIntegerOption } from './validation.js';

/**
 * What happens when an option is not given (is `undefined`): its default is used (`defaulted`), it
 * stays `undefined` (`optional`), or the check runs on `undefined` and refuses it (`required`).
 */
export type OptionPresence = 'defaulted' | 'optional' | 'required';

/** The numbers a numeric option accepts, for docs and tests. */
export interface OptionRange {
  readonly min: number;
  readonly max: number;
  /** Whether `Infinity` is accepted (`max` is then `Infinity`). */
  readonly allowInfinity: boolean;
  /** Whether 0 is accepted below `min`, turning the feature off. */
  readonly zeroMeansOff: boolean;
}

/**
 * One option: its default, the values it accepts (in words, and as a range for numbers) and the
 * check that enforces them. Made by {@link integerOption}, {@link booleanOption}, {@link oneOfOption},
 * {@link shareOption}, {@link functionOption}, {@link objectOption}, {@link stringOption},
 * {@link backoffOption} or {@link customOption}; resolved by {@link resolveOptions}.
 */
export interface OptionSpec<T, P extends OptionPresence = OptionPresence> {
  readonly presence: P;
  /** The value used when the option is not given; only for `defaulted` options. */
  readonly default: P extends 'defaulted' ? T : undefined;
  /** The accepted values in words, as errors show them: `an integer from 1 to 500`. */
  readonly limit: string;
  /** The accepted numbers, for numeric options. */
  readonly range?: OptionRange;
  /** The accepted strings, for one-of options. */
  readonly values?: readonly string[];
  /**
   * Checks a value given for the option (never `undefined` unless the option is required) and
   * returns it, normalised where the spec says so.
   * @throws ValidationError (`INVALID_OPTION`) naming `field`.
   */
  check(value: unknown, field: string): T;
}

/** A spec per option name. */
export type OptionSpecs = { readonly [name: string]: OptionSpec<unknown> };

/**
 * The specs an options interface needs: exactly one per key of `O`, each checking the key's type.
 * Declare specs with `satisfies OptionSpecsOf<MyOptions>` so that an option added to the interface
 * without a spec (or the reverse) does not compile.
 */
export type OptionSpecsOf<O> = {
  readonly [K in keyof O]-?: OptionSpec<Exclude<O[K], undefined>>;
};

/** The options after {@link resolveOptions}: defaults applied, optional ones possibly `undefined`. */
export type ResolvedOptions<S> = {
  readonly [K in keyof S]: S[K] extends OptionSpec<infer T, infer P>
    ? 'optional' extends P
      ? T | undefined
      : T
    : never;
};

/** The fixed defaults of a set of specs: one entry per `defaulted` option. */
export type OptionDefaults<S> = {
  readonly [K in keyof S as S[K] extends OptionSpec<unknown, 'defaulted'>
    ? K
    : never]: S[K] extends OptionSpec<infer T, 'defaulted'> ? T : never;
};

/** The settings every builder takes: a default, or `required: true`, or neither (optional). */
interface Presence<T> {
  readonly default?: T;
  readonly required?: true;
}

/**
 * A builder's three forms: with `default` the option resolves to `T`, with `required: true` to `T`
 * (and `undefined` is refused), with neither to `T | undefined`.
 */
export interface OptionBuilder<T, S> {
  (settings: S & { readonly default: T }): OptionSpec<T, 'defaulted'>;
  (settings: S & { readonly required: true }): OptionSpec<T, 'required'>;
  (settings: S): OptionSpec<T, 'optional'>;
}

/** Gives a builder written once for any settings its three typed forms. */
function builder<T, S>(make: (settings: S & Presence<T>) => OptionSpec<T>): OptionBuilder<T, S> {
  return make as unknown as OptionBuilder<T, S>;
}

function spec<T>(
  settings: Presence<T>,
  limit: string,
  check: (value: unknown, field: string) => T,
  extra: { range?: OptionRange; values?: readonly string[] } = {},
): OptionSpec<T> {
  const hasDefault = settings.default !== undefined;
  return {
    presence: hasDefault ? 'defaulted' : settings.required === true ? 'required' : 'optional',
    default: settings.default,
    limit,
    check,
    ...extra,
  };
}

/** The settings of {@link integerOption}. */
export interface IntegerOptionSettings {
  readonly min: number;
  readonly max: number;
  /** Accept `Infinity` (with `max: Infinity`). */
  readonly allowInfinity?: boolean;
  /** Accept 0 besides `min`..`max`: 0 turns the feature off. */
  readonly zeroMeansOff?: boolean;
}

/** An integer from `min` to `max` (a count, a duration in ms, a size in bytes). */
export const integerOption = builder<number, IntegerOptionSettings>((settings) => {
  const { min, max } = settings;
  const allowInfinity = settings.allowInfinity === true && max === Number.POSITIVE_INFINITY;
  const zeroMeansOff = settings.zeroMeansOff === true && min > 0;
  const limit = integerLimit(min, max, { allowInfinity, zeroMeansOff });
  const check = (value: unknown, field: string) =>
    validateIntegerOption(field, value, min, max, { allowInfinity, zeroMeansOff });
  return spec(settings, limit, check, { range: { min, max, allowInfinity, zeroMeansOff } });
});

/** `true` or `false`. */
export const booleanOption = builder<boolean, object>((settings) =>
  spec(settings, 'true or false', (value, field) => validateBooleanOption(field, value)),
);

/** A share: a number from 0 to 1. */
export const shareOption = builder<number, object>((settings) => {
  const limit = 'a number from 0 to 1';
  const check = (value: unknown, field: string) => {
    if (typeof value !== 'number' || !(value >= 0 && value <= 1)) {
      throw new ValidationError(field, limit, `got ${describeValue(value)}`, CoreErrorCode.INVALID_OPTION);
    }
    return value;
  };
  return spec(settings, limit, check, {
    range: { min: 0, max: 1, allowInfinity: false, zeroMeansOff: false },
  });
});

/** One of a few strings: `oneOfOption(['wait', 'reject'] as const, { default: 'wait' })`. */
export function oneOfOption<const V extends string>(
  values: readonly V[],
  settings: { readonly default: NoInfer<V> },
): OptionSpec<V, 'defaulted'>;
export function oneOfOption<const V extends string>(
  values: readonly V[],
  settings: { readonly required: true },
): OptionSpec<V, 'required'>;
export function oneOfOption<const V extends string>(values: readonly V[]): OptionSpec<V, 'optional'>;
export function oneOfOption<const V extends string>(
  values: readonly V[],
  settings: Presence<V> = {},
): OptionSpec<V> {
  const quoted = values.map((value) => `'${value}'`);
  const limit =
    quoted.length < 2 ? quoted.join('') : `${quoted.slice(0, -1).join(', ')} or ${quoted[quoted.length - 1]}`;
  const check = (value: unknown, field: string): V => {
    if (!values.includes(value as V)) {
      throw new ValidationError(field, limit, `got ${describeValue(value)}`, CoreErrorCode.INVALID_OPTION);
    }
    return value as V;
  };
  return spec(settings, limit, check, { values });
}

/** The settings of {@link functionOption} and {@link objectOption}: the accepted values in words. */
export interface DescribedOptionSettings {
  /** @defaultValue 'a function' or 'an object' */
  readonly limit?: string;
}

/** A function (a handler, a clock, a random source): `functionOption<() => number>({ default: Date.now })`. */
export function functionOption<F>(
  settings: DescribedOptionSettings & { readonly default: F },
): OptionSpec<F, 'defaulted'>;
export function functionOption<F>(
  settings: DescribedOptionSettings & { readonly required: true },
): OptionSpec<F, 'required'>;
export function functionOption<F>(settings?: DescribedOptionSettings): OptionSpec<F, 'optional'>;
export function functionOption<F>(settings: DescribedOptionSettings & Presence<F> = {}): OptionSpec<F> {
  const limit = settings.limit ?? 'a function';
  return spec(settings, limit, (value, field): F => {
    if (typeof value !== 'function') {
      throw new ValidationError(field, limit, `got ${describeValue(value)}`, CoreErrorCode.INVALID_OPTION);
    }
    return value as F;
  });
}

/** The settings of {@link objectOption}. */
export interface ObjectOptionSettings extends DescribedOptionSettings {
  /** Further checks of the object (say, that a client has a `send` method): return whether it passes. */
  readonly accepts?: (value: object) => boolean;
}

/**
 * An object passed through as given (a logger, an SDK client): `null`, arrays and other values are
 * refused, and so is an object `accepts` refuses.
 */
export function objectOption<T>(
  settings: ObjectOptionSettings & { readonly default: T },
): OptionSpec<T, 'defaulted'>;
export function objectOption<T>(
  settings: ObjectOptionSettings & { readonly required: true },
): OptionSpec<T, 'required'>;
export function objectOption<T>(settings?: ObjectOptionSettings): OptionSpec<T, 'optional'>;
export function objectOption<T>(settings: ObjectOptionSettings & Presence<T> = {}): OptionSpec<T> {
  const limit = settings.limit ?? 'an object';
  return spec(settings, limit, (value, field): T => {
    if (
      value === null ||
      typeof value !== 'object' ||
      Array.isArray(value) ||
      (settings.accepts !== undefined && !settings.accepts(value))
    ) {
      throw new ValidationError(field, limit, `got ${describeValue(value)}`, CoreErrorCode.INVALID_OPTION);
    }
    return value as T;
  });
}

/** An AWS SDK v3 client (an object with a `send` method), passed through as given. */
export function clientOption<C>(
  settings: DescribedOptionSettings & { readonly required: true },
): OptionSpec<C, 'required'>;
export function clientOption<C>(settings?: DescribedOptionSettings): OptionSpec<C, 'optional'>;
export function clientOption<C>(settings: DescribedOptionSettings & Presence<C> = {}): OptionSpec<C> {
  return objectOption<C>({
    ...settings,
    limit: settings.limit ?? 'an AWS SDK v3 client',
    accepts: (value) => typeof (value as { send?: unknown }).send === 'function',
  } as ObjectOptionSettings);
}

/** The settings of {@link stringOption}. */
export interface StringOptionSettings {
  /** A pattern the whole string must match; without one, any non-empty string. */
  readonly pattern?: RegExp;
  /** The accepted strings in words. @defaultValue 'a non-empty string' */
  readonly limit?: string;
}

/** A non-empty string, matching `pattern` when there is one (a name, an ARN). */
export const stringOption = builder<string, StringOptionSettings>((settings) => {
  const limit = settings.limit ?? 'a non-empty string';
  const check = (value: unknown, field: string) => {
    if (
      typeof value !== 'string' ||
      value.length === 0 ||
      (settings.pattern !== undefined && !settings.pattern.test(value))
    ) {
      throw new ValidationError(field, limit, `got ${describeValue(value)}`, CoreErrorCode.INVALID_OPTION);
    }
    return value;
  };
  return spec(settings, limit, check);
});

/**
 * A backoff policy `{ baseDelayMs, maxDelayMs }`; a field left out takes the default's. Errors name
 * the field inside it (`retryBackoff.maxDelayMs`).
 */
export function backoffOption(settings: {
  readonly default: BackoffPolicy;
}): OptionSpec<BackoffPolicy, 'defaulted'> {
  const limit = '{ baseDelayMs, maxDelayMs }';
  return spec(settings, limit, (value, field) => {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      throw new ValidationError(field, limit, `got ${describeValue(value)}`, CoreErrorCode.INVALID_OPTION);
    }
    return validateBackoffPolicy({ ...settings.default, ...(value as Partial<BackoffPolicy>) }, `${field}.`);
  }) as OptionSpec<BackoffPolicy, 'defaulted'>;
}

/**
 * Any other option: `check` decides (and may normalise), `limit` says in words what it accepts.
 * `customOption('a stream ARN', (value, field): string => …, { required: true })`.
 */
export function customOption<T>(
  limit: string,
  check: (value: unknown, field: string) => T,
  settings: { readonly default: T },
): OptionSpec<T, 'defaulted'>;
export function customOption<T>(
  limit: string,
  check: (value: unknown, field: string) => T,
  settings: { readonly required: true },
): OptionSpec<T, 'required'>;
export function customOption<T>(
  limit: string,
  check: (value: unknown, field: string) => T,
): OptionSpec<T, 'optional'>;
export function customOption<T>(
  limit: string,
  check: (value: unknown, field: string) => T,
  settings: Presence<T> = {},
): OptionSpec<T> {
  return spec(settings, limit, check);
}

/** Who takes the options, for error messages, and how their fields are named. */
export interface ResolveOptionsContext {
  /** The function or class taking the options, as errors name it: `KinesisProducer`, `startLocalStack`. */
  readonly owner: string;
  /** Put before each field name in errors: `retrieval.` for the options inside `retrieval`. */
  readonly fieldPrefix?: string;
  /** Keys accepted besides the specs', which the caller handles itself (a union's `mode`). */
  readonly alsoKnown?: readonly string[];
}

/**
 * Checks an options object against its specs: refuses unknown keys (suggesting the nearest known
 * one), applies the default of each option not given (`undefined`; `null` is a value, and refused by
 * every check that does not accept it), and checks every given value, in the order of the specs.
 * Rules between options are the caller's, after this.
 * @throws ValidationError (`INVALID_OPTION`) naming the first offending option and what it accepts.
 */
export function resolveOptions<S extends OptionSpecs>(
  specs: S,
  options: unknown,
  context: ResolveOptionsContext,
): ResolvedOptions<S> {
  const prefix = context.fieldPrefix ?? '';
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw new ValidationError(
      prefix === '' ? 'options' : prefix.replace(/\.$/, ''),
      `an options object for ${context.owner}`,
      `got ${describeValue(options)}`,
      CoreErrorCode.INVALID_OPTION,
    );
  }
  rejectUnknownOptions(options, [...Object.keys(specs), ...(context.alsoKnown ?? [])], context.owner, prefix);
  const given = options as Record<string, unknown>;
  const resolved: Record<string, unknown> = {};
  for (const [name, option] of Object.entries(specs)) {
    const value = given[name];
    resolved[name] =
      value === undefined && option.presence !== 'required'
        ? option.default
        : option.check(value, prefix + name);
  }
  return resolved as ResolvedOptions<S>;
}

/** The fixed defaults of `specs`, frozen: what a `DEFAULT_…_OPTIONS` constant holds. */
export function optionDefaults<S extends OptionSpecs>(specs: S): OptionDefaults<S> {
  const defaults: Record<string, unknown> = {};
  for (const [name, option] of Object.entries(specs)) {
    if (option.presence === 'defaulted') defaults[name] = option.default;
  }
  return Object.freeze(defaults) as OptionDefaults<S>;
}

/**
 * Refuses a key of `options` that is not in `known` (a typo such as `kinesisPrt` fails loudly instead
 * of being ignored), suggesting the nearest known key when one is close.
 * @throws ValidationError (`INVALID_OPTION`) naming the first unknown key.
 */
export function rejectUnknownOptions(
  options: object,
  known: readonly string[],
  owner: string,
  fieldPrefix = '',
): void {
  for (const key of Object.keys(options)) {
    if (known.includes(key)) continue;
    const nearest = nearestName(key, known);
    throw new ValidationError(
      fieldPrefix + key,
      `a known option of ${owner}`,
      `${owner} has no option named '${key}'${nearest === undefined ? '' : `; did you mean '${nearest}'?`}`,
      CoreErrorCode.INVALID_OPTION,
    );
  }
}

/** The known name closest to `name` (case aside) when it is within a third of its length in edits. */
export function nearestName(name: string, known: readonly string[]): string | undefined {
  const budget = Math.max(2, Math.floor(name.length / 3));
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of known) {
    const distance = editDistance(name.toLowerCase(), candidate.toLowerCase());
    if (distance <= budget && distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}
