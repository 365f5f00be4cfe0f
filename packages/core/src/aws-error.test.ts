import { describe, expect, it } from 'vitest';
import { awsErrorCode, classifyAwsError, isRetryableAwsError } from './aws-error.js';

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
});
