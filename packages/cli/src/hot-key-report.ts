import type { HotSpot, KinesisProducer, ProducerMetrics } from '@kinesis-ts/producer';
import type { WriteLoadSample } from './autoscaler-decision.js';

/** Where a producer's writes went, and which keys and shards were hot. */
export interface HotKeyReport {
  /** User records written, all shards. */
  readonly totalRecords: number;
  /** Per shard, most records first. */
  readonly shards: readonly { readonly shardId: string; readonly records: number; readonly share: number }[];
  /** Shards with more than `hotShardFactor` × their fair share of the records. */
  readonly hotShards: readonly { readonly shardId: string; readonly share: number }[];
  /** The hot keys reported by the producer's `hot-key` events, hottest first (one entry per key, its highest share). */
  readonly hotKeys: readonly HotSpot[];
}

/**
 * Collects a producer's `hot-key` and `hot-shard` events (the producer's sliding-window canary,
 * enabled with its `hotKeyShare` option) for {@link hotKeyReport}. Call `stop()` to detach.
 */
export class HotKeyCollector {
  private readonly keys = new Map<string, HotSpot>();
  private readonly shards = new Map<string, HotSpot>();
  private readonly onKey = (spot: HotSpot) => this.keep(this.keys, spot);
  private readonly onShard = (spot: HotSpot) => this.keep(this.shards, spot);

  constructor(private readonly producer: Pick<KinesisProducer, 'events'>) {
    producer.events.on('hot-key', this.onKey);
    producer.events.on('hot-shard', this.onShard);
  }

  /** The hot keys seen so far, hottest first. */
  hotKeys(): HotSpot[] {
    return [...this.keys.values()].sort((a, b) => b.share - a.share);
  }

  /** The hot shards seen so far, hottest first. */
  hotShards(): HotSpot[] {
    return [...this.shards.values()].sort((a, b) => b.share - a.share);
  }

  stop(): void {
    this.producer.events.off('hot-key', this.onKey);
    this.producer.events.off('hot-shard', this.onShard);
  }

  private keep(map: Map<string, HotSpot>, spot: HotSpot): void {
    const previous = map.get(spot.key);
    if (!previous || spot.share > previous.share) map.set(spot.key, spot);
  }
}

/** Options of {@link hotKeyReport}. */
export interface HotKeyReportOptions {
  /**
   * A shard is hot when it takes more than this many times its fair share (1 ÷ the number of shards
   * in the metrics) of the user records; a factor (no unit).
   * @defaultValue 2
   */
  readonly hotShardFactor?: number;
}

/** A hot-key report from a producer's `metrics()` and the hot keys it reported. Pure. */
export function hotKeyReport(
  metrics: ProducerMetrics,
  hotKeys: readonly HotSpot[] = [],
  options: HotKeyReportOptions = {},
): HotKeyReport {
  const factor = options.hotShardFactor ?? 2;
  const entries = Object.entries(metrics.shards).map(([shardId, set]) => ({
    shardId,
    records: set.UserRecordsPut,
  }));
  const totalRecords = entries.reduce((sum, entry) => sum + entry.records, 0);
  const shards = entries
    .map((entry) => ({ ...entry, share: totalRecords > 0 ? entry.records / totalRecords : 0 }))
    .sort((a, b) => b.records - a.records);
  const fair = shards.length > 0 ? 1 / shards.length : 1;
  const hotShards =
    shards.length < 2
      ? []
      : shards
          .filter((shard) => shard.share > fair * factor)
          .map(({ shardId, share }) => ({ shardId, share }));
  return { totalRecords, shards, hotShards, hotKeys: [...hotKeys].sort((a, b) => b.share - a.share) };
}

/**
 * One period's write load from two producer `metrics()` snapshots taken `elapsedMs` apart, for the
 * autoscaler: Kinesis records (aggregates count once, as the shard limit counts them) and their bytes.
 */
export function writeLoadFromProducerMetrics(
  previous: ProducerMetrics,
  current: ProducerMetrics,
  elapsedMs: number,
): WriteLoadSample {
  return {
    periodSeconds: elapsedMs / 1000,
    incomingRecords: Math.max(0, current.stream.KinesisRecordsPut - previous.stream.KinesisRecordsPut),
    incomingBytes: Math.max(0, current.stream.KinesisRecordsDataPut - previous.stream.KinesisRecordsDataPut),
  };
}
