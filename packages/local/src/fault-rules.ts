import { CoreErrorCode, describeValue, ValidationError } from '@kinesis-ts/core';
import { rejectUnknownOptions } from './options';
import { mulberry32, type RandomSource } from './prng';

/**
 * Throw an error instead of sending a call. The error is raised before the request leaves the
 * client, so the call has no effect on the service.
 */
export interface CallErrorRule<TName extends string> {
  /**
   * Operation names the rule applies to, e.g. `['PutRecords', 'GetRecords']` (a `Command` suffix is
   * ignored).
   * @defaultValue every operation
   */
  operations?: readonly string[];
  /** The error: a name (see the injector's list) or a function that returns the error to throw. */
  error: TName | ((operation: string, input: unknown) => Error);
  /**
   * Probability, from 0 to 1, that a matching call fails.
   * @defaultValue 1
   */
  rate?: number;
  /**
   * Only the first `firstCalls` matching calls (counted from `inject…Faults()` or `update()`) are
   * candidates; later calls pass.
   * @defaultValue no limit
   */
  firstCalls?: number;
  /**
   * The error message (the injector appends " (injected by @kinesis-ts/local)").
   * @defaultValue the service's usual message for that error
   */
  message?: string;
}

/** Delay calls before they are sent. */
export interface LatencyRule {
  /**
   * Operation names the rule applies to.
   * @defaultValue every operation
   */
  operations?: readonly string[];
  /** Delay added to each matching call, in milliseconds. */
  delayMs: number;
  /**
   * Extra random delay, uniform in [0, jitterMs), in milliseconds.
   * @defaultValue 0
   */
  jitterMs?: number;
  /**
   * Probability, from 0 to 1, that a matching call is delayed.
   * @defaultValue 1
   */
  rate?: number;
  /**
   * Only the first `firstCalls` matching calls are delayed.
   * @defaultValue no limit
   */
  firstCalls?: number;
}

/** What an injector has done since it was installed (or since `resetStats()`). */
export interface FaultStats {
  /** Calls the injector saw (attempts, for the errors and delays placed inside the SDK's retries). */
  calls: number;
  /** Whole calls failed with an injected error (conditional check failures included). */
  callErrors: number;
  /** PutRecords entries failed without being written. */
  failedEntries: number;
  /** PutRecords calls not sent at all because every entry was failed. */
  unsentCalls: number;
  /** DynamoDB writes failed with an injected ConditionalCheckFailedException. */
  conditionalCheckFailures: number;
  /** Calls delayed by a latency rule. */
  delayedCalls: number;
  /** Total injected delay, in milliseconds. */
  totalDelayMs: number;
  /** Injections by error name (whole calls; socket errors by `code`) or entry error code (PutRecords entries). */
  byError: Record<string, number>;
  /** Calls seen, by operation name. */
  byOperation: Record<string, number>;
}

/** The handle returned by `injectKinesisFaults` / `injectDynamoDbFaults`. */
export interface FaultInjector<TOptions> {
  /**
   * Replaces the fault rules (the `firstCalls` counts start again). The random sequence goes on
   * unless `seed` is given. Statistics are kept.
   */
  update(options: TOptions): void;
  /** Removes the middleware from the client: calls are no longer touched. */
  remove(): void;
  /** A snapshot of what was injected so far. */
  stats(): FaultStats;
  /** Sets every statistic back to zero. */
  resetStats(): void;
}

/** `context.commandName` (`PutRecordsCommand`) or a user's operation name to the operation name. */
export function operationName(name: string): string {
  return name.endsWith('Command') ? name.slice(0, -'Command'.length) : name;
}

export function emptyStats(): FaultStats {
  return {
    calls: 0,
    callErrors: 0,
    failedEntries: 0,
    unsentCalls: 0,
    conditionalCheckFailures: 0,
    delayedCalls: 0,
    totalDelayMs: 0,
    byError: {},
    byOperation: {},
  };
}

/** A rule with its own count of matching calls. */
export interface Counted {
  readonly operations: readonly string[] | undefined;
  readonly rate: number;
  readonly firstCalls: number | undefined;
  seen: number;
}

export function requireRate(field: string, value: unknown): number {
  if (value === undefined) return 1;
  if (typeof value !== 'number' || !(value >= 0 && value <= 1)) {
    throw new ValidationError(
      field,
      'a number from 0 to 1',
      `got ${describeValue(value)}`,
      CoreErrorCode.INVALID_OPTION,
    );
  }
  return value;
}

export function requireCount(field: string, value: unknown): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
    throw new ValidationError(
      field,
      'an integer >= 0',
      `got ${describeValue(value)}`,
      CoreErrorCode.INVALID_OPTION,
    );
  }
  return value;
}

export function requireMs(field: string, value: unknown, optional: boolean): number {
  if (value === undefined && optional) return 0;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new ValidationError(
      field,
      'a number of milliseconds >= 0',
      `got ${describeValue(value)}`,
      CoreErrorCode.INVALID_OPTION,
    );
  }
  return value;
}

export function requireOperations(field: string, value: unknown): readonly string[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || value.some((name) => typeof name !== 'string' || name.length === 0)) {
    throw new ValidationError(
      field,
      'an array of operation names such as PutRecords',
      `got ${describeValue(value)}`,
      CoreErrorCode.INVALID_OPTION,
    );
  }
  return value.map(operationName);
}

export function requireArray<T>(field: string, value: unknown): readonly T[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) {
    throw new ValidationError(field, 'an array', `got ${describeValue(value)}`, CoreErrorCode.INVALID_OPTION);
  }
  return value;
}

export function requireObject(field: string, value: unknown, known: readonly string[]): void {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ValidationError(
      field,
      'an object',
      `got ${describeValue(value)}`,
      CoreErrorCode.INVALID_OPTION,
    );
  }
  rejectUnknownOptions(value, known, field);
}

/** A validated {@link CallErrorRule}. */
export interface ResolvedCallErrorRule extends Counted {
  readonly create: (operation: string, input: unknown) => Error;
  readonly name: string;
}

/** Validates `callErrors` against the error names an injector knows and builds their factories. */
export function resolveCallErrorRules<TName extends string>(
  field: string,
  rules: unknown,
  knownNames: readonly TName[],
  createError: (name: TName, message: string | undefined) => Error,
): ResolvedCallErrorRule[] {
  return requireArray<CallErrorRule<TName>>(field, rules).map((rule, index) => {
    const at = `${field}[${index}]`;
    requireObject(at, rule, ['operations', 'error', 'rate', 'firstCalls', 'message']);
    const { error, message } = rule;
    if (typeof error !== 'function' && !knownNames.includes(error)) {
      throw new ValidationError(
        `${at}.error`,
        `a function or one of ${knownNames.join(', ')}`,
        `got ${String(error)}`,
        CoreErrorCode.INVALID_OPTION,
      );
    }
    if (message !== undefined && typeof message !== 'string') {
      throw new ValidationError(
        `${at}.message`,
        'a string',
        `got ${String(message)}`,
        CoreErrorCode.INVALID_OPTION,
      );
    }
    return {
      operations: requireOperations(`${at}.operations`, rule.operations),
      rate: requireRate(`${at}.rate`, rule.rate),
      firstCalls: requireCount(`${at}.firstCalls`, rule.firstCalls),
      seen: 0,
      name: typeof error === 'function' ? 'custom' : error,
      create: typeof error === 'function' ? error : () => createError(error, message),
    };
  });
}

/** A validated {@link LatencyRule}. */
export interface ResolvedLatencyRule extends Counted {
  readonly delayMs: number;
  readonly jitterMs: number;
}

export function resolveLatencyRules(field: string, rules: unknown): ResolvedLatencyRule[] {
  return requireArray<LatencyRule>(field, rules).map((rule, index) => {
    const at = `${field}[${index}]`;
    requireObject(at, rule, ['operations', 'delayMs', 'jitterMs', 'rate', 'firstCalls']);
    return {
      operations: requireOperations(`${at}.operations`, rule.operations),
      rate: requireRate(`${at}.rate`, rule.rate),
      firstCalls: requireCount(`${at}.firstCalls`, rule.firstCalls),
      seen: 0,
      delayMs: requireMs(`${at}.delayMs`, rule.delayMs, false),
      jitterMs: requireMs(`${at}.jitterMs`, rule.jitterMs, true),
    };
  });
}

export function requireSeed(field: string, value: unknown): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    throw new ValidationError(
      field,
      'an integer',
      `got ${describeValue(value)}`,
      CoreErrorCode.INVALID_OPTION,
    );
  }
  return value;
}

/**
 * The seeded decisions and the statistics of one injector. Every random draw comes from one
 * mulberry32 sequence, so the same seed and the same sequence of calls inject the same faults.
 */
export class FaultEngine {
  #random: RandomSource;
  #stats: FaultStats = emptyStats();

  constructor(seed: number) {
    this.#random = mulberry32(seed);
  }

  reseed(seed: number): void {
    this.#random = mulberry32(seed);
  }

  /** A uniform number in [0, 1) from the seeded sequence. */
  random(): number {
    return this.#random();
  }

  /** True with probability `rate`; draws a number only when 0 < rate < 1. */
  chance(rate: number): boolean {
    if (rate >= 1) return true;
    if (rate <= 0) return false;
    return this.#random() < rate;
  }

  /** Whether `rule` fires for a call of `operation`: counts the call if the operation matches. */
  fires(rule: Counted, operation: string): boolean {
    if (rule.operations && !rule.operations.includes(operation)) return false;
    rule.seen += 1;
    if (rule.firstCalls !== undefined && rule.seen > rule.firstCalls) return false;
    return this.chance(rule.rate);
  }

  /** The delay the latency rules add to a call (the first rule that fires), in milliseconds. */
  delayFor(rules: readonly ResolvedLatencyRule[], operation: string): number {
    for (const rule of rules) {
      if (this.fires(rule, operation))
        return rule.delayMs + (rule.jitterMs > 0 ? this.random() * rule.jitterMs : 0);
    }
    return 0;
  }

  /** The error the first firing rule creates for a call, if any. */
  errorFor(rules: readonly ResolvedCallErrorRule[], operation: string, input: unknown): Error | undefined {
    for (const rule of rules) {
      if (this.fires(rule, operation)) return rule.create(operation, input);
    }
    return undefined;
  }

  /** Applies latency then call errors to one call (the errors are counted in the statistics). */
  async beforeSend(
    latency: readonly ResolvedLatencyRule[],
    callErrors: readonly ResolvedCallErrorRule[],
    operation: string,
    input: unknown,
  ): Promise<void> {
    const delayMs = this.delayFor(latency, operation);
    if (delayMs > 0) {
      this.#stats.delayedCalls += 1;
      this.#stats.totalDelayMs += delayMs;
      await new Promise((resolve) => setTimeout(resolve, delayMs));
    }
    const error = this.errorFor(callErrors, operation, input);
    if (error) {
      const code = (error as { code?: unknown }).code;
      this.countCallError(typeof code === 'string' ? code : error.name);
      throw error;
    }
  }

  countCall(operation: string): void {
    this.#stats.calls += 1;
    this.#stats.byOperation[operation] = (this.#stats.byOperation[operation] ?? 0) + 1;
  }

  countCallError(name: string): void {
    this.#stats.callErrors += 1;
    this.#count(name);
  }

  countFailedEntries(codes: readonly string[], unsent: boolean): void {
    this.#stats.failedEntries += codes.length;
    if (unsent) this.#stats.unsentCalls += 1;
    for (const code of codes) this.#count(code);
  }

  countConditionalCheckFailure(): void {
    this.#stats.conditionalCheckFailures += 1;
    this.countCallError('ConditionalCheckFailedException');
  }

  stats(): FaultStats {
    return {
      ...this.#stats,
      byError: { ...this.#stats.byError },
      byOperation: { ...this.#stats.byOperation },
    };
  }

  resetStats(): void {
    this.#stats = emptyStats();
  }

  #count(name: string): void {
    this.#stats.byError[name] = (this.#stats.byError[name] ?? 0) + 1;
  }
}
