import { describe, expect, it } from 'vitest';
import { pending } from '../../test/pending.js';
import {
  isDue,
  type ReadinessLimits,
  roomToOpenAggregate,
  sendAheadMs,
  tokensWorthSending,
  UNAGGREGATED_TOKEN_BATCH_RECORDS,
} from './send-readiness.js';
import { ShardLane } from './shard-lane.js';
import { ShardRateLimiter } from './token-bucket.js';

const limits: ReadinessLimits = {
  aggregation: true,
  maxAggregateSizeBytes: 50 * 1024,
  maxAggregateRecords: Number.POSITIVE_INFINITY,
  maxRequestEntries: 500,
  maxRequestBytes: 5 * 1024 * 1024,
  preserveKeyOrder: true,
  maxBufferedTimeMs: 100,
};

/** A predicted shard's lane holding `count` records of `dataBytes` bytes under partition key "k" (1 byte). */
function laneWith(count: number, dataBytes: number): ShardLane {
  const lane = new ShardLane('shard-0', new ShardRateLimiter(100, 1024 * 1024, 0));
  for (let i = 0; i < count; i++) lane.push(pending('k', new Uint8Array(dataBytes)));
  return lane;
}

describe('tokensWorthSending', () => {
  it('asks for what an aggregating lane holds, with room for the aggregate framing, up to one full aggregate', () => {
    // 10 records of 100 + 1 bytes, 16 bytes of framing each at most, and the header and MD5.
    expect(tokensWorthSending(laneWith(10, 100), limits)).toEqual({
      records: 1,
      bytes: 10 * 101 + 10 * 16 + 24,
    });
    expect(tokensWorthSending(laneWith(2000, 100), limits)).toEqual({ records: 1, bytes: 50 * 1024 });
  });

  it('asks for at least the first record, when it is larger than an aggregate', () => {
    const lane = laneWith(1, 200 * 1024);
    lane.push(pending('k', 'x'));
    expect(tokensWorthSending(lane, limits).bytes).toBe(200 * 1024 + 1);
  });

  it("unaggregated, asks for up to a batch of record tokens and the first record's bytes", () => {
    const raw = { ...limits, aggregation: false };
    expect(tokensWorthSending(laneWith(3, 100), raw)).toEqual({ records: 3, bytes: 101 });
    expect(tokensWorthSending(laneWith(400, 100), raw)).toEqual({
      records: UNAGGREGATED_TOKEN_BATCH_RECORDS,
      bytes: 101,
    });
  });

  it('asks nothing of an empty lane', () => {
    expect(tokensWorthSending(laneWith(0, 100), limits)).toEqual({ records: 1, bytes: 24 });
  });
});

describe('roomToOpenAggregate', () => {
  it('asks for a full aggregate of room only while the tokens do not pay for everything the lane holds', () => {
    const lane = laneWith(1000, 100); // about 117 KB aggregated
    expect(roomToOpenAggregate(lane, { records: 1000, bytes: 80_000 }, limits)).toBe(50 * 1024);
    expect(roomToOpenAggregate(lane, { records: 1000, bytes: 1024 * 1024 }, limits)).toBe(0);
    expect(
      roomToOpenAggregate(lane, { records: 1000, bytes: 80_000 }, { ...limits, aggregation: false }),
    ).toBe(0);
  });

  it('counts a full aggregate as maxAggregateRecords records of the lane when that fills it first', () => {
    const lane = laneWith(1000, 100); // records of 101 bytes
    const byCount = { ...limits, maxAggregateRecords: 20 };
    expect(roomToOpenAggregate(lane, { records: 1000, bytes: 80_000 }, byCount)).toBe(20 * (101 + 16) + 24);
    // The wait is still for up to maxAggregateSizeBytes: several such aggregates go together.
    expect(tokensWorthSending(lane, byCount).bytes).toBe(50 * 1024);
  });
});

describe('sendAheadMs and isDue', () => {
  it('sends a lane up to a fifth of maxBufferedTimeMs early, at most 50 ms', () => {
    expect(sendAheadMs({ ...limits, maxBufferedTimeMs: 100 })).toBe(20);
    expect(sendAheadMs({ ...limits, maxBufferedTimeMs: 7 })).toBe(1);
    expect(sendAheadMs({ ...limits, maxBufferedTimeMs: 0 })).toBe(0);
    expect(sendAheadMs({ ...limits, maxBufferedTimeMs: 60_000 })).toBe(50);
  });

  it('counts a lane due within that window as due', () => {
    const lane = laneWith(1, 10); // due at 100 (test records arrive at 0)
    expect(isDue(lane, 79, false, limits)).toBe(false);
    expect(isDue(lane, 80, false, limits)).toBe(true);
    expect(isDue(lane, 0, true, limits)).toBe(true); // flushing
    expect(isDue(laneWith(0, 10), 1000, true, limits)).toBe(false); // nothing to send
  });
});
