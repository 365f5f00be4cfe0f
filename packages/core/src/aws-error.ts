/** How a failed AWS call should be handled. */
export type AwsErrorKind =
  /** The service is rate-limiting the caller: retry after a backoff. */
  | 'throttling'
  /** A passing fault (5xx, network, timeout): retry after a backoff. */
  | 'transient'
  /** Retrying cannot help (missing resource, no permission, invalid request): fail at once. */
  | 'fatal';

const THROTTLING = new Set([
  'ProvisionedThroughputExceededException',
  'LimitExceededException',
  'KMSThrottlingException',
  'ThrottlingException',
  'Throttling',
  'ThrottledException',
  'RequestLimitExceeded',
  'RequestThrottled',
  'RequestThrottledException',
  'TooManyRequestsException',
  'SlowDown',
  'TransactionInProgressException',
]);

const TRANSIENT = new Set([
  'InternalFailure',
  'InternalServerError',
  'InternalServiceError',
  'InternalServiceErrorException',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'KMSInternalException',
  'KMSUnavailableException',
  'RequestTimeout',
  'RequestTimeoutException',
  'TimeoutError',
  'ResourceInUseException',
  'ExpiredTokenException',
  'IDPCommunicationError',
  'AbortError',
]);

const FATAL = new Set([
  'ResourceNotFoundException',
  'AccessDeniedException',
  'ValidationException',
  'InvalidArgumentException',
  'KMSAccessDeniedException',
  'KMSDisabledException',
  'KMSInvalidStateException',
  'KMSNotFoundException',
  'KMSOptInRequired',
  'UnrecognizedClientException',
  'InvalidSignatureException',
  'IncompleteSignature',
  'MissingAuthenticationToken',
  'NotAuthorized',
  'SerializationException',
  'ConditionalCheckFailedException',
]);

const NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'EAI_AGAIN',
  'ENOTFOUND',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'ERR_HTTP2_STREAM_ERROR',
  'ERR_HTTP2_GOAWAY_SESSION',
  'ERR_HTTP2_SESSION_ERROR',
  'ERR_HTTP2_ERROR',
  'ERR_STREAM_PREMATURE_CLOSE',
  'UND_ERR_SOCKET',
]);

/** The error's code as AWS services and the SDK name it: `name`, else `code`, else `Code`. */
export function awsErrorCode(error: unknown): string | undefined {
  if (error === null || typeof error !== 'object') return undefined;
  const candidate = error as { name?: unknown; code?: unknown; Code?: unknown };
  for (const value of [candidate.name, candidate.code, candidate.Code]) {
    if (typeof value === 'string' && value !== 'Error' && value !== '') return value;
  }
  return undefined;
}

/** The SDK's errors for credentials (or a token) it could not resolve: by name, or by its plain message. */
const CREDENTIALS_NAMES = new Set(['CredentialsProviderError', 'TokenProviderError']);
const CREDENTIALS_MESSAGES = [/^Could not load credentials/];

/**
 * Errors the SDK raises before any request leaves the process because the client cannot make calls
 * at all: a missing or malformed region, no credentials from any provider, a bad endpoint. Identified
 * by the SDK's error name, or (for plain `Error`s) by the SDK's message.
 */
const CLIENT_SETUP_NAMES = new Set([...CREDENTIALS_NAMES, 'EndpointError']);
const CLIENT_SETUP_MESSAGES = [
  /^Region is missing/,
  /^Region not accepted/,
  /^Invalid region in client config/,
  /^Cannot resolve hostname from client config/,
  /endpoint is not set/,
  /endpointProvider and endpoint missing/,
  ...CREDENTIALS_MESSAGES,
];

/**
 * What a caller knows of its SDK client that an error alone cannot tell (see {@link classifyAwsError}).
 */
export interface AwsErrorContext {
  /**
   * Whether the service has answered a call of this client before (an output, or an error the
   * service sent): its credentials resolved then. A credentials error afterwards is a refresh that
   * failed, and such failures pass: an instance-metadata or container credentials endpoint that did
   * not answer in time gives the same `CredentialsProviderError: Could not load credentials from any
   * providers` as a client that has no credentials at all (aws/aws-sdk-js-v3 issues 4679 and 4867).
   * With `true`, credentials errors are transient; without, fatal. @defaultValue false
   */
  readonly credentialsResolvedBefore?: boolean;
}

/** JavaScript's own error classes: a call that threw one will throw it again, whatever the wait. */
const PROGRAMMING_ERRORS = new Set(['TypeError', 'RangeError', 'ReferenceError', 'SyntaxError']);

/** Codes of errors where the caller lacks the right to act (or to use the key the stream needs). */
const AUTHORIZATION = new Set([
  'AccessDeniedException',
  'AccessDenied',
  'KMSAccessDeniedException',
  'KMSDisabledException',
  'KMSInvalidStateException',
  'KMSNotFoundException',
  'KMSOptInRequired',
  'UnrecognizedClientException',
  'InvalidSignatureException',
  'IncompleteSignature',
  'MissingAuthenticationToken',
  'InvalidClientTokenId',
  'SignatureDoesNotMatch',
  'NotAuthorized',
]);

/** Why a fatal error is fatal, and so how far it reaches (see {@link fatalCause}). */
export type FatalCause =
  /** The SDK client cannot make any call: no region, no credentials, a bad endpoint, a `TypeError`. */
  | 'client-setup'
  /** The caller may not act on the resource: access denied, unknown access key, bad signature, KMS access. */
  | 'authorization'
  /** The resource (stream, consumer, table) does not exist. */
  | 'not-found'
  /** This request is wrong (validation, an invalid argument, another 4xx); others may succeed. */
  | 'invalid-request';

/**
 * Sorts an error from an AWS SDK v3 call (or a per-entry `ErrorCode`) into throttling, transient or
 * fatal, in this order:
 * 1. known codes (the lists above);
 * 2. client-side setup errors (no region, no credentials, a bad endpoint) and JavaScript's own
 *    `TypeError`, `RangeError`, `ReferenceError`, `SyntaxError` are fatal — unless a `TypeError`
 *    wraps a network error (`fetch failed` with an `ECONNREFUSED` cause), which is transient;
 * 3. a socket or HTTP/2 error code (`ECONNRESET`, `ERR_HTTP2_…`, `UND_ERR_…`) is transient;
 * 4. the HTTP status of an answer: 429 is throttling, 5xx transient, any other 4xx fatal;
 * 5. the SDK's `$retryable` hint;
 * 6. anything else — an error with no code, no status and no sign of coming from the SDK's setup —
 *    is transient: it is retried within the caller's bounds (the producer's `recordTtlMs` and
 *    `maxAttempts`), and the caller reports it by its name and message when it gives up. Failing
 *    everything at once on an error nobody has seen before would turn one odd network fault into
 *    lost records.
 *
 * Before all of these, a credentials error of a client whose credentials resolved before
 * (`context.credentialsResolvedBefore`) is transient: a refresh that failed, not a missing setup.
 */
export function classifyAwsError(error: unknown, context?: AwsErrorContext): AwsErrorKind {
  if (context?.credentialsResolvedBefore === true && isCredentialsError(error)) return 'transient';
  if (typeof error === 'string') return classifyCode(error) ?? 'transient';
  const code = awsErrorCode(error);
  const byCode = code === undefined ? undefined : classifyCode(code);
  if (byCode !== undefined) return byCode;
  if (isClientSetupError(error)) return 'fatal';
  if (hasNetworkCode(error)) return 'transient';
  const status = httpStatusOf(error);
  if (status === 429) return 'throttling';
  if (status !== undefined && status >= 400 && status < 500) return 'fatal';
  const throttlingFlag = (error as { $retryable?: { throttling?: boolean } } | null)?.$retryable?.throttling;
  if (throttlingFlag) return 'throttling';
  return 'transient';
}

/**
 * For a fatal error, why it is fatal (undefined for throttling and transient errors): what a caller
 * needs to decide how far a failure reaches. A `client-setup`, `authorization` or `not-found` error
 * hits every call to the resource alike; an `invalid-request` error is about the request that got it.
 */
export function fatalCause(error: unknown, context?: AwsErrorContext): FatalCause | undefined {
  if (classifyAwsError(error, context) !== 'fatal') return undefined;
  const code = typeof error === 'string' ? error : awsErrorCode(error);
  if (code !== undefined && AUTHORIZATION.has(code)) return 'authorization';
  if (code === 'ResourceNotFoundException') return 'not-found';
  if (typeof error !== 'string' && isClientSetupError(error)) return 'client-setup';
  const status = httpStatusOf(error);
  if (status === 401 || status === 403) return 'authorization';
  return 'invalid-request';
}

/**
 * The code to report a failure under: the AWS code when there is one (`AccessDeniedException`,
 * `CredentialsProviderError`, `TypeError`…), `ClientConfigurationError` for the SDK's plain setup
 * errors (`Region is missing`), else `UnknownError`.
 */
export function failureCode(error: unknown): string {
  if (typeof error === 'string') return error;
  return awsErrorCode(error) ?? (isClientSetupError(error) ? 'ClientConfigurationError' : 'UnknownError');
}

/**
 * Whether the error comes from the SDK client's own setup (no region, no credentials, a bad endpoint)
 * or is one of JavaScript's programming errors, not from a network fault: the same call will fail the
 * same way every time.
 */
export function isClientSetupError(error: unknown): boolean {
  if (isSdkErrorOf(error, CLIENT_SETUP_NAMES, CLIENT_SETUP_MESSAGES)) return true;
  const { name, cause } = (error ?? {}) as { name?: unknown; cause?: unknown };
  return typeof name === 'string' && PROGRAMMING_ERRORS.has(name) && !hasNetworkCode(cause);
}

/**
 * Whether the SDK could not resolve credentials (or a token) to sign the call with: no provider had
 * any, or the one that had them failed to refresh them (see {@link AwsErrorContext}).
 */
export function isCredentialsError(error: unknown): boolean {
  return isSdkErrorOf(error, CREDENTIALS_NAMES, CREDENTIALS_MESSAGES);
}

/**
 * Whether `error` is an SDK error named one of `names`, or a plain `Error` (or an object without a
 * name) whose message matches one of `messages`: the SDK throws some of its client-side errors as
 * plain `Error`s, told apart only by their message.
 */
function isSdkErrorOf(error: unknown, names: ReadonlySet<string>, messages: readonly RegExp[]): boolean {
  if (error === null || typeof error !== 'object') return false;
  const { name, message } = error as { name?: unknown; message?: unknown };
  if (typeof name === 'string' && names.has(name)) return true;
  return (
    (name === 'Error' || name === undefined) &&
    typeof message === 'string' &&
    messages.some((pattern) => pattern.test(message))
  );
}

/**
 * Whether the error was sent by the service (it has an HTTP status): the call reached the service,
 * signed, so the client's credentials resolved for it.
 */
export function isServiceAnswer(error: unknown): boolean {
  return httpStatusOf(error) !== undefined;
}

/** The HTTP status of the answer an SDK error came with (`$metadata.httpStatusCode`), if any. */
function httpStatusOf(error: unknown): number | undefined {
  const status = (error as { $metadata?: { httpStatusCode?: unknown } } | null)?.$metadata?.httpStatusCode;
  return typeof status === 'number' ? status : undefined;
}

function hasNetworkCode(error: unknown): boolean {
  const systemCode = (error as { code?: unknown } | null)?.code;
  if (typeof systemCode !== 'string') return false;
  return (
    NETWORK_CODES.has(systemCode) || systemCode.startsWith('UND_ERR_') || systemCode.startsWith('ERR_HTTP2_')
  );
}

/** Whether an AWS error may succeed on retry (throttling or transient). */
export function isRetryableAwsError(error: unknown, context?: AwsErrorContext): boolean {
  return classifyAwsError(error, context) !== 'fatal';
}

function classifyCode(code: string): AwsErrorKind | undefined {
  if (THROTTLING.has(code)) return 'throttling';
  if (TRANSIENT.has(code) || NETWORK_CODES.has(code)) return 'transient';
  if (FATAL.has(code)) return 'fatal';
  return undefined;
}
