import { CoreErrorCode, ValidationError } from './errors.js';

/** The shape of an exponential backoff. */
export interface BackoffPolicy {
  /** The cap of the first retry's delay, in milliseconds; each further retry doubles it. */
  readonly baseDelayMs: number;
  /** The largest delay, in milliseconds. */
  readonly maxDelayMs: number;
}

/** A source of uniformly distributed numbers in [0, 1), injectable so tests are exact. */
export type RandomSource = () => number;

/**
 * The "full jitter" exponential backoff delay for the `attempt`-th retry (1 for the first retry):
 * a uniformly random number of milliseconds in [0, min(maxDelayMs, baseDelayMs × 2^(attempt − 1))).
 * Spreading retries over the whole window keeps many clients from retrying in step.
 */
export function fullJitterBackoffMs(
  attempt: number,
  policy: BackoffPolicy,
  random: RandomSource = Math.random,
): number {
  return Math.floor(random() * backoffCeilingMs(attempt, policy));
}

/** The upper bound of the full-jitter window for the `attempt`-th retry, in milliseconds. */
export function backoffCeilingMs(attempt: number, policy: BackoffPolicy): number {
  const exponent = Math.max(0, Math.min(attempt - 1, 52));
  return Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** exponent);
}

/** Checks a backoff policy; `fieldPrefix` names the option that holds it in error messages. */
export function validateBackoffPolicy(policy: BackoffPolicy, fieldPrefix = ''): BackoffPolicy {
  const check = (name: keyof BackoffPolicy) => {
    const value = policy[name];
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
      throw new ValidationError(
        `${fieldPrefix}${name}`,
        'a finite number ≥ 0',
        `got ${String(value)}`,
        CoreErrorCode.INVALID_OPTION,
      );
    }
  };
  check('baseDelayMs');
  check('maxDelayMs');
  if (policy.maxDelayMs < policy.baseDelayMs) {
    throw new ValidationError(
      `${fieldPrefix}maxDelayMs`,
      `at least ${fieldPrefix}baseDelayMs (${policy.baseDelayMs})`,
      `got ${policy.maxDelayMs}`,
      CoreErrorCode.INVALID_OPTION,
    );
  }
  return policy;
}

/**
 * Waits `ms` milliseconds, or until `signal` aborts (then rejects with the signal's reason).
 */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
