import { ClientHistory, MAX_HASH_KEY } from '@kinesis-ts/core';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { serviceError } from '../../test/fake-kinesis.js';
import type { OpenShard } from './list-shards.js';
import { ShardMap, type ShardMapState } from './shard-map.js';

const HALF = (MAX_HASH_KEY + 1n) / 2n;
const QUARTER = HALF / 2n;

/** Two shards splitting the hash key space in halves. */
const TWO_SHARDS: OpenShard[] = [
  { shardId: 'shardId-0', startingHashKey: 0n, endingHashKey: HALF - 1n },
  { shardId: 'shardId-1', startingHashKey: HALF, endingHashKey: MAX_HASH_KEY },
];

/** The same stream after shardId-0 split into two children (the parent is closed, so not listed). */
const AFTER_SPLIT: OpenShard[] = [
  { shardId: 'shardId-2', startingHashKey: 0n, endingHashKey: QUARTER - 1n },
  { shardId: 'shardId-3', startingHashKey: QUARTER, endingHashKey: HALF - 1n },
  TWO_SHARDS[1]!,
];

/** A shard map whose `ListShards` answers are handed out by the test, one per fetch. */
function shardMapAnswering(...answers: (OpenShard[] | Error)[]) {
  const states: ShardMapState[] = [];
  const errors: { error: unknown; willRetry: boolean }[] = [];
  let fetches = 0;
  const map = new ShardMap({
    fetchShards: async () => {
      const answer = answers[Math.min(fetches, answers.length - 1)]!;
      fetches++;
      if (answer instanceof Error) throw answer;
      return answer;
    },
    onChange: (changed) => states.push(changed.state),
    onError: (error, willRetry) => errors.push({ error, willRetry }),
  });
  return {
    map,
    states,
    errors,
    get fetches() {
      return fetches;
    },
  };
}

/** Lets the pending fetch answer (fetches are promises; the clock is fake). */
const answered = () => vi.advanceTimersByTimeAsync(0);

beforeEach(() => {
  vi.useFakeTimers();
});

afterEach(() => {
  vi.useRealTimers();
});

describe('ShardMap', () => {
  it('predicts nothing until the first ListShards answers, then predicts each hash key from the ranges', async () => {
    const { map, states } = shardMapAnswering(TWO_SHARDS);
    expect(map.state).toBe('loading');
    map.start();
    expect(map.predict(0n)).toBeUndefined();

    await answered();

    expect(states).toEqual(['ready']);
    expect(map.generation).toBe(1);
    expect(map.shards.map((shard) => shard.shardId)).toEqual(['shardId-0', 'shardId-1']);
    expect(map.predict(0n)?.shardId).toBe('shardId-0');
    expect(map.predict(HALF - 1n)?.shardId).toBe('shardId-0');
    expect(map.predict(HALF)?.shardId).toBe('shardId-1');
    expect(map.predict(MAX_HASH_KEY)?.shardId).toBe('shardId-1');
  });

  it('predicts nothing for a hash key no open shard covers', async () => {
    const { map } = shardMapAnswering([TWO_SHARDS[0]!]);
    map.start();
    await answered();

    expect(map.predict(HALF - 1n)?.shardId).toBe('shardId-0');
    expect(map.predict(HALF)).toBeUndefined();
  });

  it('after a split, predicts the children and still knows the closed parent’s range', async () => {
    const shardMap = shardMapAnswering(TWO_SHARDS, AFTER_SPLIT);
    const { map, states } = shardMap;
    map.start();
    await answered();
    expect(shardMap.fetches).toBe(1);

    map.invalidate(1);
    expect(map.state).toBe('refreshing');
    expect(map.predict(0n)).toBeUndefined(); // nothing is predicted while a fresh map is fetched
    await answered();

    expect(states).toEqual(['ready', 'refreshing', 'ready']);
    expect(shardMap.fetches).toBe(2);
    expect(map.generation).toBe(2);
    expect(map.predict(0n)?.shardId).toBe('shardId-2');
    expect(map.predict(QUARTER)?.shardId).toBe('shardId-3');
    expect(map.predict(HALF)?.shardId).toBe('shardId-1');
    expect(map.shards.map((shard) => shard.shardId)).toEqual(['shardId-2', 'shardId-3', 'shardId-1']);
    // The parent is closed: never predicted again, but a put that landed on it can still be checked.
    expect(map.rangeOf('shardId-0')).toEqual(TWO_SHARDS[0]);
    expect(map.rangeOf('shardId-3')).toEqual(AFTER_SPLIT[1]);
  });

  it('knows no range for a shard no map has shown', async () => {
    const { map } = shardMapAnswering(TWO_SHARDS);
    expect(map.rangeOf('shardId-0')).toBeUndefined();
    map.start();
    await answered();

    expect(map.rangeOf('shardId-9')).toBeUndefined();
  });

  it('fetches once for several invalidations of one map, and ignores an invalidation of an older map', async () => {
    const shardMap = shardMapAnswering(TWO_SHARDS, AFTER_SPLIT, TWO_SHARDS);
    const { map } = shardMap;
    map.start();
    await answered();

    map.invalidate(1);
    map.invalidate(1); // already being refreshed
    await answered();
    expect(shardMap.fetches).toBe(2);
    expect(map.generation).toBe(2);

    map.invalidate(1); // a put predicted with the first map: the second already replaced it
    await answered();
    expect(shardMap.fetches).toBe(2);
    expect(map.state).toBe('ready');
  });

  it('retries a failed fetch from 1 s, 1.5 times longer each time, predicting nothing meanwhile', async () => {
    const throttled = serviceError('LimitExceededException');
    const shardMap = shardMapAnswering(throttled, throttled, TWO_SHARDS);
    const { map, states, errors } = shardMap;
    map.start();
    await answered();
    expect(map.state).toBe('failed');
    expect(errors).toEqual([{ error: throttled, willRetry: true }]);
    expect(map.predict(0n)).toBeUndefined();

    await vi.advanceTimersByTimeAsync(999);
    expect(shardMap.fetches).toBe(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(shardMap.fetches).toBe(2);
    expect(map.state).toBe('failed');

    await vi.advanceTimersByTimeAsync(1499);
    expect(shardMap.fetches).toBe(2);
    await vi.advanceTimersByTimeAsync(1);
    expect(shardMap.fetches).toBe(3);

    expect(states).toEqual(['failed', 'failed', 'ready']);
    expect(map.predict(HALF)?.shardId).toBe('shardId-1');
  });

  it('gives up at once on an error retrying cannot fix, and stays unavailable', async () => {
    const denied = serviceError('AccessDeniedException');
    const shardMap = shardMapAnswering(denied, TWO_SHARDS);
    const { map, errors } = shardMap;
    map.start();
    await answered();

    expect(map.state).toBe('unavailable');
    expect(errors).toEqual([{ error: denied, willRetry: false }]);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(shardMap.fetches).toBe(1);
    map.invalidate(map.generation); // only a ready map can be invalidated
    expect(shardMap.fetches).toBe(1);
  });

  it('retries a credentials error once the client has been answered (a refresh that failed), and gives up on it before', async () => {
    const refreshFailed = Object.assign(new Error('Could not load credentials from any providers'), {
      name: 'CredentialsProviderError',
    });
    /** A map whose first fetch gets the credentials error and the next the shards. */
    const mapAfter = (history: ClientHistory) => {
      const answers: (OpenShard[] | Error)[] = [refreshFailed, TWO_SHARDS];
      const willRetry: boolean[] = [];
      const map = new ShardMap({
        fetchShards: async () => {
          const answer = answers.shift()!;
          if (answer instanceof Error) throw answer;
          return answer;
        },
        onChange: () => {},
        onError: (_error, retrying) => willRetry.push(retrying),
        errorContext: () => history.errorContext,
      });
      map.start();
      return { map, willRetry };
    };

    const neverAnswered = mapAfter(new ClientHistory());
    await answered();
    expect(neverAnswered.map.state).toBe('unavailable'); // no credentials at all
    expect(neverAnswered.willRetry).toEqual([false]);

    const answeredBefore = new ClientHistory();
    answeredBefore.succeeded();
    const refreshing = mapAfter(answeredBefore);
    await answered();
    expect(refreshing.map.state).toBe('failed');
    await vi.advanceTimersByTimeAsync(1_000);
    expect(refreshing.map.state).toBe('ready');
    expect(refreshing.willRetry).toEqual([true]);
  });

  it('stops retrying once stopped', async () => {
    const shardMap = shardMapAnswering(serviceError('LimitExceededException'), TWO_SHARDS);
    const { map } = shardMap;
    map.start();
    await answered();
    map.stop();

    await vi.advanceTimersByTimeAsync(60_000);
    expect(shardMap.fetches).toBe(1);
    expect(map.state).toBe('failed');
  });
});
