import { describe, expect, it } from 'vitest';
import { describeError } from './describe-error.js';
import { ValidationError } from './errors.js';

describe('describeError', () => {
  it('gives an error’s name and message, and any other value as text', () => {
    expect(describeError(new TypeError('boom'))).toBe('TypeError: boom');
    expect(describeError(new ValidationError('f', 'l', 'd', 'INVALID_OPTION'))).toBe(
      'ValidationError: Invalid f: d (allowed: l)',
    );
    expect(describeError('plain')).toBe('plain');
    expect(describeError(undefined)).toBe('undefined');
  });
});
