import { awsErrorCode, describeError, type Logger } from '@kinesis-ts/core';
import { RepeatingTimer } from '../util/repeating-timer.js';
import { decideIndexDiscovery, type LeaseAssignmentMode } from './kcl3-protocol.js';

/** The lease table calls the set-up needs (implemented by `LeaseTable`). */
export interface LeaseOwnerIndexAdmin {
  /** The index's `IndexStatus`, or `undefined` when the table has none (DescribeTable). */
  leaseOwnerIndexStatus(signal?: AbortSignal): Promise<string | undefined>;
  /** Adds the index with UpdateTable; `false` when it exists already or the table is busy. */
  createLeaseOwnerIndex(signal?: AbortSignal): Promise<boolean>;
}

/** Options of {@link LeaseOwnerIndexSetup}. */
export interface LeaseOwnerIndexSetupOptions {
  readonly table: LeaseOwnerIndexAdmin;
  /** `createLeaseOwnerIndexIfMissing`. */
  readonly createAllowed: boolean;
  /** How often to look again while the index is being built, in ms. */
  readonly recheckIntervalMs: number;
  readonly logger: Logger;
  /** Called once, when the index is ACTIVE: discovery may use it from now on. */
  readonly onActive: () => void;
}

/**
 * Start-up of index discovery (`'worker-utilization'`): uses the `LeaseOwnerToLeaseKeyIndex` when it
 * is ACTIVE; when the table has none, adds it with UpdateTable if `createLeaseOwnerIndexIfMissing`
 * allows (the KCL 3.x does the same at start), and looks again every `recheckIntervalMs` until
 * DynamoDB has built it. Whatever fails (no `dynamodb:UpdateTable` or `DescribeTable` permission, a
 * local emulator that cannot add an index to a table) is logged once and the worker keeps scanning
 * the table as without the index: discovery is a saving, never a condition to run.
 */
export class LeaseOwnerIndexSetup {
  private readonly timer: RepeatingTimer;
  private readonly stopping = new AbortController();
  private active = false;

  constructor(private readonly options: LeaseOwnerIndexSetupOptions) {
    this.timer = new RepeatingTimer(options.recheckIntervalMs, 'fixed-delay', () => this.recheck());
  }

  /** Whether discovery uses the index now. */
  isActive(): boolean {
    return this.active;
  }

  /** Looks at the index once (creating it when allowed); never rejects. */
  async start(mode: LeaseAssignmentMode): Promise<void> {
    if (mode !== 'worker-utilization') return;
    const { table, logger } = this.options;
    const signal = this.stopping.signal;
    let status: string | undefined;
    try {
      status = await table.leaseOwnerIndexStatus(signal);
    } catch (error) {
      if (!signal.aborted) this.fallBack('describing the lease table failed', error);
      return;
    }
    const decision = decideIndexDiscovery({
      mode,
      indexStatus: status,
      createAllowed: this.options.createAllowed,
    });
    if (decision === 'use-index') return this.activate();
    if (decision === 'scan') {
      logger.info('Lease discovery scans the table: it has no usable LeaseOwnerToLeaseKeyIndex', {
        indexStatus: status,
        createLeaseOwnerIndexIfMissing: this.options.createAllowed,
      });
      return;
    }
    if (decision === 'create-index') {
      try {
        await table.createLeaseOwnerIndex(signal);
        logger.info('Adding the LeaseOwnerToLeaseKeyIndex to the lease table; scanning until it is ACTIVE');
      } catch (error) {
        if (!signal.aborted) this.fallBack('adding it with UpdateTable failed', error);
        return;
      }
    }
    this.timer.start();
  }

  /** Stops looking again. */
  async stop(): Promise<void> {
    this.stopping.abort(new Error('stopping'));
    await this.timer.stop();
  }

  private async recheck(): Promise<void> {
    const signal = this.stopping.signal;
    try {
      const status = await this.options.table.leaseOwnerIndexStatus(signal);
      if (status === 'ACTIVE') {
        this.activate();
        void this.timer.stop();
      } else if (status === undefined || status === 'DELETING') {
        this.options.logger.warn('The LeaseOwnerToLeaseKeyIndex went away; lease discovery keeps scanning');
        void this.timer.stop();
      }
    } catch (error) {
      if (!signal.aborted)
        this.options.logger.debug('Looking at the LeaseOwnerToLeaseKeyIndex failed', {
          error: describeError(error),
        });
    }
  }

  private activate(): void {
    if (this.active) return;
    this.active = true;
    this.options.logger.info('Lease discovery uses the LeaseOwnerToLeaseKeyIndex; only the leader scans');
    this.options.onActive();
  }

  private fallBack(what: string, error: unknown): void {
    this.options.logger.warn(`Lease discovery scans the table: ${what}`, {
      code: awsErrorCode(error),
      error: describeError(error),
    });
  }
}
