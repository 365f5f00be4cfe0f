import { describe, expect, it } from 'vitest';
import { checkpointResetExpression, checkpointUpdateExpression } from './lease-update-expressions.js';

const esn = (sequenceNumber: string, subSequenceNumber = 0) => ({ sequenceNumber, subSequenceNumber });

describe('checkpointUpdateExpression', () => {
  it('moves the checkpoint, resets the owner switches and removes the pending checkpoint, fenced by the counter', () => {
    expect(checkpointUpdateExpression(7, { checkpoint: esn('300', 2) })).toEqual({
      UpdateExpression:
        'SET #counter = :next, #checkpoint = :checkpoint, #sub = :sub, #switches = :zero REMOVE #pending, #pendingSub, #pendingState',
      ConditionExpression: '#counter = :seen',
      ExpressionAttributeNames: {
        '#counter': 'leaseCounter',
        '#checkpoint': 'checkpoint',
        '#sub': 'checkpointSubSequenceNumber',
        '#switches': 'ownerSwitchesSinceCheckpoint',
        '#pending': 'pendingCheckpoint',
        '#pendingSub': 'pendingCheckpointSubSequenceNumber',
        '#pendingState': 'pendingCheckpointState',
      },
      ExpressionAttributeValues: {
        ':next': { N: '8' },
        ':seen': { N: '7' },
        ':checkpoint': { S: '300' },
        ':sub': { N: '2' },
        ':zero': { N: '0' },
      },
    });
  });

  it('keeps a pending checkpoint with its state, and writes the children at SHARD_END', () => {
    const state = new Uint8Array([1, 2]);
    const kept = checkpointUpdateExpression(1, {
      checkpoint: esn('300'),
      pendingCheckpoint: esn('400', 1),
      pendingCheckpointState: state,
    });
    expect(kept.UpdateExpression).toBe(
      'SET #counter = :next, #checkpoint = :checkpoint, #sub = :sub, #switches = :zero, #pending = :pending, #pendingSub = :pendingSub, #pendingState = :pendingState',
    );
    expect(kept.ExpressionAttributeValues).toMatchObject({
      ':pending': { S: '400' },
      ':pendingSub': { N: '1' },
      ':pendingState': { B: state },
    });
    const end = checkpointUpdateExpression(1, {
      checkpoint: esn('SHARD_END'),
      childShardIds: ['shard-2', 'shard-3'],
    });
    expect(end.UpdateExpression).toContain('#children = :children');
    expect(end.ExpressionAttributeNames['#children']).toBe('childShardIds');
    expect(end.ExpressionAttributeValues[':children']).toEqual({ SS: ['shard-2', 'shard-3'] });
  });
});

describe('checkpointResetExpression', () => {
  it('moves the checkpoint and removes the pending checkpoint and the ownership, if the row exists at the counter seen', () => {
    const reset = checkpointResetExpression(4, esn('TRIM_HORIZON'));
    expect(reset.UpdateExpression).toBe(
      'SET #counter = :next, #checkpoint = :checkpoint, #sub = :sub, #switches = :zero REMOVE #pending, #pendingSub, #pendingState, #owner, #checkpointOwner',
    );
    expect(reset.ConditionExpression).toBe('attribute_exists(#key) AND #counter = :seen');
    expect(reset.ExpressionAttributeNames).toMatchObject({
      '#key': 'leaseKey',
      '#owner': 'leaseOwner',
      '#checkpointOwner': 'checkpointOwner',
    });
    expect(reset.ExpressionAttributeValues).toEqual({
      ':next': { N: '5' },
      ':seen': { N: '4' },
      ':checkpoint': { S: 'TRIM_HORIZON' },
      ':sub': { N: '0' },
      ':zero': { N: '0' },
    });
  });
});
