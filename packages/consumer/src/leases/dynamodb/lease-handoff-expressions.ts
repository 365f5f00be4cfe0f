import type { Lease } from '../lease.js';
import { LEASE_ATTRIBUTES as A } from './lease-serializer.js';
import { type LeaseUpdateExpression, numberValue } from './lease-update-expressions.js';

/**
 * The writes of the KCL 3.x graceful lease handoff, as `DynamoDBLeaseRefresher` conditions them
 * (there in the legacy `Expected`/`AttributeUpdates` form; the same conditions here as expressions).
 */

/**
 * Starts moving a lease from its owner to `newOwner` (the KCL's `initiateGracefulLeaseHandoff`):
 * `SET leaseOwner = <new>, checkpointOwner = <old>`, the counter untouched so that the old owner's
 * renewals and checkpoints keep working until it notices; if the row exists, is owned by the lease's
 * owner and is not already in a handoff.
 */
export function handoffInitiateExpression(lease: Lease, newOwner: string): LeaseUpdateExpression {
  const oldOwner = lease.leaseOwner;
  if (!oldOwner) throw new RangeError(`lease ${lease.leaseKey} has no owner to hand off from`);
  return {
    UpdateExpression: 'SET #owner = :new, #checkpointOwner = :old',
    ConditionExpression: '#key = :key AND #owner = :old AND attribute_not_exists(#checkpointOwner)',
    ExpressionAttributeNames: {
      '#key': A.leaseKey,
      '#owner': A.leaseOwner,
      '#checkpointOwner': A.checkpointOwner,
    },
    ExpressionAttributeValues: {
      ':key': { S: lease.leaseKey },
      ':new': { S: newOwner },
      ':old': { S: oldOwner },
    },
  };
}

/**
 * Ends a handoff (the old owner's `assignLease` to the owner already named): `SET leaseOwner = <new>
 * REMOVE checkpointOwner ADD leaseCounter 1, ownerSwitchesSinceCheckpoint 1`; if the row exists,
 * `leaseOwner` is still the new owner and `checkpointOwner` still the old one. `lease` is the old
 * owner's view: `leaseOwner` the new owner, `checkpointOwner` itself.
 */
export function handoffTransferExpression(lease: Lease): LeaseUpdateExpression {
  const { leaseOwner: newOwner, checkpointOwner: oldOwner } = lease;
  if (!newOwner || !oldOwner) throw new RangeError(`lease ${lease.leaseKey} is not in a handoff`);
  return {
    UpdateExpression: 'SET #owner = :new REMOVE #checkpointOwner ADD #counter :one, #switches :one',
    ConditionExpression: '#key = :key AND #owner = :new AND #checkpointOwner = :old',
    ExpressionAttributeNames: {
      '#key': A.leaseKey,
      '#owner': A.leaseOwner,
      '#checkpointOwner': A.checkpointOwner,
      '#counter': A.leaseCounter,
      '#switches': A.ownerSwitchesSinceCheckpoint,
    },
    ExpressionAttributeValues: {
      ':key': { S: lease.leaseKey },
      ':new': { S: newOwner },
      ':old': { S: oldOwner },
      ':one': numberValue(1),
    },
  };
}

/** Whether a lease is in a graceful handoff (`checkpointOwner` set): its owner is moving it to `leaseOwner`. */
export function isHandoffPending(lease: Lease): boolean {
  return lease.checkpointOwner !== undefined;
}
