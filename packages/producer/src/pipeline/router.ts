import type { ResolvedProducerOptions } from '../options.js';
import { KeyLanes } from './key-lanes.js';
import type { PendingRecord } from './pending-record.js';
import { ShardLane } from './shard-lane.js';
import type { ShardMap } from './shard-map.js';
import { ShardRateLimiter } from './token-bucket.js';

/** What the lanes are keyed by: a shard-map generation, or unpredicted sending. */
export type LaneMode = number | 'unpredicted';

/** The options routing works with: each predicted shard's lane gets a rate limiter. */
export type RouterLimits = Pick<ResolvedProducerOptions, 'rateLimitPercent' | 'maxRecordSizeBytes'>;

/**
 * Routes admitted records to shard lanes: one lane per shard the shard map predicts (with its own
 * rate limiter), or a single unpredicted lane while there is no map. When a new map comes, the lanes
 * are rebuilt from it (`rebucket`), keeping every key's records in put order.
 */
export class Router {
  private lanes = new Map<string | undefined, ShardLane>();
  private laneMode: LaneMode = 'unpredicted';
  /** The lane of each recent partition key (without explicit hash key) in the current lanes. */
  private readonly keyLanes = new KeyLanes();

  constructor(
    private readonly shardMap: ShardMap,
    private readonly limits: RouterLimits,
  ) {
    this.lanes.set(undefined, new ShardLane(undefined, undefined));
  }

  /** The map generation the lanes were built from, or `'unpredicted'`. */
  get mode(): LaneMode {
    return this.laneMode;
  }

  /** Every lane, the unpredicted one included. */
  allLanes(): IterableIterator<ShardLane> {
    return this.lanes.values();
  }

  /**
   * The lane of a predicted shard (undefined: the unpredicted lane). Lanes are only rebuilt with
   * nothing in flight, so the lane a request's records came from is still there when it completes.
   */
  laneOf(shardId: string | undefined): ShardLane {
    return this.lanes.get(shardId)!;
  }

  /** Queues a record at the back of the lane of its predicted shard; returns that lane. */
  route(record: PendingRecord): ShardLane {
    const lane = this.laneFor(record);
    lane.push(record);
    return lane;
  }

  /** The lanes' mode the shard map calls for now; `undefined` while sending must pause. */
  desiredMode(): LaneMode | undefined {
    switch (this.shardMap.state) {
      case 'ready':
        return this.shardMap.generation;
      case 'refreshing':
        return undefined; // a fresh map is moments away: hold everything until it is here
      default:
        return 'unpredicted';
    }
  }

  /**
   * Moves every queued record to the lane the current map predicts, in put order, so each key's
   * records keep their order whichever lanes they waited in (records put while a new map was being
   * fetched may sit in other lanes than older records of their key). Only done with nothing in
   * flight, so nothing of a key can still be overtaken by what was sent before.
   */
  rebucket(mode: LaneMode): void {
    const oldLanes = [...this.lanes.values()];
    const queued = oldLanes.flatMap((lane) => lane.drain());
    queued.sort((a, b) => a.sequence - b.sequence);
    this.laneMode = mode;
    this.keyLanes.clear();
    const openShards = new Set(this.shardMap.shards.map((shard) => shard.shardId));
    this.lanes = new Map(
      oldLanes
        .filter(
          (lane) => lane.shardId === undefined || (mode !== 'unpredicted' && openShards.has(lane.shardId)),
        )
        .map((lane) => [lane.shardId, lane]),
    );
    for (const record of queued) this.laneFor(record).push(record);
  }

  /** Takes out every queued record whose time to live is over at `now` (none of them is in flight). */
  expireQueued(now: number, expired: (record: PendingRecord, lane: ShardLane) => void): void {
    for (const lane of this.lanes.values()) {
      if (lane.queue.length === 0 || lane.queue.at(0)!.arrival.expiresAt > now) continue;
      for (const record of lane.removeExpired(now)) expired(record, lane);
    }
  }

  /** When the first queued record reaches its time to live, from the lanes' heads (Infinity when none). */
  nextQueuedExpiry(): number {
    let next = Number.POSITIVE_INFINITY;
    for (const lane of this.lanes.values()) {
      const head = lane.queue.at(0);
      if (head !== undefined && head.arrival.expiresAt < next) next = head.arrival.expiresAt;
    }
    return next;
  }

  private laneFor(record: PendingRecord): ShardLane {
    // A key's lane is remembered only while the lanes' map is the current one and ready: then its
    // prediction, and so its lane, cannot change until the lanes are rebuilt (which empties keyLanes).
    const remember =
      record.explicitHashKey === undefined &&
      this.laneMode === this.shardMap.generation &&
      this.shardMap.state === 'ready';
    if (remember) {
      const known = this.keyLanes.get(record.partitionKey);
      if (known !== undefined) return known;
    }
    const lane = this.predictedLane(record);
    if (remember) this.keyLanes.set(record.partitionKey, lane);
    return lane;
  }

  private predictedLane(record: PendingRecord): ShardLane {
    const shard = this.laneMode === 'unpredicted' ? undefined : this.shardMap.predict(record.hashKey);
    const shardId = shard?.shardId;
    let lane = this.lanes.get(shardId);
    if (lane === undefined) {
      const limiter =
        shardId === undefined
          ? undefined
          : new ShardRateLimiter(this.limits.rateLimitPercent, this.limits.maxRecordSizeBytes, Date.now());
      lane = new ShardLane(shardId, limiter);
      this.lanes.set(shardId, lane);
    }
    return lane;
  }
}
