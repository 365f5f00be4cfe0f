import { randomUUID } from 'node:crypto';

/** A claim this worker holds on an event id: it may run the side effect until `leaseExpiresAtMs`. */
export interface IdempotencyClaim {
  readonly eventId: string;
  /** Identifies this claim (a new one on every claim), so that only its holder releases it. */
  readonly token: string;
  /** When the claim expires and another worker may take the event over, in ms since the epoch. */
  readonly leaseExpiresAtMs: number;
}

/** What {@link IdempotencyStore.claim} found. */
export type ClaimResult =
  /** The event was new (or its previous claim had expired or been released): run the side effect. */
  | { readonly status: 'claimed'; readonly claim: IdempotencyClaim }
  /** The side effect already completed: skip it. */
  | { readonly status: 'done' }
  /** Another claim is running (or its holder died and it has not expired yet). */
  | { readonly status: 'in-progress'; readonly leaseExpiresAtMs: number };

/**
 * Remembers which events' side effects completed, so that redelivered records are skipped. The
 * protocol: `claim` (an in-progress mark with a short lease, taken by one worker at a time) → run the
 * side effect → `complete` (a done mark kept for a TTL), or `release` when the side effect failed, so
 * that the redelivery runs it again. A claim whose holder crashed expires after its lease.
 */
export interface IdempotencyStore {
  claim(eventId: string): Promise<ClaimResult>;
  /** Marks the event done. Resolves even when the claim had expired meanwhile (the side effect did complete). */
  complete(claim: IdempotencyClaim): Promise<void>;
  /** Drops the claim (if it is still this one), so that the event can be claimed again at once. */
  release(claim: IdempotencyClaim): Promise<void>;
}

/** Options of {@link InMemoryIdempotencyStore}. */
export interface InMemoryIdempotencyStoreOptions {
  /** How long a claim is valid, in ms. @defaultValue 30000 */
  readonly leaseDurationMs?: number;
  /** How long a done event is remembered, in seconds. @defaultValue 691200 (8 days) */
  readonly ttlSeconds?: number;
  /** The clock, in ms since the epoch. @defaultValue Date.now */
  readonly now?: () => number;
}

interface Entry {
  status: 'in-progress' | 'done';
  token: string;
  leaseExpiresAtMs: number;
  expiresAtSeconds: number;
}

/**
 * An {@link IdempotencyStore} in this process's memory, with the same rules as the DynamoDB one: for
 * tests, and for one-worker applications that accept forgetting on restart. Not shared between
 * workers.
 */
export class InMemoryIdempotencyStore implements IdempotencyStore {
  private readonly entries = new Map<string, Entry>();
  private readonly leaseDurationMs: number;
  private readonly ttlSeconds: number;
  private readonly now: () => number;

  constructor(options: InMemoryIdempotencyStoreOptions = {}) {
    this.leaseDurationMs = options.leaseDurationMs ?? 30_000;
    this.ttlSeconds = options.ttlSeconds ?? 691_200;
    this.now = options.now ?? Date.now;
  }

  async claim(eventId: string): Promise<ClaimResult> {
    const now = this.now();
    const entry = this.entries.get(eventId);
    if (entry && entry.expiresAtSeconds * 1_000 > now) {
      if (entry.status === 'done') return { status: 'done' };
      if (entry.leaseExpiresAtMs >= now)
        return { status: 'in-progress', leaseExpiresAtMs: entry.leaseExpiresAtMs };
    }
    const claim = { eventId, token: randomUUID(), leaseExpiresAtMs: now + this.leaseDurationMs };
    this.entries.set(eventId, {
      status: 'in-progress',
      token: claim.token,
      leaseExpiresAtMs: claim.leaseExpiresAtMs,
      expiresAtSeconds: ttlEpochSeconds(now, this.ttlSeconds),
    });
    return { status: 'claimed', claim };
  }

  async complete(claim: IdempotencyClaim): Promise<void> {
    const now = this.now();
    this.entries.set(claim.eventId, {
      status: 'done',
      token: claim.token,
      leaseExpiresAtMs: 0,
      expiresAtSeconds: ttlEpochSeconds(now, this.ttlSeconds),
    });
  }

  async release(claim: IdempotencyClaim): Promise<void> {
    const entry = this.entries.get(claim.eventId);
    if (entry?.status === 'in-progress' && entry.token === claim.token) this.entries.delete(claim.eventId);
  }
}

/**
 * The expiry of a mark written at `nowMs`, as DynamoDB TTL wants it: whole seconds since the epoch
 * (`floor(now / 1000) + ttlSeconds`), never milliseconds.
 */
export function ttlEpochSeconds(nowMs: number, ttlSeconds: number): number {
  return Math.floor(nowMs / 1_000) + ttlSeconds;
}
