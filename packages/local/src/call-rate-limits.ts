import { kinesisErrorResponse, LIMIT_MESSAGES, streamNameOf, type WireResponse } from './kinesis-wire';
import type { RateWindows } from './rate-window';
import { CALL_RATE_LIMITS, type CallRateLimit } from './service-limit-table';

/** What a call counts against: the key of its rate window, its limit and the error when over it. */
export interface CallRateSlot {
  readonly key: string;
  readonly limit: CallRateLimit;
  readonly message: string;
}

/**
 * The rate window a call of `operation` with `request` counts against, or `undefined` when the
 * operation has no documented call rate, or names no stream (or shard) for a per-stream (per-shard)
 * one; the service then answers it as it would anyway.
 */
export function callRateSlot(
  operation: string,
  request: Record<string, unknown>,
  accountId: string,
): CallRateSlot | undefined {
  const limit = CALL_RATE_LIMITS[operation];
  if (!limit) return undefined;
  if (limit.scope === 'account') {
    return { key: `account/${operation}`, limit, message: LIMIT_MESSAGES.account(operation, accountId) };
  }
  const stream = streamNameOf(request);
  if (stream === undefined) return undefined;
  if (limit.scope === 'stream') {
    return {
      key: `stream/${operation}/${stream}`,
      limit,
      message: LIMIT_MESSAGES.stream(operation, stream, accountId),
    };
  }
  if (typeof request.ShardId !== 'string') return undefined;
  return {
    key: `shard/${operation}/${stream}/${request.ShardId}`,
    limit,
    message: LIMIT_MESSAGES.shardRead(request.ShardId, stream, accountId),
  };
}

/**
 * Counts a call against its rate at `now`: `undefined` when it may go on (or is not limited), the
 * service's error response when it is over the limit. `windows` must give each slot's key a
 * window of its `perSecond` (see {@link callRateCapacity}).
 */
export function admitCall(
  windows: RateWindows,
  now: number,
  operation: string,
  request: Record<string, unknown>,
  accountId: string,
): WireResponse | undefined {
  const slot = callRateSlot(operation, request, accountId);
  if (!slot) return undefined;
  if (windows.get(slot.key, now).tryTake(now, 1)) return undefined;
  return kinesisErrorResponse(slot.limit.error, slot.message);
}

/** The capacity of the window of a {@link CallRateSlot} key: its operation's calls per second. */
export function callRateCapacity(key: string): number {
  const operation = key.split('/')[1] ?? '';
  return CALL_RATE_LIMITS[operation]?.perSecond ?? 1;
}
