import { describe, expect, it } from 'vitest';
import { InMemoryIdempotencyStore, ttlEpochSeconds } from './idempotency-store.js';
import { idempotent, positionEventId } from './idempotent.js';
import { IdempotencyInProgressError, IdempotencyKeyMissingError } from './processing-errors.js';

interface Event {
  readonly id?: string;
  readonly n: number;
}

function clock(start = 1_700_000_000_000) {
  let time = start;
  return {
    now: () => time,
    sleep: async (ms: number) => {
      time += ms;
    },
    advance: (ms: number) => {
      time += ms;
    },
  };
}

describe('idempotent', () => {
  it('runs the side effect once and skips duplicates of a done id (SC-18)', async () => {
    const time = clock();
    const store = new InMemoryIdempotencyStore({ now: time.now });
    const effects: number[] = [];
    const duplicates: string[] = [];
    const handle = idempotent(
      store,
      (e: Event) => e.id,
      (e) => void effects.push(e.n),
      {
        now: time.now,
        onDuplicate: (id) => duplicates.push(id),
      },
    );
    expect(await handle({ id: 'e1', n: 1 })).toBe('processed');
    expect(await handle({ id: 'e1', n: 1 })).toBe('duplicate');
    expect(await handle({ id: 'e2', n: 2 })).toBe('processed');
    expect(effects).toEqual([1, 2]);
    expect(duplicates).toEqual(['e1']);
  });

  it('does not lose a record whose side effect failed after the claim: the redelivery runs it (SC-19)', async () => {
    const store = new InMemoryIdempotencyStore();
    let calls = 0;
    const effects: number[] = [];
    const handle = idempotent(
      store,
      (e: Event) => e.id,
      (e) => {
        calls++;
        if (calls <= 2) throw new Error(`attempt ${calls} failed`);
        effects.push(e.n);
      },
    );
    await expect(handle({ id: 'e1', n: 1 })).rejects.toThrow('attempt 1 failed');
    await expect(handle({ id: 'e1', n: 1 })).rejects.toThrow('attempt 2 failed');
    expect(await handle({ id: 'e1', n: 1 })).toBe('processed');
    expect(await handle({ id: 'e1', n: 1 })).toBe('duplicate');
    expect(effects).toEqual([1]);
  });

  it('waits for a crashed worker’s claim to expire, then runs the side effect', async () => {
    const time = clock();
    const store = new InMemoryIdempotencyStore({ now: time.now, leaseDurationMs: 5_000 });
    const crashed = await store.claim('e1'); // a worker that claimed and died
    expect(crashed.status).toBe('claimed');
    const effects: string[] = [];
    const handle = idempotent(
      store,
      (e: Event) => e.id,
      () => void effects.push('ran'),
      {
        now: time.now,
        sleep: time.sleep,
      },
    );
    const started = time.now();
    expect(await handle({ id: 'e1', n: 1 })).toBe('processed');
    expect(effects).toEqual(['ran']);
    expect(time.now() - started).toBeGreaterThan(5_000);
    expect(time.now() - started).toBeLessThan(5_000 + 1_000 + 2);
  });

  it('skips once the other worker finishes while it waits', async () => {
    const time = clock();
    const store = new InMemoryIdempotencyStore({ now: time.now, leaseDurationMs: 60_000 });
    const other = await store.claim('e1');
    let polls = 0;
    const handle = idempotent(
      store,
      (e: Event) => e.id,
      () => {
        throw new Error('must not run');
      },
      {
        now: time.now,
        sleep: async (ms) => {
          time.advance(ms);
          if (++polls === 3 && other.status === 'claimed') await store.complete(other.claim);
        },
      },
    );
    expect(await handle({ id: 'e1', n: 1 })).toBe('duplicate');
    expect(polls).toBe(3);
  });

  it('throws IdempotencyInProgressError at once when told not to wait, or after maxWaitMs', async () => {
    const time = clock();
    const store = new InMemoryIdempotencyStore({ now: time.now, leaseDurationMs: 60_000 });
    await store.claim('e1');
    const failFast = idempotent(
      store,
      (e: Event) => e.id,
      () => {},
      { whenInProgress: 'fail', now: time.now },
    );
    const error = await failFast({ id: 'e1', n: 1 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(IdempotencyInProgressError);
    expect(error).toMatchObject({ code: 'IDEMPOTENCY_IN_PROGRESS', eventId: 'e1', retryable: true });
    const patient = idempotent(
      store,
      (e: Event) => e.id,
      () => {},
      {
        maxWaitMs: 10_000,
        now: time.now,
        sleep: time.sleep,
      },
    );
    await expect(patient({ id: 'e1', n: 1 })).rejects.toBeInstanceOf(IdempotencyInProgressError);
  });

  it('stops waiting for another claim when the context signal aborts, failing the record undone', async () => {
    const store = new InMemoryIdempotencyStore({ leaseDurationMs: 60_000 });
    await store.claim('e1'); // another worker's live claim
    const effects: number[] = [];
    const handle = idempotent(
      store,
      (e: Event) => e.id,
      (e: Event, _context: { signal: AbortSignal }) => void effects.push(e.n),
      {
        pollIntervalMs: 3_600_000, // would wait an hour between looks without the signal
      },
    );
    const stopping = new AbortController();
    const outcome = handle({ id: 'e1', n: 1 }, { signal: stopping.signal }).catch((e: unknown) => e);
    await new Promise((r) => setTimeout(r, 5));
    stopping.abort(new Error('worker stopping'));
    expect(await outcome).toMatchObject({ message: 'worker stopping' });
    expect(effects).toEqual([]);
    expect(await store.claim('e1')).toMatchObject({ status: 'in-progress' }); // not marked done
  });

  it('refuses a record without an event id instead of processing it undeduplicated', async () => {
    const handle = idempotent(
      new InMemoryIdempotencyStore(),
      (e: Event) => e.id,
      () => {},
    );
    await expect(handle({ n: 1 })).rejects.toBeInstanceOf(IdempotencyKeyMissingError);
    await expect(handle({ id: '', n: 1 })).rejects.toThrow(/empty string/);
  });

  it('passes the other arguments through to the side effect', async () => {
    const seen: unknown[] = [];
    const handle = idempotent(
      new InMemoryIdempotencyStore(),
      (e: Event) => e.id,
      (_e: Event, context: { shardId: string }) => void seen.push(context.shardId),
    );
    await handle({ id: 'x', n: 1 }, { shardId: 'shard-7' });
    expect(seen).toEqual(['shard-7']);
  });

  it('still rethrows the side effect’s error when the release fails', async () => {
    const store = new InMemoryIdempotencyStore();
    store.release = async () => {
      throw new Error('release failed');
    };
    const handle = idempotent(
      store,
      (e: Event) => e.id,
      () => {
        throw new Error('side effect failed');
      },
    );
    await expect(handle({ id: 'x', n: 1 })).rejects.toThrow('side effect failed');
  });
});

describe('positionEventId and ttlEpochSeconds', () => {
  it('build an id from the record position', () => {
    expect(positionEventId({ sequenceNumber: '4954', subSequenceNumber: 2 })).toBe('4954/2');
    expect(positionEventId({ sequenceNumber: '4954' })).toBe('4954/0');
  });

  it('give TTLs in whole epoch seconds, not milliseconds (SC-20)', () => {
    expect(ttlEpochSeconds(1_700_000_000_999, 691_200)).toBe(1_700_000_000 + 691_200);
  });
});

describe('InMemoryIdempotencyStore', () => {
  it('lets a claim be taken over once its lease expired, and only its holder release it', async () => {
    const time = clock();
    const store = new InMemoryIdempotencyStore({ now: time.now, leaseDurationMs: 1_000 });
    const first = await store.claim('e');
    expect(await store.claim('e')).toEqual({ status: 'in-progress', leaseExpiresAtMs: time.now() + 1_000 });
    time.advance(1_001);
    const second = await store.claim('e');
    expect(second.status).toBe('claimed');
    if (first.status === 'claimed') await store.release(first.claim); // stale: no effect
    expect((await store.claim('e')).status).toBe('in-progress');
  });
});
