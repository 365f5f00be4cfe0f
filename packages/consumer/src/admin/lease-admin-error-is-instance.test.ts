import { describe, expect, it } from 'vitest';
import { SecondCopyError } from '../../test/second-copy-errors.js';
import { LeaseLostError } from '../errors.js';
import { LeaseAdminError, LeaseAdminErrorCode } from './admin-errors.js';

describe('LeaseAdminError.isInstance', () => {
  it('recognises a lease admin error made by another copy of the package, where instanceof does not', () => {
    const foreign = new SecondCopyError('ADMIN_LEASES_HELD', { issues: [] });
    expect(foreign instanceof LeaseAdminError).toBe(false);
    expect(LeaseAdminError.isInstance(foreign)).toBe(true);
    expect(LeaseAdminError.isInstance(new LeaseAdminError(LeaseAdminErrorCode.TABLE_NOT_FOUND, 'gone'))).toBe(
      true,
    );
  });

  it('is false for the other kinesis-ts errors', () => {
    expect(LeaseAdminError.isInstance(new LeaseLostError('shardId-000000000000', 'taken'))).toBe(false);
    expect(LeaseAdminError.isInstance(new SecondCopyError('PARTIAL_BATCH_FAILURE'))).toBe(false);
  });
});
