import { describe, expect, it } from 'vitest';
import { MIN_PUT_RECORDS_TIMEOUT_MS, putRecordsTimeoutMs } from './request-timeout.js';

describe('putRecordsTimeoutMs', () => {
  it('is requestTimeoutMs when every record has more time to live than that', () => {
    expect(putRecordsTimeoutMs(6_000, 10_000 + 30_000, 10_000)).toBe(6_000);
    expect(putRecordsTimeoutMs(6_000, Number.POSITIVE_INFINITY, 10_000)).toBe(6_000);
  });

  it('is the time to live left to the first-expiring record when that is shorter', () => {
    expect(putRecordsTimeoutMs(6_000, 10_000 + 1_000, 10_000)).toBe(1_000);
    expect(putRecordsTimeoutMs(6_000, 10_000 + 6_000, 10_000)).toBe(6_000);
  });

  it(`never goes below ${MIN_PUT_RECORDS_TIMEOUT_MS} ms, even for a record at or past its time to live`, () => {
    expect(putRecordsTimeoutMs(6_000, 10_000 + 3, 10_000)).toBe(MIN_PUT_RECORDS_TIMEOUT_MS);
    expect(putRecordsTimeoutMs(6_000, 10_000, 10_000)).toBe(MIN_PUT_RECORDS_TIMEOUT_MS);
    expect(putRecordsTimeoutMs(6_000, 9_000, 10_000)).toBe(MIN_PUT_RECORDS_TIMEOUT_MS);
  });

  it('never goes above requestTimeoutMs, even below the floor', () => {
    expect(putRecordsTimeoutMs(5, 10_000 + 1_000, 10_000)).toBe(5);
  });
});
