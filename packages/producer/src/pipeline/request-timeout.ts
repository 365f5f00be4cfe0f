/**
 * The shortest wait for a `PutRecords` answer, even for a record a moment from its time to live: a
 * shorter call could hardly be answered, and would only turn the records sent with it into retries.
 */
export const MIN_PUT_RECORDS_TIMEOUT_MS = 10;

/**
 * How long to wait for the answer to a `PutRecords` call sent at `now`: `requestTimeoutMs`, cut to the
 * time to live left to the call's first-expiring record (`earliestExpiresAt`), so that a hung call
 * cannot hold a record past its time to live; and never less than {@link MIN_PUT_RECORDS_TIMEOUT_MS}
 * (nor more than `requestTimeoutMs`). All in milliseconds.
 */
export function putRecordsTimeoutMs(
  requestTimeoutMs: number,
  earliestExpiresAt: number,
  now: number,
): number {
  return Math.min(requestTimeoutMs, Math.max(MIN_PUT_RECORDS_TIMEOUT_MS, earliestExpiresAt - now));
}
