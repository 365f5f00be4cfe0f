import {
  CoreErrorCode,
  type LambdaDeaggregatedRecord,
  ValidationError,
  validateIntegerOption,
} from '@kinesis-ts/core';
import {
  kinesisLambdaHandler,
  type LambdaProcessingContext,
  type LambdaRecordHandlerOptions,
} from './lambda-handler.js';
import { WindowStateTooLargeError } from './window-errors.js';
import type { KinesisWindowResponse, LambdaKinesisWindowEvent, WindowState } from './window-event.js';

/** The window of an invocation, as dates. */
export interface WindowBounds {
  /** Included. */
  readonly start: Date;
  /** Excluded. */
  readonly end: Date;
}

/** The second argument of `reduce` in {@link kinesisWindowHandler}. */
export interface WindowProcessingContext<L> extends LambdaProcessingContext<L> {
  readonly window: WindowBounds;
  /** True on the window's last invocation (its records are reduced before `onWindowEnd` runs). */
  readonly isFinalInvokeForWindow: boolean;
}

/** The second argument of `onWindowEnd` in {@link kinesisWindowHandler}. */
export interface WindowEndContext<L> {
  readonly window: WindowBounds;
  readonly shardId?: string;
  readonly eventSourceArn?: string;
  readonly lambdaContext: L;
  /**
   * True when Lambda ended the window before its end (the state passed its size limit): the state
   * is a partial aggregate, and the window goes on with a fresh state in the next invocation.
   */
  readonly terminatedEarly: boolean;
}

/** The options of {@link kinesisWindowHandler}. */
export interface WindowHandlerOptions<S extends WindowState, L>
  extends Omit<LambdaRecordHandlerOptions<L>, 'processRecord' | 'concurrency' | 'keyOf'> {
  /** The state at the start of a window (when Lambda sends `{}` or no state). */
  readonly initialState: () => S;
  /**
   * Folds one user record into the state, in shard order, and returns the new state. Return a new
   * object rather than changing the one given: after a failure the handler returns the state as it
   * was before the failed Kinesis record, which a changed object no longer is. Throwing marks the
   * record failed, as `processRecord` does.
   */
  readonly reduce: (
    state: S,
    record: LambdaDeaggregatedRecord,
    context: WindowProcessingContext<L>,
  ) => S | Promise<S>;
  /**
   * Runs once per window, on its final invocation, with the final state, after its records are
   * reduced and only if none failed. Throwing fails the invocation: Lambda retries it and holds the
   * shard until it succeeds, so make it idempotent.
   */
  readonly onWindowEnd?: (state: S, context: WindowEndContext<L>) => unknown;
  /**
   * The largest state returned to Lambda, in bytes of UTF-8 JSON, from 1 to 1 048 576 (Lambda keeps
   * 1 MB per shard). A larger one fails the invocation with a `WindowStateTooLargeError`.
   * @defaultValue 1048576
   */
  readonly maxStateBytes?: number;
}

/** The defaults of the {@link kinesisWindowHandler} options (besides those of `kinesisLambdaHandler`). */
export const DEFAULT_WINDOW_HANDLER_OPTIONS = {
  maxStateBytes: 1_048_576,
} as const;

/**
 * Makes an AWS Lambda handler for a Kinesis event source with tumbling windows
 * (`TumblingWindowInSeconds`): it folds the user records of each invocation (KPL aggregates split)
 * into the window's state with `reduce`, returns `{ state, batchItemFailures }` on every invocation
 * (Lambda counts a response without `state` as failed), and on the window's final invocation hands
 * the state to `onWindowEnd`.
 *
 * On a failure it returns, with the sequence number to retry from, the state as it was **before**
 * that Kinesis record, so that the retried records are not counted twice. The state is checked
 * against `maxStateBytes` before it is returned. The other options are those of
 * `kinesisLambdaHandler` (`maxAttempts`, `backoff`, `onPoisonRecord`, `timeoutMarginMs`): records run
 * one at a time, in order.
 */
export function kinesisWindowHandler<S extends WindowState, L = unknown>(
  options: WindowHandlerOptions<S, L>,
): (event: LambdaKinesisWindowEvent<S>, lambdaContext: L) => Promise<KinesisWindowResponse<S>> {
  const { initialState, reduce, onWindowEnd, maxStateBytes: maxStateOption, ...common } = options;
  for (const [field, value] of [
    ['initialState', initialState],
    ['reduce', reduce],
  ] as const) {
    if (typeof value !== 'function')
      throw new ValidationError(
        field,
        'a function',
        `kinesisWindowHandler needs ${field}`,
        CoreErrorCode.INVALID_OPTION,
      );
  }
  if (onWindowEnd !== undefined && typeof onWindowEnd !== 'function')
    throw new ValidationError(
      'onWindowEnd',
      'a function',
      'onWindowEnd is not a function',
      CoreErrorCode.INVALID_OPTION,
    );
  const maxStateBytes = validateIntegerOption(
    'maxStateBytes',
    maxStateOption ?? DEFAULT_WINDOW_HANDLER_OPTIONS.maxStateBytes,
    1,
    DEFAULT_WINDOW_HANDLER_OPTIONS.maxStateBytes,
  );
  kinesisLambdaHandler({ ...common, processRecord: () => {} }); // validates the common options now

  return async (event, lambdaContext) => {
    const window = windowOf(event);
    const isFinalInvokeForWindow = event.isFinalInvokeForWindow === true;
    let state: S = isEmptyState(event.state) ? initialState() : (event.state as S);
    /** The state before the first user record of each Kinesis record reduced so far. */
    const stateBefore = new Map<string, S>();
    const handler = kinesisLambdaHandler<L>({
      ...common,
      processRecord: async (record, context) => {
        if (!stateBefore.has(record.sequenceNumber)) stateBefore.set(record.sequenceNumber, state);
        state = await reduce(state, record, { ...context, window, isFinalInvokeForWindow });
      },
    });
    const { batchItemFailures } = await handler(event, lambdaContext);
    const failed = batchItemFailures[0];
    if (failed !== undefined) {
      // Lambda retries from that Kinesis record: return the state without any of its user records
      const returned = stateBefore.get(failed.itemIdentifier) ?? state;
      checkStateSize(returned, maxStateBytes, event.shardId);
      return { state: returned, batchItemFailures };
    }
    if (isFinalInvokeForWindow) {
      await onWindowEnd?.(state, {
        window,
        shardId: event.shardId,
        eventSourceArn: event.eventSourceARN,
        lambdaContext,
        terminatedEarly: event.isWindowTerminatedEarly === true,
      });
      // Lambda drops the state after a final invocation that succeeds: no size check, which would
      // only block the shard
      return { state, batchItemFailures };
    }
    checkStateSize(state, maxStateBytes, event.shardId);
    return { state, batchItemFailures };
  };
}

/** The size of `state` as Lambda stores it (UTF-8 JSON), in bytes. */
export function windowStateBytes(state: WindowState): number {
  return Buffer.byteLength(JSON.stringify(state) ?? '', 'utf8');
}

function checkStateSize(state: WindowState, maxStateBytes: number, shardId: string | undefined): void {
  const bytes = windowStateBytes(state);
  if (bytes > maxStateBytes) throw new WindowStateTooLargeError(bytes, maxStateBytes, shardId);
}

function isEmptyState(state: unknown): boolean {
  return (
    state === undefined || state === null || (typeof state === 'object' && Object.keys(state).length === 0)
  );
}

function windowOf(event: LambdaKinesisWindowEvent<WindowState>): WindowBounds {
  const start = new Date(event.window?.start ?? Number.NaN);
  const end = new Date(event.window?.end ?? Number.NaN);
  if (Number.isNaN(start.getTime()) || Number.isNaN(end.getTime())) {
    throw new ValidationError(
      'window',
      '{ start, end } as ISO 8601 dates',
      'the event has no tumbling window: set TumblingWindowInSeconds on the event source mapping, or use kinesisLambdaHandler',
      CoreErrorCode.INVALID_RECORD,
    );
  }
  return { start, end };
}
