import type { LambdaKinesisEvent } from '@kinesis-ts/core';
import type { KinesisBatchResponse } from './lambda-handler.js';

/** The state Lambda carries between the invocations of one tumbling window: any JSON object. */
export type WindowState = { readonly [key: string]: unknown };

/** The time window of a tumbling-window invocation, as Lambda sends it (ISO 8601 strings). */
export interface LambdaKinesisWindow {
  /** `2020-12-09T07:04:00Z`: the window's start, included. */
  readonly start: string;
  /** `2020-12-09T07:06:00Z`: the window's end, excluded. */
  readonly end: string;
}

/**
 * An AWS Lambda Kinesis event when the event source mapping has `TumblingWindowInSeconds`: the
 * records, plus the window, the state returned by the previous invocation of the window (`{}` at its
 * start) and whether this is the window's last invocation.
 */
export interface LambdaKinesisWindowEvent<S extends WindowState = WindowState> extends LambdaKinesisEvent {
  readonly window: LambdaKinesisWindow;
  /** The state the previous invocation of this window returned; `{}` (or absent) at the window's start. */
  readonly state?: S | Record<string, never>;
  readonly shardId?: string;
  readonly eventSourceARN?: string;
  /** True on the window's last invocation: the state is final (the batch is often empty). */
  readonly isFinalInvokeForWindow?: boolean;
  /**
   * True when Lambda ended the window before its time (the state passed 1 MB): this final invocation
   * holds a partial aggregate, and the window goes on with a fresh state.
   */
  readonly isWindowTerminatedEarly?: boolean;
}

/** The response of a tumbling-window invocation: Lambda counts an invocation without `state` as failed. */
export interface KinesisWindowResponse<S extends WindowState = WindowState> extends KinesisBatchResponse {
  readonly state: S;
}
