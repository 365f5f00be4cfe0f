import { describe, expect, it } from 'vitest';
import { type FormerStreamsInput, planFormerStreamsCleanup } from './former-streams-plan.js';

const A = '123456789012:orders:1700000000';
const B = '123456789012:payments:1700000000';
const A_NEW = '123456789012:orders:1700009999';

const input = (over: Partial<FormerStreamsInput>): FormerStreamsInput => ({
  nowMs: 0,
  tracked: new Set(),
  inTable: new Set(),
  deleted: new Set(),
  provided: new Set(),
  pendingSinceMs: new Map(),
  ...over,
});

describe('planFormerStreamsCleanup', () => {
  it("keeps a former stream's leases with 'none'", () => {
    const plan = planFormerStreamsCleanup('none', input({ tracked: new Set([B]), inTable: new Set([A, B]) }));
    expect(plan.deleteNow).toEqual([]);
  });

  it('deletes an absent stream only after the wait, and forgets the wait when it comes back', () => {
    const deletion = { strategy: 'auto-detect-deferred', waitMs: 1_000 } as const;
    const first = planFormerStreamsCleanup(
      deletion,
      input({ nowMs: 5_000, tracked: new Set([B]), inTable: new Set([A, B]) }),
    );
    expect(first.deleteNow).toEqual([]);
    expect(first.pendingSinceMs.get(A)).toBe(5_000);
    const early = planFormerStreamsCleanup(
      deletion,
      input({
        nowMs: 5_999,
        tracked: new Set([B]),
        inTable: new Set([A, B]),
        pendingSinceMs: first.pendingSinceMs,
      }),
    );
    expect(early.deleteNow).toEqual([]);
    const back = planFormerStreamsCleanup(
      deletion,
      input({
        nowMs: 6_500,
        tracked: new Set([A, B]),
        inTable: new Set([A, B]),
        pendingSinceMs: early.pendingSinceMs,
      }),
    );
    expect(back.deleteNow).toEqual([]);
    expect(back.pendingSinceMs.size).toBe(0);
    const due = planFormerStreamsCleanup(
      deletion,
      input({
        nowMs: 6_000,
        tracked: new Set([B]),
        inTable: new Set([A, B]),
        pendingSinceMs: early.pendingSinceMs,
      }),
    );
    expect(due.deleteNow.map((d) => d.streamIdentifier)).toEqual([A]);
  });

  it('deletes only the provided streams, after the wait, and never a tracked one', () => {
    const deletion = { strategy: 'provided-deferred', waitMs: 0, streamIdentifiers: () => [A, B] } as const;
    const plan = planFormerStreamsCleanup(
      deletion,
      input({
        tracked: new Set([B]),
        inTable: new Set([A, B, '123456789012:audit:1']),
        provided: new Set([A, B]),
      }),
    );
    expect(plan.deleteNow.map((d) => d.streamIdentifier)).toEqual([A]);
  });

  it('deletes a deleted stream and the older incarnation of a recreated one whatever the strategy', () => {
    const plan = planFormerStreamsCleanup(
      'none',
      input({ tracked: new Set([A_NEW]), inTable: new Set([A, A_NEW, B]), deleted: new Set([B]) }),
    );
    expect(plan.deleteNow).toEqual([
      { streamIdentifier: A, reason: 'the stream was recreated under the same name' },
      { streamIdentifier: B, reason: 'the stream was deleted' },
    ]);
    // A deleted stream that is tracked again keeps its leases.
    expect(
      planFormerStreamsCleanup(
        'none',
        input({ tracked: new Set([B]), inTable: new Set([B]), deleted: new Set([B]) }),
      ).deleteNow,
    ).toEqual([]);
  });
});
