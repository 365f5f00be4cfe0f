import { CoreErrorCode, ValidationError } from '@kinesis-ts/core';

/** A day in milliseconds: the upper bound of most of the consumer's durations. */
export const DAY_MS = 24 * 60 * 60 * 1000;

/** The `ValidationError` (code `INVALID_OPTION`) of an option that breaks its limit. */
export function invalid(field: string, limit: string, detail: string): ValidationError {
  return new ValidationError(field, limit, detail, CoreErrorCode.INVALID_OPTION);
}
