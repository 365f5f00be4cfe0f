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

/**
 * Sorts an error from an AWS SDK v3 call (or a per-entry `ErrorCode`) into throttling, transient or
 * fatal. Known codes decide first; otherwise an HTTP status of 429 is throttling, 5xx or no response
 * at all (a network error) is transient, and any other 4xx is fatal. Unknown errors with no status
 * are treated as transient, so a record is retried until its time to live rather than dropped.
 */
export function classifyAwsError(error: unknown): AwsErrorKind {
  if (typeof error === 'string') return classifyCode(error) ?? 'transient';
  const code = awsErrorCode(error);
  const byCode = code === undefined ? undefined : classifyCode(code);
  if (byCode !== undefined) return byCode;
  const systemCode = (error as { code?: unknown } | null)?.code;
  if (typeof systemCode === 'string' && NETWORK_CODES.has(systemCode)) return 'transient';
  const status = (error as { $metadata?: { httpStatusCode?: number } } | null)?.$metadata?.httpStatusCode;
  if (status === 429) return 'throttling';
  if (status !== undefined && status >= 400 && status < 500) return 'fatal';
  const throttlingFlag = (error as { $retryable?: { throttling?: boolean } } | null)?.$retryable?.throttling;
  if (throttlingFlag) return 'throttling';
  return 'transient';
}

/** Whether an AWS error may succeed on retry (throttling or transient). */
export function isRetryableAwsError(error: unknown): boolean {
  return classifyAwsError(error) !== 'fatal';
}

function classifyCode(code: string): AwsErrorKind | undefined {
  if (THROTTLING.has(code)) return 'throttling';
  if (TRANSIENT.has(code) || NETWORK_CODES.has(code)) return 'transient';
  if (FATAL.has(code)) return 'fatal';
  return undefined;
}
