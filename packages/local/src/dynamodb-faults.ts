import { CoreErrorCode, ValidationError } from '@kinesis-ts/core';
import {
  createDynamoDbError,
  DYNAMODB_FAULT_ERROR_NAMES,
  type DynamoDbFaultErrorName,
  type SocketFaultErrorName,
} from './fault-errors';
import { type CallFaultState, installFaultMiddleware, type MiddlewareClient } from './fault-middleware';
import {
  type CallErrorRule,
  type Counted,
  FaultEngine,
  type FaultInjector,
  type LatencyRule,
  operationName,
  requireCount,
  requireObject,
  requireOperations,
  requireRate,
  requireSeed,
  resolveCallErrorRules,
  resolveLatencyRules,
} from './fault-rules';

/** A conditional DynamoDB write: PutItem, UpdateItem or DeleteItem. */
export type ConditionalWriteOperation = 'PutItem' | 'UpdateItem' | 'DeleteItem';

/**
 * Fail conditional writes (those with a `ConditionExpression` or the legacy `Expected`) with
 * `ConditionalCheckFailedException` before they are sent, so the item is not changed. Writes
 * without a condition are never failed (DynamoDB cannot fail them that way).
 */
export interface ConditionalCheckFailureRule {
  /**
   * The write operations to fail.
   * @defaultValue ['PutItem', 'UpdateItem', 'DeleteItem']
   */
  operations?: readonly ConditionalWriteOperation[];
  /**
   * Only writes to these tables.
   * @defaultValue every table
   */
  tables?: readonly string[];
  /**
   * Probability, from 0 to 1, that a matching conditional write fails.
   * @defaultValue 1
   */
  rate?: number;
  /**
   * Only the first `firstCalls` matching conditional writes can fail.
   * @defaultValue no limit
   */
  firstCalls?: number;
  /**
   * Only writes for which it returns true (given the command input).
   * @defaultValue every write
   */
  predicate?: (input: Record<string, unknown>, operation: ConditionalWriteOperation) => boolean;
}

/** Options of {@link injectDynamoDbFaults}. Unknown options are rejected. */
export interface DynamoDbFaultOptions {
  /**
   * Seed of the random sequence behind every `rate` and `jitterMs`.
   * @defaultValue 1
   */
  seed?: number;
  /**
   * Conditional writes to fail with ConditionalCheckFailedException (checked after `callErrors`).
   * @defaultValue none
   */
  conditionalCheckFailures?: ConditionalCheckFailureRule;
  /**
   * Whole-call errors thrown before the request is sent (e.g. `ThrottlingException` or
   * `ProvisionedThroughputExceededException` on `['UpdateItem']`); the first rule that fires wins.
   * @defaultValue []
   */
  callErrors?: readonly CallErrorRule<DynamoDbFaultErrorName | SocketFaultErrorName>[];
  /**
   * Delays added before calls are sent; the first rule that fires sets the delay.
   * @defaultValue []
   */
  latency?: readonly LatencyRule[];
  /**
   * Place `callErrors` and `latency` inside the SDK's retry loop (see `KinesisFaultOptions`).
   * @defaultValue false
   */
  insideSdkRetries?: boolean;
}

const KNOWN_OPTIONS = [
  'seed',
  'conditionalCheckFailures',
  'callErrors',
  'latency',
  'insideSdkRetries',
] as const;
const CONDITIONAL_WRITES: readonly ConditionalWriteOperation[] = ['PutItem', 'UpdateItem', 'DeleteItem'];

interface ResolvedConditionalRule extends Counted {
  readonly tables: readonly string[] | undefined;
  readonly predicate: ConditionalCheckFailureRule['predicate'];
}

interface DynamoDbFaultState extends CallFaultState {
  conditional: ResolvedConditionalRule | undefined;
}

function resolveConditionalRule(
  rule: ConditionalCheckFailureRule | undefined,
): ResolvedConditionalRule | undefined {
  if (rule === undefined) return undefined;
  const field = 'conditionalCheckFailures';
  requireObject(field, rule, ['operations', 'tables', 'rate', 'firstCalls', 'predicate']);
  const operations = requireOperations(`${field}.operations`, rule.operations) ?? CONDITIONAL_WRITES;
  for (const operation of operations) {
    if (!CONDITIONAL_WRITES.includes(operation as ConditionalWriteOperation)) {
      throw new ValidationError(
        `${field}.operations`,
        CONDITIONAL_WRITES.join(', '),
        `got ${operation}`,
        CoreErrorCode.INVALID_OPTION,
      );
    }
  }
  const tables = rule.tables;
  if (tables !== undefined && (!Array.isArray(tables) || tables.some((table) => typeof table !== 'string'))) {
    throw new ValidationError(
      `${field}.tables`,
      'an array of table names',
      `got ${String(tables)}`,
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
  return {
    operations,
    tables,
    predicate: rule.predicate,
    rate: requireRate(`${field}.rate`, rule.rate),
    firstCalls: requireCount(`${field}.firstCalls`, rule.firstCalls),
    seen: 0,
  };
}

function resolveDynamoDbFaultOptions(
  options: DynamoDbFaultOptions,
): DynamoDbFaultState & { seed: number | undefined } {
  requireObject('options', options, KNOWN_OPTIONS);
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
    conditional: resolveConditionalRule(options.conditionalCheckFailures),
    callErrors: resolveCallErrorRules(
      'callErrors',
      options.callErrors,
      DYNAMODB_FAULT_ERROR_NAMES,
      createDynamoDbError,
    ),
    latency: resolveLatencyRules('latency', options.latency),
    insideSdkRetries: options.insideSdkRetries ?? false,
  };
}

/** Whether a write input carries a condition (`ConditionExpression`, or the legacy `Expected`). */
export function isConditionalWrite(input: Record<string, unknown>): boolean {
  return input.ConditionExpression !== undefined || input.Expected !== undefined;
}

/**
 * Adds fault-injection middleware to a DynamoDB client (any SDK v3 `DynamoDBClient`): conditional
 * writes failed with ConditionalCheckFailedException before they are sent, whole-call errors
 * (throttling, ProvisionedThroughputExceededException, InternalServerError, socket errors) on chosen
 * operations, and latency. Deterministic with a seed.
 *
 * ```ts
 * const faults = injectDynamoDbFaults(client, { conditionalCheckFailures: { firstCalls: 1 } });
 * ```
 * @throws ValidationError (`INVALID_OPTION`) naming an unknown or invalid option.
 */
export function injectDynamoDbFaults(
  client: MiddlewareClient,
  options: DynamoDbFaultOptions = {},
): FaultInjector<DynamoDbFaultOptions> {
  let state = resolveDynamoDbFaultOptions(options);
  const engine = new FaultEngine(state.seed ?? 1);
  const remove = installFaultMiddleware(
    client,
    engine,
    () => state,
    async (operation, args, next) => {
      const rule = state.conditional;
      const input = args.input as Record<string, unknown>;
      if (rule && isConditionalWrite(input)) {
        const table = typeof input.TableName === 'string' ? input.TableName : '';
        const eligible =
          (rule.tables === undefined || rule.tables.includes(table)) &&
          (rule.predicate?.(input, operationName(operation) as ConditionalWriteOperation) ?? true);
        if (eligible && engine.fires(rule, operation)) {
          engine.countConditionalCheckFailure();
          throw createDynamoDbError('ConditionalCheckFailedException');
        }
      }
      return next(args);
    },
  );
  return {
    update(next) {
      const resolved = resolveDynamoDbFaultOptions(next);
      if (resolved.seed !== undefined) engine.reseed(resolved.seed);
      state = resolved;
    },
    remove,
    stats: () => engine.stats(),
    resetStats: () => engine.resetStats(),
  };
}
