import {
  CheckpointSentinel,
  CoreErrorCode,
  compareExtendedSequenceNumbers,
  type ExtendedSequenceNumber,
  isSequenceNumber,
  ValidationError,
} from '@kinesis-ts/core';
import type { Lease } from '../leases/lease.js';
import { shardIdOfLeaseKey } from '../leases/lease.js';
import type { LeaseAdminIssue } from './admin-errors.js';

/**
 * Where to move checkpoints to:
 *
 * - `'TRIM_HORIZON'`: replay everything the stream still keeps;
 * - `'LATEST'`: skip everything written before the workers next start (finished shards stay finished);
 * - `{ timestamp }`: replay every record that arrived at or after this time (resolved per shard to
 *   the last record before it, because the lease table cannot hold a timestamp);
 * - `{ atSequenceNumber }`: one shard; replay from this record, inclusive;
 * - `{ afterSequenceNumber, subSequenceNumber? }`: one shard; written as is, as a checkpoint is:
 *   the records after this position are delivered.
 */
export type CheckpointResetTarget =
  | 'TRIM_HORIZON'
  | 'LATEST'
  | { readonly timestamp: Date | number }
  | { readonly atSequenceNumber: string }
  | { readonly afterSequenceNumber: string; readonly subSequenceNumber?: number };

/** A checkpoint a reset moves. */
export interface CheckpointChange {
  readonly leaseKey: string;
  readonly shardId: string;
  readonly from: ExtendedSequenceNumber;
  readonly to: ExtendedSequenceNumber;
  /** The worker that held the lease when the plan was made (its ownership is removed by the write). */
  readonly leaseOwner?: string;
  /** The `leaseCounter` seen; the write is conditional on it. */
  readonly leaseCounter: number;
}

/** A lease a reset leaves as it is, and why. */
export interface UnchangedLease {
  readonly leaseKey: string;
  readonly checkpoint: ExtendedSequenceNumber;
  readonly reason: string;
}

/** What a reset resolved for one lease: a new checkpoint, or a reason to leave it. */
export type ResolvedResetPosition =
  | { readonly checkpoint: ExtendedSequenceNumber; readonly unchanged?: undefined }
  | { readonly checkpoint?: undefined; readonly unchanged: string };

/** What a reset would change (`dryRun`) or changed. */
export interface CheckpointResetPlan {
  readonly changes: readonly CheckpointChange[];
  readonly unchanged: readonly UnchangedLease[];
  /** Leases the reset would change that live workers hold: the reset is refused unless `force`. */
  readonly heldLeases: readonly LeaseAdminIssue[];
}

/**
 * Checks a reset request before anything is read: a target is required, sequence-number targets
 * name exactly one shard, and timestamps are valid dates.
 * @throws ValidationError `INVALID_OPTION` naming the field.
 */
export function validateResetTarget(
  target: CheckpointResetTarget | undefined,
  shardIds: readonly string[] | undefined,
): void {
  const invalid = (field: string, limit: string, detail: string) =>
    new ValidationError(field, limit, detail, CoreErrorCode.INVALID_OPTION);
  if (target === undefined || target === null) {
    throw invalid(
      'target',
      "'TRIM_HORIZON', 'LATEST', { timestamp }, { atSequenceNumber } or { afterSequenceNumber }",
      'no target given: say where to move the checkpoints',
    );
  }
  if (typeof target === 'string') {
    if (target !== 'TRIM_HORIZON' && target !== 'LATEST') {
      throw invalid('target', "'TRIM_HORIZON' or 'LATEST' (or an object target)", `got '${target}'`);
    }
    return;
  }
  if (typeof target !== 'object') throw invalid('target', 'a string or an object', `got ${typeof target}`);
  if ('timestamp' in target) {
    const time = target.timestamp instanceof Date ? target.timestamp.getTime() : target.timestamp;
    if (typeof time !== 'number' || !Number.isFinite(time) || time < 0) {
      throw invalid(
        'target.timestamp',
        'a valid Date or epoch milliseconds',
        `got ${String(target.timestamp)}`,
      );
    }
    return;
  }
  const sequence =
    'atSequenceNumber' in target
      ? { field: 'target.atSequenceNumber', value: target.atSequenceNumber }
      : 'afterSequenceNumber' in target
        ? { field: 'target.afterSequenceNumber', value: target.afterSequenceNumber }
        : undefined;
  if (!sequence) {
    throw invalid(
      'target',
      '{ timestamp }, { atSequenceNumber } or { afterSequenceNumber }',
      `got an object with keys ${Object.keys(target).join(', ') || '(none)'}`,
    );
  }
  if (typeof sequence.value !== 'string' || !isSequenceNumber(sequence.value)) {
    throw invalid(sequence.field, 'a string of decimal digits', `got ${String(sequence.value)}`);
  }
  if ('subSequenceNumber' in target && target.subSequenceNumber !== undefined) {
    const sub = target.subSequenceNumber;
    if (!Number.isSafeInteger(sub) || sub < 0) {
      throw invalid('target.subSequenceNumber', 'an integer ≥ 0', `got ${String(sub)}`);
    }
  }
  if (shardIds?.length !== 1) {
    throw invalid(
      'shardIds',
      'exactly one shard for a sequence-number target',
      `got ${shardIds?.length ?? 0} (a sequence number belongs to one shard)`,
    );
  }
}

/** A human-readable form of a reset target, for messages and tables. */
export function describeResetTarget(target: CheckpointResetTarget): string {
  if (typeof target === 'string') return target;
  if ('timestamp' in target) return `timestamp ${new Date(target.timestamp).toISOString()}`;
  if ('atSequenceNumber' in target) return `at sequence number ${target.atSequenceNumber}`;
  return `after sequence number ${target.afterSequenceNumber}/${target.subSequenceNumber ?? 0}`;
}

/**
 * The position a target gives a lease without reading the stream (`TRIM_HORIZON`, `LATEST`,
 * `afterSequenceNumber`), or `undefined` when the stream must be read (timestamps, `atSequenceNumber`).
 */
export function staticResetPosition(
  lease: Lease,
  target: CheckpointResetTarget,
): ResolvedResetPosition | undefined {
  if (target === 'TRIM_HORIZON') {
    return { checkpoint: { sequenceNumber: CheckpointSentinel.TRIM_HORIZON, subSequenceNumber: 0 } };
  }
  if (target === 'LATEST') {
    if (lease.checkpoint.sequenceNumber === CheckpointSentinel.SHARD_END) {
      return { unchanged: 'finished shard: nothing new will arrive in it' };
    }
    return { checkpoint: { sequenceNumber: CheckpointSentinel.LATEST, subSequenceNumber: 0 } };
  }
  if ('afterSequenceNumber' in target) {
    return {
      checkpoint: {
        sequenceNumber: target.afterSequenceNumber,
        subSequenceNumber: target.subSequenceNumber ?? 0,
      },
    };
  }
  return undefined;
}

/**
 * Turns the leases to reset and their resolved positions into a plan: which checkpoints move,
 * which stay (and why) and which of the moving ones live workers hold. Pure.
 *
 * @param leases the leases selected for the reset.
 * @param positions the resolved position of each selected lease, by lease key.
 * @param liveOwners the selected leases live workers hold, lease key → owner.
 */
export function planCheckpointReset(
  leases: readonly Lease[],
  positions: ReadonlyMap<string, ResolvedResetPosition>,
  liveOwners: ReadonlyMap<string, string>,
): CheckpointResetPlan {
  const changes: CheckpointChange[] = [];
  const unchanged: UnchangedLease[] = [];
  const heldLeases: LeaseAdminIssue[] = [];
  for (const lease of [...leases].sort((a, b) => a.leaseKey.localeCompare(b.leaseKey))) {
    const position = positions.get(lease.leaseKey);
    if (!position) {
      unchanged.push({
        leaseKey: lease.leaseKey,
        checkpoint: lease.checkpoint,
        reason: 'no position resolved',
      });
      continue;
    }
    if (position.unchanged !== undefined) {
      unchanged.push({ leaseKey: lease.leaseKey, checkpoint: lease.checkpoint, reason: position.unchanged });
      continue;
    }
    if (
      compareExtendedSequenceNumbers(lease.checkpoint, position.checkpoint) === 0 &&
      lease.pendingCheckpoint === undefined &&
      lease.leaseOwner === undefined
    ) {
      unchanged.push({ leaseKey: lease.leaseKey, checkpoint: lease.checkpoint, reason: 'already there' });
      continue;
    }
    changes.push({
      leaseKey: lease.leaseKey,
      shardId: shardIdOfLeaseKey(lease.leaseKey),
      from: lease.checkpoint,
      to: position.checkpoint,
      leaseOwner: lease.leaseOwner,
      leaseCounter: lease.leaseCounter,
    });
    const owner = liveOwners.get(lease.leaseKey);
    if (owner !== undefined) {
      heldLeases.push({
        leaseKey: lease.leaseKey,
        leaseOwner: owner,
        detail: `held by live worker ${owner}`,
      });
    }
  }
  return { changes, unchanged, heldLeases };
}
