import { KinesisTsError } from '@kinesis-ts/core';
import { ProcessingErrorCode } from '../processing/processing-errors.js';

/**
 * The state a tumbling-window invocation would return is larger than Lambda keeps per shard
 * (`maxStateBytes`, 1 MiB): the invocation fails instead of Lambda ending the window early with a
 * partial aggregate. Keep aggregates in the state, not records (or keep large state in a table).
 */
export class WindowStateTooLargeError extends KinesisTsError {
  /** The size of the state, as JSON in UTF-8, in bytes. */
  readonly stateBytes: number;
  /** The limit it passed, in bytes. */
  readonly maxStateBytes: number;
  /** The shard of the invocation, when the event tells it. */
  readonly shardId: string | undefined;

  constructor(stateBytes: number, maxStateBytes: number, shardId: string | undefined) {
    super(
      `The tumbling window state of ${shardId ?? 'the shard'} is ${stateBytes} bytes as JSON, over the ${maxStateBytes} bytes Lambda keeps per shard`,
      { code: ProcessingErrorCode.WINDOW_STATE_TOO_LARGE, retryable: false },
    );
    this.stateBytes = stateBytes;
    this.maxStateBytes = maxStateBytes;
    this.shardId = shardId;
  }
}
