import { describe, expect, it } from 'vitest';
import {
  awsErrorCode,
  classifyAwsError,
  failureCode,
  fatalCause,
  isCredentialsError,
  isRetryableAwsError,
  isServiceAnswer,
} from './aws-error.js';

function serviceError(name: string, httpStatusCode?: number) {
  return Object.assign(new Error(`${name} happened`), {
    name,
    $fault: 'client',
    $metadata: { httpStatusCode },
  });
}

describe('classifyAwsError', () => {
  it.each(['ProvisionedThroughputExceededException', 'LimitExceededException', 'KMSThrottlingException'])(
    'retries %s as throttling',
    (name) => {
      expect(classifyAwsError(serviceError(name, 400))).toBe('throttling');
      expect(isRetryableAwsError(serviceError(name, 400))).toBe(true);
    },
  );

  it.each([
    'ResourceNotFoundException',
    'AccessDeniedException',
    'ValidationException',
    'KMSAccessDeniedException',
    'InvalidArgumentException',
  ])('fails %s at once', (name) => {
    expect(classifyAwsError(serviceError(name, 400))).toBe('fatal');
    expect(isRetryableAwsError(serviceError(name, 400))).toBe(false);
  });

  it('treats per-entry error codes the same way', () => {
    expect(classifyAwsError('ProvisionedThroughputExceededException')).toBe('throttling');
    expect(classifyAwsError('InternalFailure')).toBe('transient');
    expect(classifyAwsError('SomethingNew')).toBe('transient');
  });

  it('retries socket errors and 5xx responses as transient', () => {
    const reset = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
    expect(classifyAwsError(reset)).toBe('transient');
    expect(classifyAwsError(serviceError('UnknownError', 503))).toBe('transient');
    expect(classifyAwsError(serviceError('InternalFailure', 500))).toBe('transient');
  });

  it('falls back on the HTTP status for unknown codes', () => {
    expect(classifyAwsError(serviceError('BrandNewThrottle', 429))).toBe('throttling');
    expect(classifyAwsError(serviceError('BrandNewClientError', 403))).toBe('fatal');
    expect(classifyAwsError(new Error('mystery'))).toBe('transient');
  });

  it('reads the code from name, code or Code', () => {
    expect(awsErrorCode({ Code: 'X' })).toBe('X');
    expect(awsErrorCode({ code: 'Y' })).toBe('Y');
    expect(awsErrorCode(new Error('plain'))).toBeUndefined();
    expect(awsErrorCode(undefined)).toBeUndefined();
  });

  // What the SDK v3 throws, measured with @aws-sdk/client-kinesis before any request is sent.
  const noRegion = () => new Error('Region is missing');
  const noCredentials = () =>
    Object.assign(new Error('Could not load credentials from any providers'), {
      name: 'CredentialsProviderError',
      tryNextLink: false,
    });
  const badEndpoint = () => Object.assign(new TypeError('Invalid URL'), { code: 'ERR_INVALID_URL' });

  it.each([
    ['a client without a region', noRegion, 'ClientConfigurationError'],
    ['a client without credentials', noCredentials, 'CredentialsProviderError'],
    ['a client with an invalid endpoint', badEndpoint, 'TypeError'],
    [
      'a TypeError from a bad client object',
      () => new TypeError('client.send is not a function'),
      'TypeError',
    ],
  ])('fails at once on %s, as a client-setup error', (_label, make, code) => {
    expect(classifyAwsError(make())).toBe('fatal');
    expect(fatalCause(make())).toBe('client-setup');
    expect(failureCode(make())).toBe(code);
  });

  it('retries a credentials error once credentials have resolved before (a refresh that failed)', () => {
    const resolvedBefore = { credentialsResolvedBefore: true };
    const imdsTimeout = () =>
      Object.assign(new Error('Could not load credentials from any providers'), {
        name: 'CredentialsProviderError',
        tryNextLink: false,
      });
    const tokenRefreshFailed = () =>
      Object.assign(new Error('token expired'), { name: 'TokenProviderError' });
    for (const make of [
      imdsTimeout,
      tokenRefreshFailed,
      () => new Error('Could not load credentials from IMDS'),
    ]) {
      expect(isCredentialsError(make())).toBe(true);
      expect(classifyAwsError(make())).toBe('fatal');
      expect(classifyAwsError(make(), resolvedBefore)).toBe('transient');
      expect(isRetryableAwsError(make(), resolvedBefore)).toBe(true);
      expect(fatalCause(make(), resolvedBefore)).toBeUndefined();
    }
    // Only credentials errors: a region cannot go missing later, and a refused key stays refused.
    expect(classifyAwsError(noRegion(), resolvedBefore)).toBe('fatal');
    expect(classifyAwsError(badEndpoint(), resolvedBefore)).toBe('fatal');
    expect(classifyAwsError(serviceError('AccessDeniedException', 400), resolvedBefore)).toBe('fatal');
    expect(classifyAwsError(serviceError('UnrecognizedClientException', 400), resolvedBefore)).toBe('fatal');
    expect(isCredentialsError(serviceError('AccessDeniedException', 400))).toBe(false);
    expect(isCredentialsError(new TypeError('Could not load credentials'))).toBe(false);
    expect(isCredentialsError('CredentialsProviderError')).toBe(false);
  });

  it('tells an error the service sent from one raised before any call left', () => {
    expect(isServiceAnswer(serviceError('ValidationException', 400))).toBe(true);
    expect(isServiceAnswer(serviceError('InternalFailure', 500))).toBe(true);
    expect(isServiceAnswer(serviceError('Unanswered'))).toBe(false);
    expect(isServiceAnswer(noCredentials())).toBe(false);
    expect(isServiceAnswer(Object.assign(new Error('socket'), { code: 'ECONNRESET' }))).toBe(false);
    expect(isServiceAnswer(undefined)).toBe(false);
  });

  it('retries a TypeError that wraps a network error (fetch failed)', () => {
    const fetchFailed = new TypeError('fetch failed', {
      cause: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }),
    });
    expect(classifyAwsError(fetchFailed)).toBe('transient');
  });

  it('retries unknown socket and HTTP/2 codes', () => {
    const code = (c: string) => Object.assign(new Error('socket'), { code: c });
    expect(classifyAwsError(code('UND_ERR_CLOSED'))).toBe('transient');
    expect(classifyAwsError(code('ERR_HTTP2_STREAM_CANCEL'))).toBe('transient');
  });

  it('says how far a fatal error reaches', () => {
    expect(fatalCause(serviceError('AccessDeniedException', 400))).toBe('authorization');
    expect(fatalCause(serviceError('UnrecognizedClientException', 400))).toBe('authorization');
    expect(fatalCause(serviceError('InvalidSignatureException', 400))).toBe('authorization');
    expect(fatalCause('KMSAccessDeniedException')).toBe('authorization');
    expect(fatalCause(serviceError('SomethingForbidden', 403))).toBe('authorization');
    expect(fatalCause(serviceError('ResourceNotFoundException', 400))).toBe('not-found');
    expect(fatalCause(serviceError('ValidationException', 400))).toBe('invalid-request');
    expect(fatalCause(serviceError('InternalFailure', 500))).toBeUndefined();
    expect(fatalCause(new Error('mystery'))).toBeUndefined();
  });
});
