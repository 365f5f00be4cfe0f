import type { ConsumerMetrics, LeaseStatus } from '@kinesis-ts/consumer';
import { CoreErrorCode, ValidationError } from '@kinesis-ts/core';

/** One shard's lag and, when known, its write load. */
export interface ShardLag {
  readonly shardId: string;
  /** How far behind processing is, in ms (`MillisBehindLatest`, iterator age or checkpoint age); `undefined` when unknown. */
  readonly lagMs: number | undefined;
  /** Records written to the shard per second (CloudWatch `IncomingRecords` at shard level, or producer metrics), when known. */
  readonly incomingRecordsPerSecond?: number;
}

/**
 * Options of {@link diagnoseLag}. An option left out or given as `undefined` takes its default
 * ({@link DEFAULT_LAG_DIAGNOSIS_OPTIONS}).
 */
export interface LagDiagnosisOptions {
  /**
   * A shard lags when its lag is more than this, in ms (a number ≥ 0).
   * @defaultValue 60000 (60 s)
   */
  readonly lagThresholdMs?: number;
  /**
   * Lag is uniform (the consumer or its sink is too slow) when at least this share of the shards
   * with a lag figure lags, as a fraction of those shards in [0, 1]; below it, lag is concentrated.
   * @defaultValue 0.8 (80 % of the shards)
   */
  readonly uniformShare?: number;
  /**
   * A shard is hot when it takes more than this many times its fair share (1 ÷ the number of
   * shards with a write rate) of the writes; a factor (a number ≥ 0, no unit).
   * @defaultValue 2
   */
  readonly hotShardFactor?: number;
}

/** The defaults of {@link LagDiagnosisOptions}. */
export const DEFAULT_LAG_DIAGNOSIS_OPTIONS = {
  lagThresholdMs: 60_000,
  uniformShare: 0.8,
  hotShardFactor: 2,
} as const;

/** What {@link diagnoseLag} concludes. */
export interface LagDiagnosis {
  /**
   * `healthy`: no shard lags; `uniform`: (nearly) every shard lags, so the consumer or its sink is
   * too slow; `concentrated`: a few shards lag, so keys are skewed or a shard is hot; `unknown`: no
   * lag figures.
   */
  readonly verdict: 'healthy' | 'uniform' | 'concentrated' | 'unknown';
  /** One sentence on what the figures show. */
  readonly summary: string;
  /** What to do about it. */
  readonly advice: string;
  /** The lagging shards, most behind first. */
  readonly laggingShards: readonly { readonly shardId: string; readonly lagMs: number }[];
  /** Shards taking more than `hotShardFactor` × their fair share of the writes, hottest first. */
  readonly hotShards: readonly { readonly shardId: string; readonly share: number }[];
  readonly maxLagMs: number | undefined;
  readonly shardsWithLag: number;
}

/**
 * Tells uniform lag (consumer or sink too slow) from concentrated lag (key skew, a hot shard) and
 * names the shards, following the triage "Is lag uniform across shards? yes → consumer/sink; no →
 * shard/key skew". Pure.
 *
 * @throws ValidationError `INVALID_OPTION` for an option that is not a number in range.
 */
export function diagnoseLag(shards: readonly ShardLag[], options: LagDiagnosisOptions = {}): LagDiagnosis {
  const o = resolveLagDiagnosisOptions(options);
  const known = shards.filter((shard): shard is ShardLag & { lagMs: number } => shard.lagMs !== undefined);
  const hotShards = findHotShards(shards, o.hotShardFactor);
  const laggingShards = known
    .filter((shard) => shard.lagMs > o.lagThresholdMs)
    .map(({ shardId, lagMs }) => ({ shardId, lagMs }))
    .sort((a, b) => b.lagMs - a.lagMs);
  const maxLagMs = known.length > 0 ? Math.max(...known.map((shard) => shard.lagMs)) : undefined;
  const base = { laggingShards, hotShards, maxLagMs, shardsWithLag: known.length };
  const seconds = (ms: number) => `${Math.round(ms / 1000)} s`;
  if (known.length === 0) {
    return {
      ...base,
      verdict: 'unknown',
      summary: 'No lag figures: no shard has a checkpoint position or a MillisBehindLatest reading.',
      advice: 'Run the consumer (or pass the stream so checkpoints can be placed) and look again.',
    };
  }
  if (laggingShards.length === 0) {
    return {
      ...base,
      verdict: 'healthy',
      summary: `No shard is more than ${seconds(o.lagThresholdMs)} behind (max ${seconds(maxLagMs ?? 0)}).`,
      advice:
        hotShards.length > 0
          ? `Nothing lags, but ${hotShards.map((s) => s.shardId).join(', ')} take(s) an outsized share of the writes: watch them.`
          : 'Nothing to do.',
    };
  }
  const share = laggingShards.length / known.length;
  const names = laggingShards
    .slice(0, 10)
    .map((shard) => `${shard.shardId} (${seconds(shard.lagMs)})`)
    .join(', ');
  if (share >= o.uniformShare) {
    return {
      ...base,
      verdict: 'uniform',
      summary: `${laggingShards.length} of ${known.length} shards are more than ${seconds(o.lagThresholdMs)} behind: lag is uniform.`,
      advice:
        'The consumer or its sink is too slow for the whole stream: add workers (up to one per shard), make the handler faster or batch its writes, check the sink for throttling and errors; use enhanced fan-out if several applications share the read throughput.',
    };
  }
  const hot = hotShards.filter((h) => laggingShards.some((l) => l.shardId === h.shardId));
  return {
    ...base,
    verdict: 'concentrated',
    summary: `Only ${laggingShards.length} of ${known.length} shards lag: ${names}.`,
    advice: `Lag is concentrated, which points at key skew or a hot shard${
      hot.length > 0
        ? ` (${hot.map((h) => `${h.shardId} takes ${(h.share * 100).toFixed(0)}% of the writes`).join(', ')})`
        : ''
    }: split the hot shard(s) (kinesis-ts split), spread hot keys over buckets (bucketedPartitionKey), and check whether some keys are slower to process.`,
  };
}

/**
 * The options after defaults: a field that is absent or `undefined` takes its default (a plain
 * spread would let `undefined` override it). Throws a `ValidationError` (`INVALID_OPTION`) on a
 * value that is not a number in range.
 */
function resolveLagDiagnosisOptions(options: LagDiagnosisOptions): Required<LagDiagnosisOptions> {
  const o = {
    lagThresholdMs: options.lagThresholdMs ?? DEFAULT_LAG_DIAGNOSIS_OPTIONS.lagThresholdMs,
    uniformShare: options.uniformShare ?? DEFAULT_LAG_DIAGNOSIS_OPTIONS.uniformShare,
    hotShardFactor: options.hotShardFactor ?? DEFAULT_LAG_DIAGNOSIS_OPTIONS.hotShardFactor,
  };
  const check = (field: keyof LagDiagnosisOptions, limit: string, ok: (value: number) => boolean) => {
    const value = o[field];
    if (typeof value !== 'number' || !Number.isFinite(value) || !ok(value)) {
      throw new ValidationError(field, limit, `got ${String(value)}`, CoreErrorCode.INVALID_OPTION);
    }
  };
  check('lagThresholdMs', 'a number of ms ≥ 0', (value) => value >= 0);
  check('uniformShare', 'a fraction in [0, 1]', (value) => value >= 0 && value <= 1);
  check('hotShardFactor', 'a number ≥ 0', (value) => value >= 0);
  return o;
}

function findHotShards(shards: readonly ShardLag[], factor: number): { shardId: string; share: number }[] {
  const rated = shards.filter((shard) => shard.incomingRecordsPerSecond !== undefined);
  const total = rated.reduce((sum, shard) => sum + (shard.incomingRecordsPerSecond ?? 0), 0);
  if (rated.length < 2 || total <= 0) return [];
  const fair = 1 / rated.length;
  return rated
    .map((shard) => ({ shardId: shard.shardId, share: (shard.incomingRecordsPerSecond ?? 0) / total }))
    .filter((shard) => shard.share > fair * factor)
    .sort((a, b) => b.share - a.share);
}

/** Per-shard lag from consumer `metrics()` snapshots (one per worker; the highest reading wins). */
export function lagFromConsumerMetrics(snapshots: readonly ConsumerMetrics[]): ShardLag[] {
  const byShard = new Map<string, number | undefined>();
  for (const snapshot of snapshots) {
    for (const [shardId, shard] of Object.entries(snapshot.shards)) {
      const previous = byShard.get(shardId);
      const lag = shard.MillisBehindLatest;
      byShard.set(shardId, lag === undefined ? previous : Math.max(previous ?? 0, lag));
    }
  }
  return [...byShard].map(([shardId, lagMs]) => ({ shardId, lagMs }));
}

/** Per-shard lag from the lease table (`LeaseAdmin.listLeases({ includeLag: true })`); finished shards are left out. */
export function lagFromLeases(leases: readonly LeaseStatus[]): ShardLag[] {
  return leases
    .filter((lease) => lease.state !== 'finished')
    .map((lease) => ({ shardId: lease.shardId, lagMs: lease.lagMs }));
}
