import {
  CoreErrorCode,
  SHARD_WRITE_BYTES_PER_SECOND,
  SHARD_WRITE_RECORDS_PER_SECOND,
  ValidationError,
} from '@kinesis-ts/core';
import { scaleBounds } from './scale-bounds.js';

/** Options of the autoscaler. Utilizations are fractions of the shard write limits (1 MiB/s and 1 000 records/s). */
export interface AutoscalerOptions {
  /** The fewest shards to scale down to. @defaultValue 1 */
  readonly minShards?: number;
  /** The most shards to scale up to. Required: it caps the bill. */
  readonly maxShards: number;
  /** Scale up when utilization (bytes or records, whichever is higher) stays above this. @defaultValue 0.8 */
  readonly scaleUpUtilization?: number;
  /** Scale down when utilization stays below this. @defaultValue 0.3 */
  readonly scaleDownUtilization?: number;
  /** The utilization a scaling aims at: target = ceil(shards × utilization ÷ this). @defaultValue 0.6 */
  readonly targetUtilization?: number;
  /** The least time between two scalings, in ms. @defaultValue 600000 (10 minutes) */
  readonly cooldownMs?: number;
  /** Consecutive periods above `scaleUpUtilization` before scaling up. @defaultValue 1 */
  readonly scaleUpPeriods?: number;
  /** Consecutive periods below `scaleDownUtilization` before scaling down. @defaultValue 3 */
  readonly scaleDownPeriods?: number;
  /** Scalings allowed in any 24 hours (the service allows 10 `UpdateShardCount` calls). @defaultValue 10 */
  readonly maxScalingsPer24Hours?: number;
}

/** The defaults of {@link AutoscalerOptions}. */
export const DEFAULT_AUTOSCALER_OPTIONS = {
  minShards: 1,
  scaleUpUtilization: 0.8,
  scaleDownUtilization: 0.3,
  targetUtilization: 0.6,
  cooldownMs: 600_000,
  scaleUpPeriods: 1,
  scaleDownPeriods: 3,
  maxScalingsPer24Hours: 10,
} as const;

/** One period of a stream's write load (CloudWatch `IncomingBytes` and `IncomingRecords`, Sum over the period). */
export interface WriteLoadSample {
  /** The period's length, in seconds (60 for one-minute CloudWatch data). */
  readonly periodSeconds: number;
  /** Bytes written during the period (`IncomingBytes`). */
  readonly incomingBytes: number;
  /** Records written during the period (`IncomingRecords`). */
  readonly incomingRecords: number;
}

/** What the autoscaler remembers between periods. Start with {@link initialAutoscalerState}. */
export interface AutoscalerState {
  /** Consecutive periods above the scale-up utilization. */
  readonly periodsAbove: number;
  /** Consecutive periods below the scale-down utilization. */
  readonly periodsBelow: number;
  /** When each scaling of the last 24 hours happened, ms since the epoch. */
  readonly scaledAtMs: readonly number[];
}

/** The state of an autoscaler that has not scaled yet. */
export const initialAutoscalerState: AutoscalerState = { periodsAbove: 0, periodsBelow: 0, scaledAtMs: [] };

/** Utilization of the stream's write capacity, as fractions (1 = at the limit). */
export interface WriteUtilization {
  readonly bytes: number;
  readonly records: number;
  /** The higher of the two: the limit that binds first. */
  readonly max: number;
}

/** One shard's load over the same period (CloudWatch shard-level `IncomingBytes`/`IncomingRecords`). */
export interface ShardLoadSample {
  readonly shardId: string;
  readonly sample: WriteLoadSample;
}

/** A shard above `scaleUpUtilization` on its own (its share of the 1 MiB/s and 1 000 records/s limits). */
export interface HotShard {
  readonly shardId: string;
  readonly utilization: WriteUtilization;
}

/** The outcome of {@link decideScaling}. */
export interface ScalingDecision {
  readonly action: 'scale-up' | 'scale-down' | 'none';
  readonly currentShardCount: number;
  /** The shard count to ask for (`UpdateShardCount` `TargetShardCount`); the current one for 'none'. */
  readonly targetShardCount: number;
  readonly utilization: WriteUtilization;
  /**
   * Shards above `scaleUpUtilization` on their own, hottest first (only when per-shard samples were
   * given). Uniform scaling does not relieve them: split them (`splitShard`, `kinesis-ts split`).
   */
  readonly hotShards: readonly HotShard[];
  /** Why, in words. */
  readonly reason: string;
  /** The state to pass to the next call. */
  readonly state: AutoscalerState;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/** The write utilization of `openShardCount` shards under `sample`. */
export function writeUtilization(sample: WriteLoadSample, openShardCount: number): WriteUtilization {
  const seconds = Math.max(sample.periodSeconds, 1e-9);
  const shards = Math.max(openShardCount, 1);
  const bytes = sample.incomingBytes / seconds / (shards * SHARD_WRITE_BYTES_PER_SECOND);
  const records = sample.incomingRecords / seconds / (shards * SHARD_WRITE_RECORDS_PER_SECOND);
  return { bytes, records, max: Math.max(bytes, records) };
}

/**
 * Decides whether to scale a stream (uniform scaling, `UpdateShardCount`) after one period of
 * load. Pure: the caller keeps `state` and calls `UpdateShardCount` when the action is not 'none'.
 *
 * - Utilization is the higher of bytes and records against the shard write limits.
 * - Up after `scaleUpPeriods` periods above `scaleUpUtilization`, down after `scaleDownPeriods`
 *   periods below `scaleDownUtilization`, to `ceil(shards × utilization ÷ targetUtilization)`.
 * - The target stays within `minShards`..`maxShards` and within the service's per-call bounds
 *   (½× to 2× the open shards); a stream outside the caps is brought back within them.
 * - Nothing happens within `cooldownMs` of the last scaling, nor past `maxScalingsPer24Hours`.
 *
 * The stream totals decide the uniform scaling. Given `shardSamples` (each open shard's load over
 * the same period), it also looks at each shard:
 *
 * - shards above `scaleUpUtilization` on their own are reported in `hotShards` (with a reason that
 *   says to split them): uniform scaling splits every shard evenly and would not relieve a hot key,
 *   so they never trigger a scale-up by themselves;
 * - a scale-down is refused while the hottest shard is above half of `scaleUpUtilization`: merging
 *   it with a neighbour could put the merged shard over the scale-up threshold.
 *
 * Without `shardSamples`, one hot shard while the others idle counts as low utilization.
 */
export function decideScaling(
  input: {
    readonly nowMs: number;
    readonly openShardCount: number;
    readonly sample: WriteLoadSample;
    /** Each open shard's load over the same period. @defaultValue none (stream totals only) */
    readonly shardSamples?: readonly ShardLoadSample[];
  },
  state: AutoscalerState,
  options: AutoscalerOptions,
): ScalingDecision {
  const o = resolveAutoscalerOptions(options);
  const current = input.openShardCount;
  const utilization = writeUtilization(input.sample, current);
  const perShard = (input.shardSamples ?? [])
    .map(({ shardId, sample }) => ({ shardId, utilization: writeUtilization(sample, 1) }))
    .sort((a, b) => b.utilization.max - a.utilization.max);
  const hotShards = perShard.filter((shard) => shard.utilization.max > o.scaleUpUtilization);
  const hottest = perShard[0];
  const hotNote =
    hotShards.length === 0
      ? ''
      : `; hot shard(s) ${hotShards.map((s) => `${s.shardId} at ${percent(s.utilization.max)}`).join(', ')}: split them (uniform scaling does not relieve a hot shard)`;
  const recent = state.scaledAtMs.filter((at) => input.nowMs - at < DAY_MS);
  const periodsAbove = utilization.max > o.scaleUpUtilization ? state.periodsAbove + 1 : 0;
  const periodsBelow = utilization.max < o.scaleDownUtilization ? state.periodsBelow + 1 : 0;
  const none = (reason: string, counters = { periodsAbove, periodsBelow }): ScalingDecision => ({
    action: 'none',
    currentShardCount: current,
    targetShardCount: current,
    utilization,
    hotShards,
    reason: reason + hotNote,
    state: { ...counters, scaledAtMs: recent },
  });
  const scale = (target: number, reason: string): ScalingDecision => ({
    action: target > current ? 'scale-up' : 'scale-down',
    currentShardCount: current,
    targetShardCount: target,
    utilization,
    hotShards,
    reason: reason + hotNote,
    state: { periodsAbove: 0, periodsBelow: 0, scaledAtMs: [...recent, input.nowMs] },
  });

  const bounds = scaleBounds(current);
  // The caps first, then the service's per-call bounds, which no call can exceed.
  const clamp = (target: number) =>
    Math.min(Math.max(Math.min(Math.max(target, o.minShards), o.maxShards), bounds.min), bounds.max);
  const desired = Math.max(1, Math.ceil((current * utilization.max) / o.targetUtilization - 1e-9));

  let target = current;
  let reason: string;
  if (current < o.minShards) {
    target = clamp(o.minShards);
    reason = `${current} open shards, below minShards ${o.minShards}`;
  } else if (current > o.maxShards) {
    target = clamp(o.maxShards);
    reason = `${current} open shards, above maxShards ${o.maxShards}`;
  } else if (periodsAbove >= o.scaleUpPeriods) {
    target = clamp(Math.max(desired, current + 1));
    reason = `utilization ${percent(utilization.max)} above ${percent(o.scaleUpUtilization)} for ${periodsAbove} period(s)`;
    if (target <= current) return none(`${reason}, but already at maxShards ${o.maxShards}`);
  } else if (periodsBelow >= o.scaleDownPeriods) {
    target = clamp(Math.min(desired, current - 1));
    reason = `utilization ${percent(utilization.max)} below ${percent(o.scaleDownUtilization)} for ${periodsBelow} period(s)`;
    if (target >= current) return none(`${reason}, but already at minShards ${o.minShards}`);
    if (hottest !== undefined && hottest.utilization.max > o.scaleUpUtilization / 2) {
      return none(
        `${reason}, but shard ${hottest.shardId} is at ${percent(hottest.utilization.max)}: merged with a neighbour it could pass ${percent(o.scaleUpUtilization)}`,
      );
    }
  } else {
    return none(
      `utilization ${percent(utilization.max)} within ${percent(o.scaleDownUtilization)}..${percent(o.scaleUpUtilization)} (or not for long enough)`,
    );
  }
  const last = recent.length > 0 ? Math.max(...recent) : undefined;
  if (last !== undefined && input.nowMs - last < o.cooldownMs) {
    return none(
      `${reason}; in cooldown for ${Math.ceil((o.cooldownMs - (input.nowMs - last)) / 1000)} s more`,
    );
  }
  if (recent.length >= o.maxScalingsPer24Hours) {
    return none(`${reason}; already scaled ${recent.length} times in 24 hours`);
  }
  return scale(target, `${reason}: ${current} → ${target} shards`);
}

function percent(fraction: number): string {
  return `${(fraction * 100).toFixed(fraction < 0.1 ? 1 : 0)}%`;
}

/** The options after defaults, validated. */
export function resolveAutoscalerOptions(options: AutoscalerOptions): Required<AutoscalerOptions> {
  const o = { ...DEFAULT_AUTOSCALER_OPTIONS, ...stripUndefined(options) } as Required<AutoscalerOptions>;
  const positiveInteger = (field: keyof AutoscalerOptions) => {
    const value = o[field];
    if (!Number.isSafeInteger(value) || value < 1) {
      throw new ValidationError(
        field,
        'an integer ≥ 1',
        `got ${String(value)}`,
        CoreErrorCode.INVALID_OPTION,
      );
    }
  };
  const fraction = (field: keyof AutoscalerOptions) => {
    const value = o[field];
    if (typeof value !== 'number' || !(value > 0) || value > 1) {
      throw new ValidationError(
        field,
        'a fraction in (0, 1]',
        `got ${String(value)}`,
        CoreErrorCode.INVALID_OPTION,
      );
    }
  };
  for (const field of [
    'minShards',
    'maxShards',
    'scaleUpPeriods',
    'scaleDownPeriods',
    'maxScalingsPer24Hours',
  ] as const) {
    positiveInteger(field);
  }
  for (const field of ['scaleUpUtilization', 'scaleDownUtilization', 'targetUtilization'] as const)
    fraction(field);
  if (o.minShards > o.maxShards) {
    throw new ValidationError(
      'minShards',
      `at most maxShards (${o.maxShards})`,
      `got ${o.minShards}`,
      CoreErrorCode.INVALID_OPTION,
    );
  }
  if (!(o.scaleDownUtilization < o.targetUtilization && o.targetUtilization < o.scaleUpUtilization)) {
    throw new ValidationError(
      'targetUtilization',
      'between scaleDownUtilization and scaleUpUtilization',
      `got ${o.scaleDownUtilization} < ${o.targetUtilization} < ${o.scaleUpUtilization}`,
      CoreErrorCode.INVALID_OPTION,
    );
  }
  if (typeof o.cooldownMs !== 'number' || !Number.isFinite(o.cooldownMs) || o.cooldownMs < 0) {
    throw new ValidationError(
      'cooldownMs',
      'a number ≥ 0',
      `got ${String(o.cooldownMs)}`,
      CoreErrorCode.INVALID_OPTION,
    );
  }
  return o;
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
