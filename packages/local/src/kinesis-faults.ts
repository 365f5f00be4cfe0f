import type {
  PutRecordsCommandOutput,
  PutRecordsInput,
  PutRecordsRequestEntry,
} from '@aws-sdk/client-kinesis';
import { CoreErrorCode, ValidationError } from '@kinesis-ts/core';
import {
  createKinesisError,
  INJECTED_SUFFIX,
  KINESIS_FAULT_ERROR_NAMES,
  type KinesisFaultErrorName,
  type PutRecordsEntryErrorCode,
  type SocketFaultErrorName,
} from './fault-errors';
import { type CallFaultState, installFaultMiddleware, type MiddlewareClient } from './fault-middleware';
import {
  type CallErrorRule,
  FaultEngine,
  type FaultInjector,
  type LatencyRule,
  requireCount,
  requireObject,
  requireRate,
  requireSeed,
  resolveCallErrorRules,
  resolveLatencyRules,
} from './fault-rules';
import { planPutRecords, splicePutRecordsOutput } from './put-records-splice';

/**
 * Fail PutRecords entries without writing them: the selected entries are taken out of the request
 * before it is sent, and failure entries (ErrorCode, ErrorMessage, no SequenceNumber) are put back
 * into the response at their original indexes, with FailedRecordCount adjusted. When every entry is
 * selected, nothing is sent. An entry is selected when its index is in `indexes`, or `predicate`
 * returns true, or the seeded draw falls under `rate`.
 */
export interface PutRecordsFailureRule {
  /**
   * Probability, from 0 to 1, that each entry fails (drawn per entry from the seeded sequence).
   * @defaultValue 0
   */
  rate?: number;
  /**
   * Indexes (in each PutRecords request) of entries that always fail.
   * @defaultValue []
   */
  indexes?: readonly number[];
  /**
   * Fails the entries for which it returns true. `call` counts the PutRecords calls from 1.
   * @defaultValue none
   */
  predicate?: (entry: PutRecordsRequestEntry, index: number, call: number) => boolean;
  /**
   * The ErrorCode of a failed entry, or a function choosing it per entry.
   * @defaultValue 'ProvisionedThroughputExceededException'
   */
  errorCode?:
    | PutRecordsEntryErrorCode
    | ((entry: PutRecordsRequestEntry, index: number) => PutRecordsEntryErrorCode);
  /**
   * The ErrorMessage of a failed entry (the injector appends " (injected by @kinesis-ts/local)").
   * @defaultValue the service's usual message for the code
   */
  errorMessage?: string;
  /**
   * Only the first `firstCalls` PutRecords calls get failed entries.
   * @defaultValue no limit
   */
  firstCalls?: number;
}

/** Throttle GetRecords: the call fails with ProvisionedThroughputExceededException. */
export interface GetRecordsThrottlingRule {
  /**
   * Probability, from 0 to 1, that a GetRecords call is throttled.
   * @defaultValue 1
   */
  rate?: number;
  /**
   * Only the first `firstCalls` GetRecords calls can be throttled.
   * @defaultValue no limit
   */
  firstCalls?: number;
}

/** Options of {@link injectKinesisFaults}. Unknown options are rejected. */
export interface KinesisFaultOptions {
  /**
   * Seed of the random sequence behind every `rate` and `jitterMs`.
   * @defaultValue 1
   */
  seed?: number;
  /**
   * Failed PutRecords entries (never written).
   * @defaultValue none
   */
  putRecordsFailures?: PutRecordsFailureRule;
  /**
   * Whole-call errors thrown before the request is sent; the first rule that fires wins.
   * @defaultValue []
   */
  callErrors?: readonly CallErrorRule<KinesisFaultErrorName | SocketFaultErrorName | 'InternalFailure'>[];
  /**
   * GetRecords throttling (applied before `callErrors`).
   * @defaultValue none
   */
  getRecordsThrottling?: GetRecordsThrottlingRule;
  /**
   * Delays added before calls are sent; the first rule that fires sets the delay.
   * @defaultValue []
   */
  latency?: readonly LatencyRule[];
  /**
   * Place `callErrors`, `getRecordsThrottling` and `latency` inside the SDK's retry loop: each
   * attempt is a call, and injected errors are retried by the client's retry strategy (with
   * `maxAttempts: 3`, a rule with `firstCalls: 2` is then invisible to the caller). By default they
   * sit above the retries and reach the caller as they are. PutRecords entry failures are always
   * decided once per call.
   * @defaultValue false
   */
  insideSdkRetries?: boolean;
}

const KNOWN_OPTIONS = [
  'seed',
  'putRecordsFailures',
  'callErrors',
  'getRecordsThrottling',
  'latency',
  'insideSdkRetries',
] as const;
const ENTRY_CODES: readonly PutRecordsEntryErrorCode[] = [
  'ProvisionedThroughputExceededException',
  'InternalFailure',
];

interface ResolvedPutRecordsRule {
  rate: number;
  indexes: ReadonlySet<number>;
  predicate: PutRecordsFailureRule['predicate'];
  errorCode: NonNullable<PutRecordsFailureRule['errorCode']>;
  errorMessage: string | undefined;
  firstCalls: number | undefined;
  calls: number;
}

interface KinesisFaultState extends CallFaultState {
  putRecords: ResolvedPutRecordsRule | undefined;
}

function resolvePutRecordsRule(rule: PutRecordsFailureRule | undefined): ResolvedPutRecordsRule | undefined {
  if (rule === undefined) return undefined;
  const field = 'putRecordsFailures';
  requireObject(field, rule, ['rate', 'indexes', 'predicate', 'errorCode', 'errorMessage', 'firstCalls']);
  const indexes = rule.indexes ?? [];
  if (!Array.isArray(indexes) || indexes.some((index) => !Number.isInteger(index) || index < 0)) {
    throw new ValidationError(
      `${field}.indexes`,
      'an array of integers >= 0',
      `got ${String(indexes)}`,
      CoreErrorCode.INVALID_OPTION,
    );
  }
  if (rule.predicate !== undefined && typeof rule.predicate !== 'function') {
    throw new ValidationError(
      `${field}.predicate`,
      'a function',
      `got ${String(rule.predicate)}`,
      CoreErrorCode.INVALID_OPTION,
    );
  }
  const errorCode = rule.errorCode ?? 'ProvisionedThroughputExceededException';
  if (typeof errorCode !== 'function' && !ENTRY_CODES.includes(errorCode)) {
    throw new ValidationError(
      `${field}.errorCode`,
      `a function or ${ENTRY_CODES.join(' or ')}`,
      `got ${String(errorCode)}`,
      CoreErrorCode.INVALID_OPTION,
    );
  }
  if (rule.errorMessage !== undefined && typeof rule.errorMessage !== 'string') {
    throw new ValidationError(
      `${field}.errorMessage`,
      'a string',
      `got ${String(rule.errorMessage)}`,
      CoreErrorCode.INVALID_OPTION,
    );
  }
  return {
    rate: rule.rate === undefined ? 0 : requireRate(`${field}.rate`, rule.rate),
    indexes: new Set(indexes),
    predicate: rule.predicate,
    errorCode,
    errorMessage: rule.errorMessage,
    firstCalls: requireCount(`${field}.firstCalls`, rule.firstCalls),
    calls: 0,
  };
}

function resolveKinesisFaultOptions(
  options: KinesisFaultOptions,
): KinesisFaultState & { seed: number | undefined } {
  requireObject('options', options, KNOWN_OPTIONS);
  const throttling = options.getRecordsThrottling;
  if (throttling !== undefined) requireObject('getRecordsThrottling', throttling, ['rate', 'firstCalls']);
  const throttlingRules: CallErrorRule<KinesisFaultErrorName>[] = throttling
    ? [
        {
          operations: ['GetRecords'],
          error: 'ProvisionedThroughputExceededException',
          rate: requireRate('getRecordsThrottling.rate', throttling.rate),
          firstCalls: requireCount('getRecordsThrottling.firstCalls', throttling.firstCalls),
        },
      ]
    : [];
  if (options.insideSdkRetries !== undefined && typeof options.insideSdkRetries !== 'boolean') {
    throw new ValidationError(
      'insideSdkRetries',
      'a boolean',
      `got ${String(options.insideSdkRetries)}`,
      CoreErrorCode.INVALID_OPTION,
    );
  }
  return {
    seed: requireSeed('seed', options.seed),
    putRecords: resolvePutRecordsRule(options.putRecordsFailures),
    callErrors: [
      ...resolveCallErrorRules(
        'getRecordsThrottling',
        throttlingRules,
        KINESIS_FAULT_ERROR_NAMES,
        createKinesisError,
      ),
      ...resolveCallErrorRules(
        'callErrors',
        options.callErrors,
        // `InternalFailure` (the per-entry code) is accepted for `InternalFailureException`.
        [...KINESIS_FAULT_ERROR_NAMES, 'InternalFailure' as const],
        createKinesisError,
      ),
    ],
    latency: resolveLatencyRules('latency', options.latency),
    insideSdkRetries: options.insideSdkRetries ?? false,
  };
}

function entryMessage(
  code: PutRecordsEntryErrorCode,
  input: PutRecordsInput,
  custom: string | undefined,
): string {
  if (custom !== undefined) return custom + INJECTED_SUFFIX;
  if (code === 'InternalFailure') return `Internal service failure.${INJECTED_SUFFIX}`;
  const stream = input.StreamName ?? input.StreamARN ?? 'unknown';
  return `Rate exceeded for shard in stream ${stream} under account 000000000000.${INJECTED_SUFFIX}`;
}

/**
 * Adds fault-injection middleware to a Kinesis client (any SDK v3 `KinesisClient`, local or not):
 * failed PutRecords entries that are never written, whole-call errors thrown before sending
 * (service errors shaped exactly as the SDK's, socket errors), latency and GetRecords throttling.
 * Deterministic: the same seed and the same calls give the same faults. Returns a handle to change
 * the rules, read what was injected, and remove the middleware.
 *
 * ```ts
 * const faults = injectKinesisFaults(client, { seed: 7, putRecordsFailures: { rate: 0.3 } });
 * ```
 * @throws ValidationError (`INVALID_OPTION`) naming an unknown or invalid option.
 */
export function injectKinesisFaults(
  client: MiddlewareClient,
  options: KinesisFaultOptions = {},
): FaultInjector<KinesisFaultOptions> {
  let state = resolveKinesisFaultOptions(options);
  const engine = new FaultEngine(state.seed ?? 1);
  const remove = installFaultMiddleware(
    client,
    engine,
    () => state,
    async (operation, args, next) => {
      const rule = state.putRecords;
      if (operation !== 'PutRecords' || rule === undefined) return next(args);
      rule.calls += 1;
      if (rule.firstCalls !== undefined && rule.calls > rule.firstCalls) return next(args);
      const input = args.input as PutRecordsInput;
      const entries = input.Records ?? [];
      const call = rule.calls;
      const plan = planPutRecords(entries, (entry, index) => {
        const selected =
          rule.indexes.has(index) ||
          (rule.predicate?.(entry, index, call) ?? false) ||
          engine.chance(rule.rate);
        if (!selected) return undefined;
        const code = typeof rule.errorCode === 'function' ? rule.errorCode(entry, index) : rule.errorCode;
        return { ErrorCode: code, ErrorMessage: entryMessage(code, input, rule.errorMessage) };
      });
      if (plan.failures.size === 0) return next(args);
      const unsent = plan.sentIndexes.length === 0;
      engine.countFailedEntries(
        [...plan.failures.values()].map((failure) => failure.ErrorCode),
        unsent,
      );
      if (unsent) {
        const output = splicePutRecordsOutput<PutRecordsCommandOutput>(plan, undefined);
        output.$metadata = { httpStatusCode: 200, attempts: 1, totalRetryDelay: 0 };
        return { output, response: {} };
      }
      const sentInput: PutRecordsInput = {
        ...input,
        Records: plan.sentIndexes.map((index) => entries[index]!),
      };
      const result = await next({ ...args, input: sentInput });
      return { ...result, output: splicePutRecordsOutput(plan, result.output as PutRecordsCommandOutput) };
    },
  );
  return {
    update(next) {
      const resolved = resolveKinesisFaultOptions(next);
      if (resolved.seed !== undefined) engine.reseed(resolved.seed);
      state = resolved;
    },
    remove,
    stats: () => engine.stats(),
    resetStats: () => engine.resetStats(),
  };
}
