import { KinesisTsError } from '@kinesis-ts/core';

/**
 * The stable codes of {@link LocalStackError}; each is listed in `docs/errors.md` and `docs/local.md`
 * under "Error codes".
 */
export const LocalStackErrorCode = {
  /** A fixed port given in the options is already taken by another process. */
  PORT_IN_USE: 'LOCAL_STACK_PORT_IN_USE',
  /** The kinesis-local emulator (`main.js`) could not be found or read. */
  EMULATOR_NOT_FOUND: 'LOCAL_STACK_EMULATOR_NOT_FOUND',
  /** The emulator process exited (or could not be spawned) before it answered. */
  EMULATOR_EXITED: 'LOCAL_STACK_EMULATOR_EXITED',
  /** A service did not answer within `startTimeoutMs`. */
  START_TIMEOUT: 'LOCAL_STACK_START_TIMEOUT',
  /** The in-process DynamoDB server (dynalite) failed to listen or to answer. */
  DYNAMODB_FAILED: 'LOCAL_STACK_DYNAMODB_FAILED',
  /** A stream did not reach the expected status (ACTIVE, or deleted) in time. */
  STREAM_TIMEOUT: 'LOCAL_STACK_STREAM_TIMEOUT',
  /** `useLocalStack()` ran in a test run whose global setup did not start a local stack. */
  NOT_PROVIDED: 'LOCAL_STACK_NOT_PROVIDED',
  /** A front control request (`closeKinesisSessions`, `kinesisFrontStats`) reached no kinesis-ts-local front. */
  NO_FRONT: 'LOCAL_STACK_NO_FRONT',
} as const;

/** One of the codes in {@link LocalStackErrorCode}. */
export type LocalStackErrorCode = (typeof LocalStackErrorCode)[keyof typeof LocalStackErrorCode];

/**
 * The codes of {@link LocalStackErrorCode} under their former camelCase keys, kept for programs that
 * use them. @deprecated Use {@link LocalStackErrorCode} (`LocalStackErrorCode.PORT_IN_USE`…).
 */
export const LOCAL_STACK_ERROR_CODES = {
  portInUse: LocalStackErrorCode.PORT_IN_USE,
  emulatorNotFound: LocalStackErrorCode.EMULATOR_NOT_FOUND,
  emulatorExited: LocalStackErrorCode.EMULATOR_EXITED,
  startTimeout: LocalStackErrorCode.START_TIMEOUT,
  dynamoDbFailed: LocalStackErrorCode.DYNAMODB_FAILED,
  streamTimeout: LocalStackErrorCode.STREAM_TIMEOUT,
  notProvided: LocalStackErrorCode.NOT_PROVIDED,
  noFront: LocalStackErrorCode.NO_FRONT,
} as const;

/** Which part of the local stack failed. */
export type LocalStackComponent = 'kinesis' | 'dynamodb' | 'stack';

/**
 * Starting, using or stopping the local stack failed. The message names what failed; `component`
 * says which service, and `output` holds the last lines the Kinesis emulator printed (empty when
 * the failure is not the emulator's), so a failed start can be diagnosed from the error alone.
 */
export class LocalStackError extends KinesisTsError {
  /** The service that failed: the Kinesis emulator, the DynamoDB server, or the stack as a whole. */
  readonly component: LocalStackComponent;
  /** The last lines the Kinesis emulator wrote to stdout/stderr, oldest first. */
  readonly output: readonly string[];

  constructor(
    message: string,
    options: {
      code: LocalStackErrorCode;
      component: LocalStackComponent;
      output?: readonly string[];
      retryable?: boolean;
      cause?: unknown;
    },
  ) {
    const output = options.output ?? [];
    const withOutput =
      output.length > 0 ? `${message}\n--- last emulator output ---\n${output.join('\n')}` : message;
    super(withOutput, { code: options.code, retryable: options.retryable ?? false, cause: options.cause });
    this.component = options.component;
    this.output = output;
  }

  /** Whether `value` is a `LocalStackError` from any copy of the package (`instanceof` fails across copies). */
  static override isInstance(value: unknown): value is LocalStackError {
    return KinesisTsError.hasCode(value, ...Object.values(LocalStackErrorCode));
  }
}
