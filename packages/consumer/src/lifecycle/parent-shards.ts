import { CheckpointSentinel, type Logger, sleep } from '@kinesis-ts/core';
import type { Lease } from '../leases/lease.js';

/** What {@link waitForParentShards} needs. */
export interface ParentShardWait {
  readonly shardId: string;
  readonly parentShardIds: readonly string[];
  /** How often the parents' leases are read again, in ms. */
  readonly pollIntervalMs: number;
  readonly getLease: (leaseKey: string) => Promise<Lease | undefined>;
  /**
   * Waits until one of the parents may have finished: resolves when this worker finishes one of
   * them, or after `timeoutMs`, or when `signal` aborts (never rejects). @defaultValue a plain sleep
   */
  readonly waitForParents?: (
    parentShardIds: readonly string[],
    timeoutMs: number,
    signal: AbortSignal,
  ) => Promise<void>;
  /** Ends the wait (the shard consumer stops). */
  readonly stopSignal: AbortSignal;
  readonly logger: Logger;
  /** A parent's lease could not be read (it is read again at the next round). */
  readonly onError?: (operation: 'get-parent-lease', error: unknown) => void;
}

/**
 * The `waiting-on-parents` state (the KCL's `BlockOnParentShardTask`): resolves once no parent lease
 * exists that is not at SHARD_END (a missing parent does not block), or when `stopSignal` aborts.
 */
export async function waitForParentShards(wait: ParentShardWait): Promise<void> {
  const parents = wait.parentShardIds;
  if (parents.length === 0) return;
  const pollMs = wait.pollIntervalMs;
  const stop = wait.stopSignal;
  while (!stop.aborted) {
    // Listen before reading, so that a parent ending on this worker during the read still wakes us.
    const round = new AbortController();
    const onStop = () => round.abort();
    stop.addEventListener('abort', onStop, { once: true });
    const wake = wait.waitForParents
      ? wait.waitForParents(parents, pollMs, round.signal)
      : sleep(pollMs, round.signal).catch(() => undefined);
    try {
      try {
        let blocked: string | undefined;
        for (const parentId of parents) {
          const parent = await wait.getLease(parentId);
          if (parent && parent.checkpoint.sequenceNumber !== CheckpointSentinel.SHARD_END) {
            blocked = parentId;
            break;
          }
        }
        if (blocked === undefined) return;
        wait.logger.debug('Waiting for a parent shard to finish', {
          shardId: wait.shardId,
          parent: blocked,
        });
      } catch (error) {
        wait.onError?.('get-parent-lease', error);
      }
      await wake;
    } finally {
      round.abort();
      stop.removeEventListener('abort', onStop);
    }
  }
}
