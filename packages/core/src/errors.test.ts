import { describe, expect, it } from 'vitest';
import { CoreErrorCode, KinesisTsError, ValidationError } from './errors.js';

/** What another copy of `@kinesis-ts/core` (another version, the CJS build, a bundle) makes: same mark, other class. */
class SecondCopyError extends Error {
  readonly code: string;
  readonly retryable = false;
  constructor(code: string, extra: Record<string, unknown> = {}) {
    super('from another copy');
    this.code = code;
    Object.defineProperty(this, Symbol.for('kinesis-ts.error'), { value: true });
    Object.assign(this, extra);
  }
}

describe('KinesisTsError.isInstance', () => {
  it('recognises an error of this copy and of its subclasses', () => {
    expect(KinesisTsError.isInstance(new KinesisTsError('x', { code: 'SOME_CODE' }))).toBe(true);
    expect(KinesisTsError.isInstance(new ValidationError('f', 'l', 'd', CoreErrorCode.INVALID_OPTION))).toBe(
      true,
    );
  });

  it('recognises an error made by a second copy of the package, which instanceof does not', () => {
    const foreign = new SecondCopyError(CoreErrorCode.REQUEST_TIMEOUT);
    expect(foreign instanceof KinesisTsError).toBe(false);
    expect(KinesisTsError.isInstance(foreign)).toBe(true);
    expect(KinesisTsError.hasCode(foreign, CoreErrorCode.REQUEST_TIMEOUT)).toBe(true);
    expect(KinesisTsError.hasCode(foreign, CoreErrorCode.INVALID_OPTION)).toBe(false);
  });

  it('refuses errors without the mark, even with a code', () => {
    const plain = Object.assign(new Error('x'), { code: 'INVALID_OPTION' });
    expect(KinesisTsError.isInstance(plain)).toBe(false);
    expect(KinesisTsError.isInstance(undefined)).toBe(false);
    expect(KinesisTsError.isInstance('INVALID_OPTION')).toBe(false);
    expect(KinesisTsError.isInstance({ code: 'INVALID_OPTION' })).toBe(false);
  });

  it('does not make the mark an enumerable property, so errors serialise as before', () => {
    const error = new KinesisTsError('x', { code: 'SOME_CODE' });
    expect(Object.getOwnPropertyDescriptor(error, Symbol.for('kinesis-ts.error'))?.enumerable).toBe(false);
    expect(Object.getOwnPropertySymbols({ ...error })).toEqual([]);
  });
});

describe('ValidationError.isInstance', () => {
  it('recognises a validation error of a second copy by its field and limit', () => {
    const foreign = new SecondCopyError(CoreErrorCode.INVALID_OPTION, { field: 'maxAttempts', limit: '≥ 1' });
    expect(ValidationError.isInstance(foreign)).toBe(true);
    expect(ValidationError.isInstance(new SecondCopyError(CoreErrorCode.INVALID_OPTION))).toBe(false);
    expect(ValidationError.isInstance(new KinesisTsError('x', { code: CoreErrorCode.INVALID_OPTION }))).toBe(
      false,
    );
  });
});
