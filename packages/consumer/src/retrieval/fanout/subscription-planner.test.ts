import { describe, expect, it } from 'vitest';
import { SubscriptionPlanner, type SubscriptionPlannerOptions } from './subscription-planner.js';

function planner(overrides: Partial<SubscriptionPlannerOptions> = {}) {
  return new SubscriptionPlanner({
    initialPosition: { type: 'AT_SEQUENCE_NUMBER', sequenceNumber: '100' },
    minSubscribeIntervalMs: 1_000,
    resourceInUseWaitMs: 5_000,
    backoff: { baseDelayMs: 1_000, maxDelayMs: 8_000 },
    shardEndCheckAfterMs: 10_000,
    random: () => 0.5,
    ...overrides,
  });
}

describe('SubscriptionPlanner (the fan-out subscription state machine, fake clock)', () => {
  it('starts the first subscription at the checkpoint, at once', () => {
    const p = planner();
    expect(p.startingPosition()).toEqual({ type: 'AT_SEQUENCE_NUMBER', sequenceNumber: '100' });
    expect(p.delayBeforeSubscribeMs(0)).toBe(0);
  });

  it('renews AFTER the last acknowledged continuation number, never one that was not processed', () => {
    const p = planner();
    p.subscribing(0);
    p.received('200', 3, 1_000);
    p.acknowledge(); // the batch of 200 was processed
    p.received('300', 2, 2_000); // handed out, not yet processed
    p.ended('completed', 300_000);
    expect(p.startingPosition()).toEqual({ type: 'AFTER_SEQUENCE_NUMBER', sequenceNumber: '200' });
    expect(p.lastAcknowledged()).toBe('200');
    p.acknowledge(); // too late: the unacknowledged event was dropped with its subscription
    expect(p.startingPosition()).toEqual({ type: 'AFTER_SEQUENCE_NUMBER', sequenceNumber: '200' });
  });

  it('keeps the initial position until an event is acknowledged', () => {
    const p = planner({ initialPosition: { type: 'TRIM_HORIZON' } });
    p.subscribing(0);
    p.ended('error', 10);
    expect(p.startingPosition()).toEqual({ type: 'TRIM_HORIZON' });
  });

  it('subscribes at most once per second per shard, even when a subscription ends at once', () => {
    const p = planner();
    p.subscribing(10_000);
    expect(p.ended('completed', 10_200)).toBe(800);
    expect(p.delayBeforeSubscribeMs(10_500)).toBe(500);
    expect(p.delayBeforeSubscribeMs(11_000)).toBe(0);
    p.subscribing(11_000);
    expect(p.ended('completed', 311_000)).toBe(0); // a normal 5-minute end: renew at once
  });

  it('waits at least 5 s (plus up to 20 % jitter) after ResourceInUseException', () => {
    const low = planner({ random: () => 0 });
    low.subscribing(0);
    expect(low.ended('resource-in-use', 100)).toBe(5_000);
    const high = planner({ random: () => 0.999 });
    high.subscribing(0);
    expect(high.ended('resource-in-use', 100)).toBe(5_000 + 999);
  });

  it('backs off with full jitter after throttling and errors, growing per consecutive failure and reset by an event', () => {
    const p = planner({ random: () => 0.5 });
    let now = 0;
    const fail = (end: 'throttled' | 'error' | 'idle-timeout') => {
      p.subscribing(now);
      now += 10;
      const wait = p.ended(end, now);
      now += wait;
      return wait;
    };
    // Windows 1 s, 2 s, 4 s, 8 s, 8 s (capped): half of each with random 0.5, never under the 1 s pacing.
    expect([fail('throttled'), fail('error'), fail('idle-timeout'), fail('error'), fail('error')]).toEqual([
      990, 1_000, 2_000, 4_000, 4_000,
    ]);
    expect(p.failures()).toBe(5);
    p.subscribing(now);
    p.received('1', 0, now + 10);
    expect(p.failures()).toBe(0);
    now += 20;
    expect(p.ended('error', now)).toBe(980); // back to the first window (500), under the 1 s pacing
  });

  it('asks for a shard-end check after 10 s without records or a new continuation, then every 10 s', () => {
    const p = planner();
    p.subscribing(0);
    p.received('500', 0, 1_000); // first continuation: progress
    p.received('500', 0, 6_000); // nothing new
    expect(p.shouldCheckShardEnd(10_999)).toBe(false);
    expect(p.shouldCheckShardEnd(11_000)).toBe(true);
    p.checkedShardEnd(11_000);
    expect(p.shouldCheckShardEnd(20_000)).toBe(false);
    expect(p.shouldCheckShardEnd(21_000)).toBe(true);
    p.received('500', 2, 21_500); // records: progress again
    expect(p.shouldCheckShardEnd(30_000)).toBe(false);
    p.received('600', 0, 31_000); // a new continuation number: progress too
    expect(p.shouldCheckShardEnd(40_999)).toBe(false);
    expect(p.shouldCheckShardEnd(41_000)).toBe(true);
  });

  it('never asks for a shard-end check when disabled', () => {
    const p = planner({ shardEndCheckAfterMs: 0 });
    p.subscribing(0);
    expect(p.shouldCheckShardEnd(1_000_000)).toBe(false);
  });
});
