import { describe, expect, it } from 'vitest';
import { ClientHistory } from './client-history.js';

describe('ClientHistory', () => {
  const serviceSent = (status: number) =>
    Object.assign(new Error('refused'), {
      name: 'ValidationException',
      $metadata: { httpStatusCode: status },
    });

  it('says credentials resolved once a call succeeded, or the service sent an error', () => {
    const succeeded = new ClientHistory();
    expect(succeeded.errorContext.credentialsResolvedBefore).toBe(false);
    succeeded.succeeded();
    expect(succeeded.errorContext.credentialsResolvedBefore).toBe(true);

    const refused = new ClientHistory();
    refused.failed(serviceSent(400));
    expect(refused.errorContext.credentialsResolvedBefore).toBe(true);
  });

  it('does not count errors raised before a call left the process, or a socket error', () => {
    const history = new ClientHistory();
    history.failed(
      Object.assign(new Error('Could not load credentials'), { name: 'CredentialsProviderError' }),
    );
    history.failed(Object.assign(new Error('reset'), { code: 'ECONNRESET' }));
    history.failed(new Error('Region is missing'));
    expect(history.errorContext.credentialsResolvedBefore).toBe(false);
  });
});
