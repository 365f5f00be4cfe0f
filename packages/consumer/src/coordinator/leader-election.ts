import { randomUUID } from 'node:crypto';
import { describeError, type Logger, SILENT_LOGGER } from '@kinesis-ts/core';
import type { LeaderLockStore } from '../leases/dynamodb/leader-lock-table.js';

/** Options of {@link LeaderElection}. */
export interface LeaderElectionOptions {
  readonly store: LeaderLockStore;
  readonly workerId: string;
  /** How long the lock is held without a heartbeat (KCL: 120 000), in ms. */
  readonly leaseDurationMs: number;
  /** How often the holder heartbeats and the others look at the lock (KCL: 30 000), in ms. */
  readonly heartbeatPeriodMs: number;
  readonly now: () => number;
  readonly logger?: Logger;
  readonly newVersion?: () => string;
  /** Called when this worker becomes leader or stops being it. */
  readonly onLeadershipChange?: (leader: boolean) => void;
  readonly onError?: (error: unknown) => void;
}

/** Heartbeat periods without a change of the lock's version after which no leader seems alive. */
export const LEADER_SILENCE_HEARTBEATS = 3;

/**
 * Leader election over one lock row, with the semantics of the DynamoDB lock client the KCL 3.x uses:
 * the holder rewrites the row's record version number every heartbeat; another worker takes the lock
 * only when it finds the row absent or released, or when the version it saw has not changed for a
 * whole lease duration of its own clock (so skewed clocks do not matter). The holder counts itself
 * leader only while its last successful heartbeat is less than a lease duration old, so two leaders
 * never overlap while heartbeats run on time. Call {@link tick} every `heartbeatPeriodMs`.
 */
export class LeaderElection {
  private readonly options: LeaderElectionOptions;
  private readonly logger: Logger;
  private held: { version: string; lastHeartbeatAtMs: number } | undefined;
  /** The version last seen on the row, and since when (local clock). */
  private observed: { version: string | undefined; sinceMs: number } | undefined;
  private running: Promise<void> | undefined;
  private wasLeader = false;

  constructor(options: LeaderElectionOptions) {
    this.options = options;
    this.logger = options.logger ?? SILENT_LOGGER;
  }

  /** Whether this worker holds the lock now (its last heartbeat is younger than the lease duration). */
  isLeader(): boolean {
    return (
      this.held !== undefined &&
      this.options.now() - this.held.lastHeartbeatAtMs < this.options.leaseDurationMs
    );
  }

  /**
   * Whether some worker seems to lead: this one, or another whose lock version was seen to change
   * within three heartbeat periods. While none does, workers take expired leases themselves. Three,
   * not two: this worker reads the lock once a period on its own timer, so a heartbeat that lands
   * just after a read is seen a period late, and a read that runs late adds to that; two periods
   * would call a live leader dead at such moments, and every follower would scan.
   */
  leaderSeemsAlive(): boolean {
    if (this.isLeader()) return true;
    if (!this.observed || this.observed.version === undefined) return false;
    return (
      this.options.now() - this.observed.sinceMs < LEADER_SILENCE_HEARTBEATS * this.options.heartbeatPeriodMs
    );
  }

  /** One step: heartbeat when leading, else look at the lock and take it when free. Never rejects. */
  tick(signal?: AbortSignal): Promise<void> {
    this.running ??= this.step(signal)
      .catch((error) => {
        this.logger.warn('Leader election step failed', { error: describeError(error) });
        this.options.onError?.(error);
      })
      .finally(() => {
        this.running = undefined;
        this.notify();
      });
    return this.running;
  }

  /** Gives the lock up (marks it released) when held; the next leader need not wait. Never rejects. */
  async resign(signal?: AbortSignal): Promise<void> {
    await this.running;
    const held = this.held;
    this.held = undefined;
    this.notify();
    if (!held) return;
    try {
      await this.options.store.release(this.options.workerId, held.version, signal);
    } catch (error) {
      this.logger.warn('Releasing the leader lock failed; it expires after its lease duration', {
        error: describeError(error),
      });
    }
  }

  private async step(signal?: AbortSignal): Promise<void> {
    const { store, workerId, leaseDurationMs } = this.options;
    const newVersion = this.options.newVersion ?? randomUUID;
    if (this.held) {
      const version = newVersion();
      const startedAt = this.options.now();
      let written: boolean;
      try {
        written = await store.write(workerId, version, leaseDurationMs, this.held.version, signal);
      } catch (error) {
        if (!this.isLeader()) {
          this.logger.warn('Leader heartbeats failed for a lease duration; leadership given up');
          this.held = undefined;
        }
        throw error;
      }
      if (written) {
        this.held = { version, lastHeartbeatAtMs: startedAt };
        this.observed = { version, sinceMs: startedAt };
      } else {
        this.logger.warn('Leader lock taken by another worker');
        this.held = undefined;
      }
      return;
    }
    const now = this.options.now();
    const row = await store.read(signal);
    let expected: string | undefined;
    if (!row) {
      expected = undefined;
    } else if (row.isReleased || row.recordVersionNumber === undefined) {
      expected = row.recordVersionNumber;
    } else if (this.observed?.version !== row.recordVersionNumber) {
      this.observed = { version: row.recordVersionNumber, sinceMs: now };
      return;
    } else if (now - this.observed.sinceMs < (row.leaseDurationMs ?? leaseDurationMs)) {
      return;
    } else {
      expected = row.recordVersionNumber;
    }
    if (row && expected === undefined) return; // a row without a version: not a lock we can take safely
    const version = newVersion();
    const startedAt = this.options.now();
    if (await store.write(workerId, version, leaseDurationMs, expected, signal)) {
      this.logger.info('This worker is now the lease assignment leader', { previous: row?.ownerName });
      this.held = { version, lastHeartbeatAtMs: startedAt };
      this.observed = { version, sinceMs: startedAt };
    } else {
      this.observed = undefined;
    }
  }

  private notify(): void {
    const leader = this.isLeader();
    if (leader === this.wasLeader) return;
    this.wasLeader = leader;
    this.options.onLeadershipChange?.(leader);
  }
}
