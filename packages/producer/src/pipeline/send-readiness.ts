import type { ResolvedProducerOptions } from '../options.js';
import type { ShardLane } from './shard-lane.js';
import type { Tokens } from './token-bucket.js';

/** The options that decide when a lane has enough to send. */
export type ReadinessLimits = Pick<
  ResolvedProducerOptions,
  | 'aggregation'
  | 'maxAggregateSizeBytes'
  | 'maxAggregateRecords'
  | 'maxRequestEntries'
  | 'maxRequestBytes'
  | 'preserveKeyOrder'
  | 'maxBufferedTimeMs'
>;

/** The most a lane is sent ahead of its due time (see {@link sendAheadMs}). */
const MAX_SEND_AHEAD_MS = 50;

/**
 * How long before its due time a lane goes with a request that is being sent anyway: a fifth of
 * `maxBufferedTimeMs`, at most 50 ms (the time the KPL's collector waits for more aggregates to
 * fill a request). With records trickling in over many shards, each lane falls due at its own
 * moment, and sending each alone made a request per lane per `maxBufferedTimeMs` (about 300
 * requests a second over 64 shards at the default 100 ms); lanes due within this window share
 * one. Unlike the KPL, which holds the due records back for that time, the others go early: no
 * record waits longer than `maxBufferedTimeMs`.
 */
export function sendAheadMs(limits: ReadinessLimits): number {
  return Math.min(MAX_SEND_AHEAD_MS, Math.floor(limits.maxBufferedTimeMs / 5));
}

/**
 * Whether a lane's records should leave the buffer now: a `flush()` is under way, its oldest record's
 * buffering time is over or nearly (within {@link sendAheadMs}: the pump runs when some lane falls
 * due, and takes those due soon after along), or it holds enough for a full aggregate (a full
 * request, unaggregated).
 */
export function isDue(lane: ShardLane, now: number, flushing: boolean, limits: ReadinessLimits): boolean {
  if (lane.queue.length === 0) return false;
  return flushing || lane.dueAt <= now + sendAheadMs(limits) || holdsFullLoad(lane, limits);
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

/**
 * Unaggregated, the most records a lane behind its rate limit waits to send together: 25 ms of a
 * shard's 1,000 records/s, the interval at which the KPL's limiter looks at its queues.
 */
export const UNAGGREGATED_TOKEN_BATCH_RECORDS = 25;

/** Bytes an aggregate adds to its records' partition keys and data, at most: framing per record, and its header and MD5. */
const AGGREGATE_BYTES_PER_RECORD = 16;
const AGGREGATE_HEADER_BYTES = 24;

/**
 * The rate-limit tokens a lane with records waits for before it sends: enough for what it holds,
 * up to `maxAggregateSizeBytes` (one full aggregate, or several smaller ones when
 * `maxAggregateRecords` fills them first) and one record token, or, unaggregated, up to
 * {@link UNAGGREGATED_TOKEN_BATCH_RECORDS} records. Always at least its first record.
 *
 * A lane whose shard is saturated then sends full aggregates, as the KPL does (its limiter releases
 * only whole aggregates): sending whatever tokens came back since the last send would make a
 * request, and an aggregate, of every millisecond of tokens — a few records each, at several times
 * the CPU per record, and many more calls for the same data.
 */
export function tokensWorthSending(lane: ShardLane, limits: ReadinessLimits): Tokens {
  const head = lane.queue.at(0);
  const headBytes = head?.sizeBytes ?? 0;
  if (limits.aggregation && lane.shardId !== undefined) {
    return {
      records: 1,
      bytes: Math.max(headBytes, Math.min(heldBytesBound(lane), limits.maxAggregateSizeBytes)),
    };
  }
  return { records: Math.min(lane.queue.length, UNAGGREGATED_TOKEN_BATCH_RECORDS), bytes: headBytes };
}

/**
 * The room a packing pass over an aggregating lane must still have, in its request and its tokens,
 * to open another aggregate: none while the tokens pay for everything the lane holds; a full
 * aggregate's (`maxAggregateSizeBytes`, or what `maxAggregateRecords` of its records take) when
 * they do not (the shard is saturated), so that the few hundred bytes of tokens left after the
 * last full aggregate wait for the next refill instead of going out, each time, as an entry of one
 * or two records.
 */
export function roomToOpenAggregate(lane: ShardLane, available: Tokens, limits: ReadinessLimits): number {
  if (!limits.aggregation || lane.shardId === undefined) return 0;
  return available.bytes >= heldBytesBound(lane) ? 0 : fullAggregateBytes(lane, limits);
}

/**
 * About how many bytes a full aggregate of the lane's records takes: `maxAggregateSizeBytes`, or,
 * when `maxAggregateRecords` fills an aggregate first, that many records of the lane's average size.
 */
function fullAggregateBytes(lane: ShardLane, limits: ReadinessLimits): number {
  if (!Number.isFinite(limits.maxAggregateRecords) || lane.queue.length === 0)
    return limits.maxAggregateSizeBytes;
  const averageBytes = lane.bytes / lane.queue.length + AGGREGATE_BYTES_PER_RECORD;
  const byCount = Math.ceil(limits.maxAggregateRecords * averageBytes) + AGGREGATE_HEADER_BYTES;
  return Math.min(limits.maxAggregateSizeBytes, byCount);
}

/** At most how many bytes the lane's records take aggregated: their sizes, framing and one header. */
function heldBytesBound(lane: ShardLane): number {
  return lane.bytes + AGGREGATE_BYTES_PER_RECORD * lane.queue.length + AGGREGATE_HEADER_BYTES;
}
