import { CliErrorCode, OperationsError } from './errors.js';

/** The most shards `UpdateShardCount` scales a stream to. */
export const UPDATE_SHARD_COUNT_MAX_SHARDS = 10_000;

/** The shard counts one `UpdateShardCount` call may reach from `openShardCount`: ½× (rounded up) to 2×. */
export function scaleBounds(openShardCount: number): { readonly min: number; readonly max: number } {
  return {
    min: Math.max(1, Math.ceil(openShardCount / 2)),
    max: Math.min(openShardCount * 2, UPDATE_SHARD_COUNT_MAX_SHARDS),
  };
}

/**
 * Checks a scale target against the service's per-call bounds (at most double, at least half of
 * the open shards, at most 10 000) and optional caps.
 * @throws OperationsError `CLI_SCALE_OUT_OF_BOUNDS` naming the bound.
 */
export function validateScaleTarget(
  openShardCount: number,
  targetShardCount: number,
  caps: { readonly minShards?: number; readonly maxShards?: number } = {},
): void {
  if (!Number.isSafeInteger(targetShardCount) || targetShardCount < 1) {
    throw new OperationsError(
      CliErrorCode.SCALE_OUT_OF_BOUNDS,
      `Target shard count must be a whole number ≥ 1, got ${targetShardCount}`,
    );
  }
  const { min, max } = scaleBounds(openShardCount);
  if (targetShardCount > max || targetShardCount < min) {
    throw new OperationsError(
      CliErrorCode.SCALE_OUT_OF_BOUNDS,
      `Cannot scale from ${openShardCount} to ${targetShardCount} shards in one call: UpdateShardCount allows ${min} to ${max} (½× to 2× the open shards, at most ${UPDATE_SHARD_COUNT_MAX_SHARDS}); scale in steps`,
    );
  }
  if (caps.minShards !== undefined && targetShardCount < caps.minShards) {
    throw new OperationsError(
      CliErrorCode.SCALE_OUT_OF_BOUNDS,
      `Target ${targetShardCount} is below the minimum of ${caps.minShards} shards`,
    );
  }
  if (caps.maxShards !== undefined && targetShardCount > caps.maxShards) {
    throw new OperationsError(
      CliErrorCode.SCALE_OUT_OF_BOUNDS,
      `Target ${targetShardCount} is above the maximum of ${caps.maxShards} shards`,
    );
  }
}
