import { type AwsErrorContext, classifyAwsError, ShardLookup } from '@kinesis-ts/core';
import type { OpenShard } from './list-shards.js';

/**
 * Where the shard map stands:
 * - `loading`: the first `ListShards` is under way; nothing can be predicted yet;
 * - `ready`: predictions use the map of generation `generation`;
 * - `refreshing`: a put landed where the map did not expect; a new map is being fetched;
 * - `failed`: fetching failed and is retried with backoff; records go out unpredicted meanwhile;
 * - `unavailable`: fetching failed for good (no `ListShards` permission…); records go out unpredicted.
 */
export type ShardMapState = 'loading' | 'ready' | 'refreshing' | 'failed' | 'unavailable';

/** How the map is fetched and how its fetches are retried. */
export interface ShardMapOptions {
  readonly fetchShards: () => Promise<OpenShard[]>;
  /** Called after every change of state. */
  readonly onChange: (map: ShardMap) => void;
  /** Called when a fetch fails. */
  readonly onError: (error: unknown, willRetry: boolean) => void;
  /**
   * What is known of the SDK client, for classifying a fetch's error (see `ClientHistory`): a
   * credentials error after an earlier answer is retried, not taken as final. @defaultValue none
   */
  readonly errorContext?: () => AwsErrorContext;
  /** The KPL's refresh backoff: from 1 s, ×1.5, up to 30 s. */
  readonly retryDelays?: { readonly initialMs: number; readonly multiplier: number; readonly maxMs: number };
}

const DEFAULT_RETRY_DELAYS = { initialMs: 1000, multiplier: 1.5, maxMs: 30_000 };

/**
 * The producer's view of the stream's open shards: predicts each record's shard from its hash key,
 * and is refreshed when a put shows it is out of date. Refreshes are de-duplicated: invalidating a
 * map that is already being refreshed does nothing.
 */
export class ShardMap {
  private lookup: ShardLookup<OpenShard> | undefined;
  private readonly known = new Map<string, OpenShard>();
  private current: ShardMapState = 'loading';
  private mapGeneration = 0;
  private failures = 0;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private stopped = false;

  constructor(private readonly options: ShardMapOptions) {}

  /** Where the map stands. */
  get state(): ShardMapState {
    return this.current;
  }

  /** Increases by one with every map fetched. */
  get generation(): number {
    return this.mapGeneration;
  }

  /** The open shards of the current map (empty until the first fetch succeeds). */
  get shards(): readonly OpenShard[] {
    return this.lookup?.list() ?? [];
  }

  /** Starts the first fetch. */
  start(): void {
    void this.fetch();
  }

  /** Stops retrying. */
  stop(): void {
    this.stopped = true;
    if (this.retryTimer !== undefined) clearTimeout(this.retryTimer);
  }

  /** The open shard that owns `hashKey` in the current map, when the map is ready. */
  predict(hashKey: bigint): OpenShard | undefined {
    return this.current === 'ready' ? this.lookup?.find(hashKey) : undefined;
  }

  /** The hash range of a shard seen in any map fetched so far (closed shards included). */
  rangeOf(shardId: string): OpenShard | undefined {
    return this.known.get(shardId);
  }

  /**
   * Marks the map out of date (a record landed on a shard it did not predict) and fetches a new one,
   * unless a fetch is already under way or `generation` is older than the current map.
   */
  invalidate(generation: number): void {
    if (this.current !== 'ready' || generation !== this.mapGeneration) return;
    this.setState('refreshing');
    void this.fetch();
  }

  private async fetch(): Promise<void> {
    try {
      const shards = await this.options.fetchShards();
      if (this.stopped) return;
      this.lookup = new ShardLookup(shards);
      for (const shard of shards) this.known.set(shard.shardId, shard);
      this.failures = 0;
      this.mapGeneration++;
      this.setState('ready');
    } catch (error) {
      if (this.stopped) return;
      const fatal = classifyAwsError(error, this.options.errorContext?.()) === 'fatal';
      this.options.onError(error, !fatal);
      if (fatal) {
        this.setState('unavailable');
        return;
      }
      this.failures++;
      this.setState('failed');
      this.retryTimer = setTimeout(() => void this.fetch(), this.retryDelayMs());
    }
  }

  private retryDelayMs(): number {
    const { initialMs, multiplier, maxMs } = this.options.retryDelays ?? DEFAULT_RETRY_DELAYS;
    return Math.min(maxMs, initialMs * multiplier ** (this.failures - 1));
  }

  private setState(state: ShardMapState): void {
    this.current = state;
    this.options.onChange(this);
  }
}
