import type { Logger } from '@kinesis-ts/core';
import type { ShardShutdownReason } from '../lifecycle/shard-consumer-states.js';
import { settleWithin } from '../util/settle-within.js';

/** The shard consumer of a lease being handed over, as far as the handoff needs it. */
export interface HandoffShard {
  requestShutdown(): Promise<ShardShutdownReason>;
  leaseLost(): void;
}

/** What {@link handOverLease} needs. */
export interface HandOverLeaseInput {
  readonly leaseKey: string;
  readonly nextOwner: string | undefined;
  /** The shard consumer working on the lease, if one runs. */
  readonly shard: HandoffShard | undefined;
  /** How long the shard may take to finish and checkpoint (`gracefulLeaseHandoffTimeoutMs`). */
  readonly timeoutMs: number;
  /** Writes the transfer (the renewer's release of a lease in a handoff); resolves whether it was written. */
  readonly transfer: () => Promise<boolean>;
  readonly logger: Logger;
}

/**
 * The old owner's side of a KCL 3.x graceful handoff: stop fetching, let the batch in delivery
 * finish and checkpoint (a handler's last checkpoint, or the processor's `shutdownRequested`), then
 * hand the lease over. A shard that does not finish within `timeoutMs` is handed over anyway and
 * told its lease is lost: its later checkpoints fail, as the lease is no longer held.
 */
export async function handOverLease(
  input: HandOverLeaseInput,
): Promise<{ finished: boolean; written: boolean }> {
  const { leaseKey, nextOwner, shard, timeoutMs, logger } = input;
  const finished = shard ? await settleWithin(shard.requestShutdown(), timeoutMs) : true;
  if (!finished) {
    logger.warn(
      'A shard did not finish within gracefulLeaseHandoffTimeoutMs; handing its lease over anyway',
      {
        leaseKey,
        nextOwner,
        timeoutMs,
      },
    );
  }
  const written = await input.transfer();
  if (!finished) shard?.leaseLost();
  return { finished, written };
}
