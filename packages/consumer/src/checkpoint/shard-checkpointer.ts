import {
  CheckpointSentinel,
  compareExtendedSequenceNumbers,
  type ExtendedSequenceNumber,
} from '@kinesis-ts/core';
import { InvalidCheckpointError, LeaseLostError } from '../errors.js';
import type { CheckpointStore } from '../leases/lease-store.js';
import type { Checkpointer, CheckpointPosition, PreparedCheckpointer } from '../processor/checkpointer.js';
import { SerialQueue } from '../util/serial-queue.js';
import { type CheckpointBounds, resolveCheckpoint } from './checkpoint-validation.js';

/** Options of {@link ShardCheckpointer}. */
export interface ShardCheckpointerOptions {
  readonly shardId: string;
  readonly leaseKey: string;
  readonly token: string;
  readonly store: CheckpointStore;
  /** The checkpoint on the lease when it was taken. */
  readonly initialCheckpoint: ExtendedSequenceNumber;
  /** Called after each checkpoint written. */
  readonly onCheckpoint?: (checkpoint: ExtendedSequenceNumber) => void;
}

/** The checkpointer of one shard consumer (one lease acquisition). */
export class ShardCheckpointer implements Checkpointer {
  readonly shardId: string;
  private last: ExtendedSequenceNumber;
  private largestPermitted: ExtendedSequenceNumber;
  /** The first record delivered by this shard consumer (the lower bound from a sentinel checkpoint). */
  private firstDelivered: ExtendedSequenceNumber | undefined;
  private sequenceNumberAtShardEnd: ExtendedSequenceNumber | undefined;
  private readonly queue = new SerialQueue();
  private readonly options: ShardCheckpointerOptions;
  private childShardIds: readonly string[] = [];

  constructor(options: ShardCheckpointerOptions) {
    this.options = options;
    this.shardId = options.shardId;
    this.last = options.initialCheckpoint;
    this.largestPermitted = options.initialCheckpoint;
  }

  lastCheckpoint(): ExtendedSequenceNumber {
    return this.last;
  }

  /** The largest position a checkpoint may name now. */
  largestPermittedCheckpoint(): ExtendedSequenceNumber {
    return this.largestPermitted;
  }

  /**
   * Records that records up to `position` have been delivered; `first`, the first record of those
   * (defaults to `position`), is kept from the first call as the lower bound of checkpoints while the
   * last checkpoint is a sentinel.
   */
  advanceLargestPermitted(position: ExtendedSequenceNumber, first: ExtendedSequenceNumber = position): void {
    if (this.firstDelivered === undefined && isRealPosition(first)) this.firstDelivered = first;
    if (compareExtendedSequenceNumbers(position, this.largestPermitted) > 0) this.largestPermitted = position;
  }

  /**
   * Marks the shard as read to its end: SHARD_END becomes permitted, and a checkpoint at the last
   * record delivered is written as SHARD_END. `childShardIds` are written with it.
   */
  markShardEnd(childShardIds: readonly string[]): void {
    this.sequenceNumberAtShardEnd = isRealPosition(this.largestPermitted) ? this.largestPermitted : undefined;
    this.largestPermitted = { sequenceNumber: CheckpointSentinel.SHARD_END, subSequenceNumber: 0 };
    this.childShardIds = childShardIds;
  }

  checkpoint(position?: string | CheckpointPosition, subSequenceNumber?: number): Promise<void> {
    return this.queue.run(async () => {
      this.assertHeld();
      let requested: ExtendedSequenceNumber;
      if (position === undefined) {
        if (compareExtendedSequenceNumbers(this.largestPermitted, this.last) <= 0) return;
        requested = this.largestPermitted;
      } else {
        requested = toPosition(position, subSequenceNumber);
      }
      const { target, unchanged } = resolveCheckpoint(requested, this.bounds());
      if (unchanged) return;
      await this.write(target);
    });
  }

  prepareCheckpoint(
    position?: string | CheckpointPosition,
    applicationState?: Uint8Array,
  ): Promise<PreparedCheckpointer> {
    return this.queue.run(async () => {
      this.assertHeld();
      const requested = position === undefined ? this.largestPermitted : toPosition(position, undefined);
      if (!isRealPosition(requested) && requested.sequenceNumber !== CheckpointSentinel.SHARD_END) {
        throw new InvalidCheckpointError(
          `Cannot prepare a checkpoint on shard ${this.shardId} before any record was delivered`,
          { shardId: this.shardId, sequenceNumber: requested.sequenceNumber },
        );
      }
      const { target } = resolveCheckpoint(requested, this.bounds());
      await this.options.store.prepareCheckpoint(this.options.leaseKey, this.options.token, {
        pendingCheckpoint: target,
        pendingCheckpointState: applicationState,
      });
      return {
        pendingCheckpoint: target,
        checkpoint: () =>
          this.queue.run(async () => {
            if (compareExtendedSequenceNumbers(target, this.last) < 0) {
              throw new InvalidCheckpointError(
                `The prepared checkpoint ${target.sequenceNumber}/${target.subSequenceNumber} on shard ${this.shardId} is behind the last checkpoint`,
                { shardId: this.shardId, ...target },
              );
            }
            await this.write(target);
          }),
      };
    });
  }

  private bounds(): CheckpointBounds {
    return {
      lastCheckpoint: this.last,
      largestPermitted: this.largestPermitted,
      sequenceNumberAtShardEnd: this.sequenceNumberAtShardEnd,
      firstDelivered: this.firstDelivered,
      shardId: this.shardId,
    };
  }

  /** Even a checkpoint with nothing to write fails once the lease is gone, so the caller learns it. */
  private assertHeld(): void {
    if (this.options.store.getLease(this.options.leaseKey, this.options.token) === undefined) {
      throw new LeaseLostError(
        this.options.leaseKey,
        'this worker does not hold it (lost, expired or released)',
      );
    }
  }

  private async write(target: ExtendedSequenceNumber): Promise<void> {
    const atShardEnd = target.sequenceNumber === CheckpointSentinel.SHARD_END;
    await this.options.store.checkpoint(this.options.leaseKey, this.options.token, {
      checkpoint: target,
      childShardIds: atShardEnd ? this.childShardIds : undefined,
    });
    this.last = target;
    this.options.onCheckpoint?.(target);
  }
}

function toPosition(
  position: string | CheckpointPosition,
  subSequenceNumber: number | undefined,
): ExtendedSequenceNumber {
  if (typeof position === 'string')
    return { sequenceNumber: position, subSequenceNumber: subSequenceNumber ?? 0 };
  if (position === null || typeof position !== 'object' || typeof position.sequenceNumber !== 'string') {
    throw new InvalidCheckpointError('A checkpoint position is a sequence number string or a record');
  }
  return { sequenceNumber: position.sequenceNumber, subSequenceNumber: position.subSequenceNumber ?? 0 };
}

function isRealPosition(position: ExtendedSequenceNumber): boolean {
  return /^[0-9]+$/.test(position.sequenceNumber);
}
