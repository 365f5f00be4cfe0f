import type { ResolvedProducerOptions } from '../options.js';
import type { ShardLane } from './shard-lane.js';

/** The options that decide when a lane has enough to send. */
export type ReadinessLimits = Pick<
  ResolvedProducerOptions,
  | 'aggregation'
  | 'maxAggregateSizeBytes'
  | 'maxAggregateRecords'
  | 'maxRequestEntries'
  | 'maxRequestBytes'
  | 'preserveKeyOrder'
>;

/**
 * Whether a lane's records should leave the buffer now: a `flush()` is under way, its oldest record's
 * buffering time is over, or it holds enough for a full aggregate (a full request, unaggregated).
 */
export function isDue(lane: ShardLane, now: number, flushing: boolean, limits: ReadinessLimits): boolean {
  if (lane.queue.length === 0) return false;
  return flushing || lane.dueAt <= now || holdsFullLoad(lane, limits);
}

/** Whether a lane holds enough for a full aggregate (a full request, unaggregated), whatever the time. */
export function holdsFullLoad(lane: ShardLane, limits: ReadinessLimits): boolean {
  if (limits.aggregation && lane.shardId !== undefined) {
    // Enough for a full aggregate, by size or by count.
    return lane.bytes >= limits.maxAggregateSizeBytes || lane.queue.length >= limits.maxAggregateRecords;
  }
  return lane.queue.length >= limits.maxRequestEntries || lane.bytes >= limits.maxRequestBytes;
}

/**
 * Whether a lane may send now: it is due, not backing off, its tokens pay for its next record, and
 * (keeping key order) none of its requests is in flight.
 */
export function canSend(lane: ShardLane, now: number, flushing: boolean, limits: ReadinessLimits): boolean {
  if (limits.preserveKeyOrder && lane.inFlight > 0) return false;
  return lane.notBefore <= now && lane.tokensAt <= now && isDue(lane, now, flushing, limits);
}
