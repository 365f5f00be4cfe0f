import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { ExtendedSequenceNumber } from '@kinesis-ts/core';
import type { CheckpointUpdate } from '../lease-store.js';
import { LEASE_ATTRIBUTES as A } from './lease-serializer.js';

/** The expression parts of a conditional `UpdateItem` on a lease row (table name and key aside). */
export interface LeaseUpdateExpression {
  readonly UpdateExpression: string;
  readonly ConditionExpression: string;
  readonly ExpressionAttributeNames: Record<string, string>;
  readonly ExpressionAttributeValues: Record<string, AttributeValue>;
}

/** A number attribute value. */
export function numberValue(value: number): AttributeValue {
  return { N: String(value) };
}

/**
 * A checkpoint write (the KCL's `updateLease`): counter + 1, checkpoint and sub-sequence number,
 * `ownerSwitchesSinceCheckpoint = 0`, the pending checkpoint set or removed, the child shard ids
 * when given; if `leaseCounter = seenCounter`. No owner condition: the counter is the fence.
 */
export function checkpointUpdateExpression(
  seenCounter: number,
  update: CheckpointUpdate,
): LeaseUpdateExpression {
  const names: Record<string, string> = {
    '#counter': A.leaseCounter,
    '#checkpoint': A.checkpoint,
    '#sub': A.checkpointSubSequenceNumber,
    '#switches': A.ownerSwitchesSinceCheckpoint,
    '#pending': A.pendingCheckpoint,
    '#pendingSub': A.pendingCheckpointSubSequenceNumber,
    '#pendingState': A.pendingCheckpointState,
  };
  const values: Record<string, AttributeValue> = {
    ':next': numberValue(seenCounter + 1),
    ':seen': numberValue(seenCounter),
    ':checkpoint': { S: update.checkpoint.sequenceNumber },
    ':sub': numberValue(update.checkpoint.subSequenceNumber),
    ':zero': numberValue(0),
  };
  const set = ['#counter = :next', '#checkpoint = :checkpoint', '#sub = :sub', '#switches = :zero'];
  const remove: string[] = [];
  if (update.pendingCheckpoint) {
    set.push('#pending = :pending', '#pendingSub = :pendingSub');
    values[':pending'] = { S: update.pendingCheckpoint.sequenceNumber };
    values[':pendingSub'] = numberValue(update.pendingCheckpoint.subSequenceNumber);
  } else {
    remove.push('#pending', '#pendingSub');
  }
  if (update.pendingCheckpoint && update.pendingCheckpointState?.byteLength) {
    set.push('#pendingState = :pendingState');
    values[':pendingState'] = { B: update.pendingCheckpointState };
  } else {
    remove.push('#pendingState');
  }
  if (update.childShardIds && update.childShardIds.length > 0) {
    set.push('#children = :children');
    names['#children'] = A.childShardIds;
    values[':children'] = { SS: [...update.childShardIds] };
  }
  return {
    UpdateExpression: `SET ${set.join(', ')}${remove.length > 0 ? ` REMOVE ${remove.join(', ')}` : ''}`,
    ConditionExpression: '#counter = :seen',
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: values,
  };
}

/**
 * An operator's checkpoint reset: counter + 1, the checkpoint and its sub-sequence number,
 * `ownerSwitchesSinceCheckpoint = 0`, and the pending checkpoint and the ownership (`leaseOwner`,
 * `checkpointOwner`) removed; if the row exists and `leaseCounter = seenCounter`.
 */
export function checkpointResetExpression(
  seenCounter: number,
  checkpoint: ExtendedSequenceNumber,
): LeaseUpdateExpression {
  return {
    UpdateExpression:
      'SET #counter = :next, #checkpoint = :checkpoint, #sub = :sub, #switches = :zero ' +
      'REMOVE #pending, #pendingSub, #pendingState, #owner, #checkpointOwner',
    ConditionExpression: 'attribute_exists(#key) AND #counter = :seen',
    ExpressionAttributeNames: {
      '#key': A.leaseKey,
      '#counter': A.leaseCounter,
      '#checkpoint': A.checkpoint,
      '#sub': A.checkpointSubSequenceNumber,
      '#switches': A.ownerSwitchesSinceCheckpoint,
      '#pending': A.pendingCheckpoint,
      '#pendingSub': A.pendingCheckpointSubSequenceNumber,
      '#pendingState': A.pendingCheckpointState,
      '#owner': A.leaseOwner,
      '#checkpointOwner': A.checkpointOwner,
    },
    ExpressionAttributeValues: {
      ':next': numberValue(seenCounter + 1),
      ':seen': numberValue(seenCounter),
      ':checkpoint': { S: checkpoint.sequenceNumber },
      ':sub': numberValue(checkpoint.subSequenceNumber),
      ':zero': numberValue(0),
    },
  };
}
