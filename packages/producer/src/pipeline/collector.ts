import type { ResolvedProducerOptions } from '../options.js';
import { packRecords } from './packer.js';
import type { SentEntry } from './put-records-outcome.js';
import { isDue, type ReadinessLimits, roomToOpenAggregate, tokensWorthSending } from './send-readiness.js';
import type { ShardLane } from './shard-lane.js';
import type { Tokens } from './token-bucket.js';

/** A `PutRecords` request, built and then in flight. */
export interface RequestInFlight {
  /** The entries, in request order, each with the shard it was predicted for. */
  readonly entries: SentEntry[];
  /** The lanes whose records it carries. */
  readonly lanes: Set<ShardLane>;
  readonly startedAt: number;
}

/** The options that bound one request and the aggregates in it. */
export type CollectorLimits = ReadinessLimits & Pick<ResolvedProducerOptions, 'maxRecordSizeBytes'>;

const UNLIMITED_TOKENS: Tokens = { records: Number.POSITIVE_INFINITY, bytes: Number.POSITIVE_INFINITY };

/**
 * Collects one `PutRecords` request (at most `maxRequestEntries` entries and `maxRequestBytes`) from
 * the lanes that may send, most overdue first (`candidates`, sorted by the caller): each lane's
 * records are packed (aggregated or not) within the request's room and the lane's rate-limit tokens,
 * and taken out of its queue. Lanes that can send no more are removed from `candidates`; a lane
 * waiting for tokens learns when it can go on (`tokensAt`). The request may come back empty.
 */
export function collectRequest(
  candidates: ShardLane[],
  now: number,
  flushing: boolean,
  limits: CollectorLimits,
): RequestInFlight {
  const request: RequestInFlight = { entries: [], lanes: new Set(), startedAt: now };
  let bytes = 0;
  for (let index = 0; index < candidates.length; ) {
    const lane = candidates[index]!;
    const roomEntries = limits.maxRequestEntries - request.entries.length;
    const roomBytes = limits.maxRequestBytes - bytes;
    if (roomEntries <= 0 || roomBytes <= 0) break;
    const aggregate = limits.aggregation && lane.shardId !== undefined;
    // A record above the request limit (a large-record stream, over 5 MiB) goes alone in a request.
    const head = lane.queue.at(0);
    // Behind its rate limit, a lane waits until its tokens pay for a full aggregate (or what it
    // holds), rather than sending each trickle of tokens as it comes back (see tokensWorthSending).
    if (lane.limiter !== undefined && head !== undefined) {
      const worth = tokensWorthSending(lane, limits);
      const tokenWait = lane.limiter.msUntilAvailable(worth.records, worth.bytes, now);
      if (tokenWait > 0) {
        lane.tokensAt = now + tokenWait;
        candidates.splice(index, 1);
        continue;
      }
    }
    const tokens = lane.limiter?.available(now, head?.sizeBytes) ?? UNLIMITED_TOKENS;
    const oversizedHead = request.entries.length === 0 && head !== undefined && head.sizeBytes > roomBytes;
    const packed = packRecords(lane.queue, {
      aggregation: aggregate,
      maxAggregateSizeBytes: limits.maxAggregateSizeBytes,
      maxAggregateRecords: limits.maxAggregateRecords,
      maxRecordSizeBytes: limits.maxRecordSizeBytes,
      preserveKeyOrder: limits.preserveKeyOrder,
      maxEntries: roomEntries,
      maxBytes: oversizedHead ? head.sizeBytes : roomBytes,
      tokens,
      minRoomToOpenAggregate: lane.limiter === undefined ? 0 : roomToOpenAggregate(lane, tokens, limits),
    });
    if (packed.length === 0) {
      const tokenWait =
        head === undefined ? 0 : (lane.limiter?.msUntilAvailable(1, head.sizeBytes, now) ?? 0);
      if (tokenWait > 0) {
        lane.tokensAt = now + tokenWait;
        candidates.splice(index, 1);
        continue;
      }
      if (request.entries.length === 0) {
        // Nothing could be taken even into an empty request: only keys waiting on themselves are left.
        candidates.splice(index, 1);
        continue;
      }
      break; // the request is too full for this lane's next record: it goes into the next request
    }
    const packedBytes = packed.reduce((sum, entry) => sum + entry.sizeBytes, 0);
    lane.limiter?.take(packed.length, packedBytes, now);
    lane.taken(packed);
    for (const entry of packed) request.entries.push({ packed: entry, predictedShardId: lane.shardId });
    request.lanes.add(lane);
    bytes += packedBytes;
    // One request per lane at a time keeps keys in order; otherwise the lane may fill more requests.
    if (limits.preserveKeyOrder || !isDue(lane, now, flushing, limits)) candidates.splice(index, 1);
    else index++;
  }
  return request;
}
