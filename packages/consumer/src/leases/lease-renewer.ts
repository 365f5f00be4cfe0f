import { randomUUID } from 'node:crypto';
import {
  type AwsErrorContext,
  classifyAwsError,
  describeError,
  fullJitterBackoffMs,
  type Logger,
  type RandomSource,
  SILENT_LOGGER,
  sleep,
} from '@kinesis-ts/core';
import { CheckpointFailedError, LeaseLostError } from '../errors.js';
import { mapWithConcurrency } from '../util/map-with-concurrency.js';
import { SerialQueue } from '../util/serial-queue.js';
import { anySignal, sharedAbortController } from '../util/signals.js';
import type { Lease } from './lease.js';
import type {
  CheckpointStore,
  CheckpointUpdate,
  ConditionalWriteResult,
  LeaseWriter,
  PendingCheckpointUpdate,
} from './lease-store.js';
import type { ThroughputEstimates } from './lease-throughput-meter.js';

/**
 * How the errors of a held lease's writes are classified: the table answered this worker's client
 * when it took the lease, so a credentials error now is a refresh that failed (see
 * `AwsErrorContext`), tried again like any transient fault rather than taken as final.
 */
const LEASE_HELD: AwsErrorContext = Object.freeze({ credentialsResolvedBefore: true });

/** Options of {@link LeaseRenewer.release}. */
export interface LeaseReleaseOptions {
  /**
   * Retry a release that failed for a retryable reason (throttling, a transient error, a timeout)
   * until this time, in ms on the renewer's clock: no retry starts after it (the first try always
   * does). @defaultValue 4 tries in all
   */
  readonly retryUntilMs?: number;
  /** Aborts the release: its calls and its waits between tries. @defaultValue none */
  readonly signal?: AbortSignal;
}

/** Why a held lease was given up. */
export type LeaseLossReason =
  /** A renewal's condition failed: another worker took (stole) the lease. */
  | 'taken-by-another-worker'
  /** Renewals failed (throttling, network) for longer than the failover time. */
  | 'expired'
  /** A checkpoint's condition failed. */
  | 'checkpoint-conflict'
  /** This worker held more than `maxLeasesForWorker` and released it (the most recently taken first). */
  | 'over-max-leases';

/** Options of {@link LeaseRenewer}. */
export interface LeaseRenewerOptions {
  readonly table: LeaseWriter;
  readonly workerId: string;
  readonly failoverTimeMs: number;
  readonly renewalIntervalMs: number;
  /** The most renewals in flight at once. */
  readonly maxConcurrentRenewals: number;
  readonly now: () => number;
  readonly random: RandomSource;
  readonly logger?: Logger;
  /** Called once for each lease that is lost (never for released or dropped ones). */
  readonly onLeaseLost: (lease: Lease, reason: LeaseLossReason, token: string) => void;
  /** Called after every successful write to a held lease (renewal, checkpoint…), with the time it started. */
  readonly onLeaseWritten?: (lease: Lease, writeStartedAtMs: number) => void;
  /** Called when a renewal fails without losing the lease (throttling, a network error). */
  readonly onRenewalError?: (lease: Lease, error: unknown) => void;
  /** When given, each renewal writes the lease's `throughputKBps` from it (load-aware assignment). */
  readonly throughput?: ThroughputEstimates;
  /**
   * Called once when a renewal finds the lease in a KCL 3.x graceful handoff away from this worker
   * (`leaseOwner` the next owner, `checkpointOwner` this worker): the lease is still held (and
   * renewed) so that its processing can finish and checkpoint; then {@link LeaseRenewer.release}
   * hands it over. @defaultValue none (the lease is handed over at once)
   */
  readonly onHandoffRequested?: (lease: Lease, token: string) => void;
}

interface HeldLease {
  lease: Lease;
  readonly token: string;
  /** When this worker took the lease (the write started), in ms. */
  readonly acquiredAtMs: number;
  /** When the last successful write to the lease started, in ms: the local expiry clock. */
  lastWriteStartedAtMs: number;
  readonly queue: SerialQueue;
  state: 'held' | 'lost' | 'released';
}

/** Attempts at a checkpoint write that fails for a retryable reason, before `CHECKPOINT_FAILED`. */
const CHECKPOINT_ATTEMPTS = 4;
const CHECKPOINT_BACKOFF = { baseDelayMs: 100, maxDelayMs: 2_000 };
/** Tries of a release that fails for a retryable reason, when the caller gives no deadline. */
const RELEASE_ATTEMPTS = 4;
const RELEASE_BACKOFF = { baseDelayMs: 100, maxDelayMs: 2_000 };

/**
 * Keeps the leases this worker holds: renews each every `renewalIntervalMs` on its own timer, queues
 * every write per lease (renewal, checkpoint, release) so they never race each other, and gives
 * leases up when they are lost. A lease is lost when a renewal's condition fails (someone took it) or
 * when no write succeeded for `failoverTimeMs` (local expiry: other workers may take it from then on,
 * so this one must stop).
 *
 * Each acquisition gets a concurrency token; a checkpoint with a stale token (the lease was lost and
 * taken again in between) fails before any call.
 */
export class LeaseRenewer implements CheckpointStore {
  private readonly held = new Map<string, HeldLease>();
  private readonly options: LeaseRenewerOptions;
  private readonly logger: Logger;
  /** Aborted by {@link close}: renewals in flight stop, later ones are not sent. */
  private readonly closing = sharedAbortController();

  constructor(options: LeaseRenewerOptions) {
    this.options = options;
    this.logger = options.logger ?? SILENT_LOGGER;
  }

  /** Starts holding a lease just taken (the write started at `writeStartedAtMs`); returns its concurrency token. */
  add(lease: Lease, writeStartedAtMs: number): string {
    const existing = this.held.get(lease.leaseKey);
    if (existing && existing.state === 'held') existing.state = 'lost';
    const token = randomUUID();
    this.held.set(lease.leaseKey, {
      lease,
      token,
      acquiredAtMs: writeStartedAtMs,
      lastWriteStartedAtMs: writeStartedAtMs,
      queue: existing?.queue ?? new SerialQueue(),
      state: 'held',
    });
    return token;
  }

  /** Whether the lease is held (and not locally expired). */
  holds(leaseKey: string): boolean {
    return this.current(leaseKey) !== undefined;
  }

  /** The held leases' latest snapshots. */
  heldLeases(): Lease[] {
    return [...this.held.values()].filter((h) => h.state === 'held').map((h) => h.lease);
  }

  /** The held leases (locally expired ones are given up first) with when each was taken. */
  holdings(): { leaseKey: string; acquiredAtMs: number }[] {
    const out: { leaseKey: string; acquiredAtMs: number }[] = [];
    for (const leaseKey of [...this.held.keys()]) {
      const held = this.current(leaseKey);
      if (held) out.push({ leaseKey, acquiredAtMs: held.acquiredAtMs });
    }
    return out;
  }

  /** The latest snapshot of a held lease, if `token` (when given) is the current one. */
  getLease(leaseKey: string, token?: string): Lease | undefined {
    return this.current(leaseKey, token)?.lease;
  }

  /**
   * One renewal round: renews every held lease not written recently, and gives up locally expired
   * ones. A lease with a write already in flight (a slow checkpoint) is not waited for: that write
   * renews it if it succeeds, and waiting would hold up the other leases' renewals until they expire.
   */
  async renewAll(): Promise<void> {
    if (this.closing.signal.aborted) return;
    const leases = [...this.held.values()].filter((h) => h.state === 'held');
    await mapWithConcurrency(leases, this.options.maxConcurrentRenewals, async (held) => {
      if (held.queue.size > 0) {
        if (this.isLocallyExpired(held)) this.lose(held, 'expired');
        return;
      }
      await this.renew(held);
    });
  }

  /**
   * Renews a held lease now (one conditional write), to learn whether it is still held: resolves
   * `false` when it is not held with `token` or the renewal finds it taken (the loss is then reported
   * as usual), `true` when it is renewed, or when the renewal failed for another reason.
   */
  async verify(leaseKey: string, token: string): Promise<boolean> {
    const held = this.current(leaseKey, token);
    if (!held) return false;
    await this.renew(held, true);
    return this.current(leaseKey, token) !== undefined;
  }

  /**
   * Writes a checkpoint to a held lease. Retries throttling and transient failures a few times.
   * @throws LeaseLostError when the lease is not held with `token`, or the write's condition fails.
   * @throws CheckpointFailedError when the write kept failing for another reason.
   */
  checkpoint(leaseKey: string, token: string, update: CheckpointUpdate): Promise<Lease> {
    return this.writeWithRetries(leaseKey, token, (lease) =>
      this.options.table.updateCheckpoint(lease, update),
    );
  }

  /** Writes a pending checkpoint (`prepareCheckpoint`); same errors as {@link checkpoint}. */
  prepareCheckpoint(leaseKey: string, token: string, update: PendingCheckpointUpdate): Promise<Lease> {
    return this.writeWithRetries(leaseKey, token, (lease) =>
      this.options.table.updatePendingCheckpoint(lease, update),
    );
  }

  /**
   * Stops holding a lease and releases it in the table (`REMOVE leaseOwner`, counter + 1, if the
   * counter and owner are still ours), so that another worker can take it at once. A try that fails
   * for a retryable reason (throttling, a transient error, a timeout) is tried again after a
   * full-jitter backoff, until `retryUntilMs` (else 4 tries in all); a failed condition (another
   * worker took the lease) is not retried. Resolves `true` when the release was written; never
   * rejects (a release that cannot be written leaves the lease to expire for the others).
   */
  async release(leaseKey: string, options: LeaseReleaseOptions = {}): Promise<boolean> {
    const held = this.held.get(leaseKey);
    if (held?.state !== 'held') return false;
    held.state = 'released';
    return this.releaseWithRetries(held, options);
  }

  /**
   * Gives a held lease up although nothing took it (this worker holds too many): reports it lost
   * with `reason` at once, so that its processing stops and later checkpoints are refused, then
   * releases it in the table like {@link release} (retries included), after any write already
   * queued for it. Resolves `true` when the release was written.
   */
  async shed(leaseKey: string, reason: LeaseLossReason): Promise<boolean> {
    const held = this.held.get(leaseKey);
    if (held?.state !== 'held') return false;
    this.lose(held, reason);
    return this.releaseWithRetries(held, {});
  }

  private async releaseWithRetries(held: HeldLease, options: LeaseReleaseOptions): Promise<boolean> {
    const leaseKey = held.lease.leaseKey;
    const { signal, retryUntilMs } = options;
    try {
      return await held.queue.run(async () => {
        for (let attempt = 1; ; attempt++) {
          try {
            return await this.evict(held, attempt > 1, signal);
          } catch (error) {
            const delayMs = fullJitterBackoffMs(attempt, RELEASE_BACKOFF, this.options.random);
            const mayRetry =
              retryUntilMs === undefined
                ? attempt < RELEASE_ATTEMPTS
                : this.options.now() + delayMs <= retryUntilMs;
            if (signal?.aborted || classifyAwsError(error, LEASE_HELD) === 'fatal' || !mayRetry) throw error;
            this.logger.debug('Releasing a lease failed; retrying', {
              leaseKey,
              attempt,
              error: describeError(error),
            });
            await sleep(delayMs, signal);
          }
        }
      });
    } catch (error) {
      this.logger.warn('Releasing a lease failed; other workers take it once it expires', {
        leaseKey,
        error: describeError(error),
      });
      return false;
    } finally {
      if (this.held.get(leaseKey) === held) this.held.delete(leaseKey);
    }
  }

  /**
   * Aborts the renewals in flight and stops sending new ones (at stop, before the releases): a
   * renewal must not hold a release up in the lease's write queue.
   */
  close(): void {
    this.closing.abort(new Error('lease renewer closed'));
  }

  /** One try of a release: resolves whether this worker's release is in the table. */
  private async evict(held: HeldLease, retried: boolean, signal: AbortSignal | undefined): Promise<boolean> {
    const { table, workerId } = this.options;
    const tried = held.lease;
    if (tried.checkpointOwner === workerId) return this.transfer(held, signal);
    if (await table.evictLease(tried, workerId, signal)) return true;
    // The condition failed. A write of ours that we took for failed (a renewal or an earlier try of
    // this release that timed out) may have gone through: look at the row.
    const row = await table.getLease(tried.leaseKey, true, signal);
    if (row && row.leaseOwner === workerId) {
      held.lease = row; // a retry starts from the counter seen
      return (await table.evictLease(row, workerId, signal)) !== undefined;
    }
    return retried && row?.leaseOwner === undefined && row?.leaseCounter === tried.leaseCounter + 1;
  }

  /**
   * One try of the end of a handoff away from this worker: the next owner may start. Resolves whether
   * the transfer is in the table (a retry whose first try went through finds the row transferred).
   */
  private async transfer(held: HeldLease, signal: AbortSignal | undefined): Promise<boolean> {
    const { table } = this.options;
    const tried = held.lease;
    if (await table.transferLease(tried, signal)) {
      this.logger.info('Lease handed over', { leaseKey: tried.leaseKey, nextOwner: tried.leaseOwner });
      return true;
    }
    const row = await table.getLease(tried.leaseKey, true, signal);
    return (
      row !== undefined &&
      row.leaseOwner === tried.leaseOwner &&
      row.checkpointOwner === undefined &&
      row.leaseCounter > tried.leaseCounter
    );
  }

  /** Whether a lease is in a handoff away from this worker (held, renewed, to be handed over). */
  isHandingOff(leaseKey: string): boolean {
    return this.held.get(leaseKey)?.lease.checkpointOwner === this.options.workerId;
  }

  /** Whether the row is this worker's: its owner, or during a handoff away from it, its checkpoint owner. */
  private isOurs(row: Lease): boolean {
    const { workerId } = this.options;
    return row.checkpointOwner !== undefined ? row.checkpointOwner === workerId : row.leaseOwner === workerId;
  }

  /** A row that a mover put in a handoff from this worker to another, at the counter this worker holds. */
  private isHandoffAwayFromUs(held: HeldLease, row: Lease): boolean {
    return (
      held.lease.checkpointOwner === undefined &&
      row.checkpointOwner === this.options.workerId &&
      row.leaseOwner !== undefined &&
      row.leaseOwner !== this.options.workerId &&
      (row.leaseCounter === held.lease.leaseCounter || row.leaseCounter === held.lease.leaseCounter + 1)
    );
  }

  /**
   * A renewal found a handoff away from this worker: keep the lease alive (renew it again without the
   * `checkpointOwner` condition, as the KCL does) and tell the consumer, which lets the shard finish
   * and checkpoint, then releases it (a transfer to the next owner).
   */
  private async beginHandoff(
    held: HeldLease,
    row: Lease,
    signal: AbortSignal,
    startedAt: number,
  ): Promise<void> {
    const inHandoff: Lease = {
      ...held.lease,
      leaseCounter: row.leaseCounter,
      leaseOwner: row.leaseOwner,
      checkpointOwner: row.checkpointOwner,
    };
    held.lease = inHandoff;
    this.logger.info('Lease handoff requested', { leaseKey: row.leaseKey, nextOwner: row.leaseOwner });
    try {
      const renewed = await this.options.table.renewLease(inHandoff, signal);
      if (renewed) this.written(held, renewed, startedAt);
    } catch (error) {
      this.logger.warn('Renewing a lease in handoff failed; retrying at the next interval', {
        leaseKey: row.leaseKey,
        error: describeError(error),
      });
    }
    if (held.state !== 'held') return;
    if (this.options.onHandoffRequested) this.options.onHandoffRequested(held.lease, held.token);
    else void this.release(held.lease.leaseKey);
  }

  /** Stops holding a lease without writing anything (it expires for the others after the failover time). */
  drop(leaseKey: string): void {
    const held = this.held.get(leaseKey);
    if (!held) return;
    held.state = 'released';
    this.held.delete(leaseKey);
  }

  private current(leaseKey: string, token?: string): HeldLease | undefined {
    const held = this.held.get(leaseKey);
    if (held?.state !== 'held') return undefined;
    if (token !== undefined && held.token !== token) return undefined;
    if (this.isLocallyExpired(held)) {
      this.lose(held, 'expired');
      return undefined;
    }
    return held;
  }

  private isLocallyExpired(held: HeldLease): boolean {
    return this.options.now() - held.lastWriteStartedAtMs > this.options.failoverTimeMs;
  }

  private lose(held: HeldLease, reason: LeaseLossReason): void {
    if (held.state !== 'held') return;
    held.state = 'lost';
    if (this.held.get(held.lease.leaseKey) === held) this.held.delete(held.lease.leaseKey);
    this.logger.info('Lease lost', { leaseKey: held.lease.leaseKey, reason });
    this.options.onLeaseLost(held.lease, reason, held.token);
  }

  private async renew(held: HeldLease, force = false): Promise<void> {
    if (held.state !== 'held' || this.closing.signal.aborted) return;
    if (this.isLocallyExpired(held)) {
      this.lose(held, 'expired');
      return;
    }
    // A write in the last half interval (a checkpoint) already moved the counter.
    if (!force && this.options.now() - held.lastWriteStartedAtMs < this.options.renewalIntervalMs / 2) return;
    await held.queue.run(async () => {
      if (held.state !== 'held' || this.closing.signal.aborted) return;
      const startedAt = this.options.now();
      const timeout = new AbortController();
      const timer = setTimeout(
        () => timeout.abort(new Error('renewal timed out')),
        this.options.renewalIntervalMs,
      );
      const abort = anySignal([timeout.signal, this.closing.signal]);
      try {
        const throughputKBps = this.options.throughput?.nextEstimate(
          held.lease.leaseKey,
          held.lease.throughputKBps,
        );
        const renewed = await this.options.table.renewLease(held.lease, abort.signal, throughputKBps);
        if (renewed) {
          this.written(held, renewed, startedAt);
          return;
        }
        // The condition failed. Either another worker moved the counter (lost), or a mover started a
        // graceful handoff away from this worker, or an earlier write of ours that we believed failed
        // had gone through (a spurious failure): look at the row.
        const row = await this.options.table.getLease(held.lease.leaseKey, true, this.closing.signal);
        if (row && held.state === 'held' && this.isHandoffAwayFromUs(held, row)) {
          await this.beginHandoff(held, row, abort.signal, startedAt);
          return;
        }
        if (
          row &&
          this.isOurs(row) &&
          row.leaseCounter === held.lease.leaseCounter + 1 &&
          held.state === 'held'
        ) {
          this.written(held, row, startedAt);
          return;
        }
        this.lose(held, 'taken-by-another-worker');
      } catch (error) {
        if (held.state !== 'held' || this.closing.signal.aborted) return;
        this.logger.warn('Lease renewal failed; retrying at the next interval', {
          leaseKey: held.lease.leaseKey,
          error: describeError(error),
        });
        this.options.onRenewalError?.(held.lease, error);
      } finally {
        clearTimeout(timer);
        abort.dispose();
      }
    });
  }

  private written(held: HeldLease, lease: Lease, startedAt: number): void {
    if (held.state !== 'held') return;
    held.lease = lease;
    held.lastWriteStartedAtMs = Math.max(held.lastWriteStartedAtMs, startedAt);
    this.options.onLeaseWritten?.(lease, startedAt);
  }

  private async writeWithRetries(
    leaseKey: string,
    token: string,
    write: (lease: Lease) => Promise<ConditionalWriteResult>,
  ): Promise<Lease> {
    for (let attempt = 1; ; attempt++) {
      const held = this.current(leaseKey, token);
      if (!held)
        throw new LeaseLostError(leaseKey, 'this worker does not hold it (lost, expired or released)');
      try {
        return await held.queue.run(async () => {
          if (held.state !== 'held' || this.isLocallyExpired(held)) {
            if (held.state === 'held') this.lose(held, 'expired');
            throw new LeaseLostError(leaseKey, 'it was lost before the write could start');
          }
          const startedAt = this.options.now();
          const written = await write(held.lease);
          if (written) {
            this.written(held, written, startedAt);
            return written;
          }
          // The condition failed. An earlier write of ours that looked failed (a timeout after
          // DynamoDB applied it) may have moved the counter: if the row is still ours, write again
          // at its counter (the same checkpoint again is harmless); otherwise the lease is lost.
          const row = await this.options.table.getLease(leaseKey, true);
          if (row && this.isOurs(row) && held.state === 'held') {
            held.lease = row;
            throw new CounterMovedByUs();
          }
          this.lose(held, 'checkpoint-conflict');
          throw new LeaseLostError(leaseKey, 'its lease counter changed: another worker took it');
        });
      } catch (error) {
        if (LeaseLostError.isInstance(error)) throw error;
        if (error instanceof CounterMovedByUs) {
          if (attempt < CHECKPOINT_ATTEMPTS) continue;
          throw new CheckpointFailedError(leaseKey, error);
        }
        if (classifyAwsError(error, LEASE_HELD) === 'fatal' || attempt >= CHECKPOINT_ATTEMPTS) {
          throw new CheckpointFailedError(leaseKey, error);
        }
        await sleep(fullJitterBackoffMs(attempt, CHECKPOINT_BACKOFF, this.options.random));
      }
    }
  }
}

/** The lease row's counter was moved by a write of this worker's that looked failed: write again. */
class CounterMovedByUs extends Error {
  constructor() {
    super('the lease counter was moved by an earlier write of this worker');
    this.name = 'CounterMovedByUs';
  }
}
