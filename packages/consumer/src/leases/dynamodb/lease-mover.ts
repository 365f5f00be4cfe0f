import { type AttributeValue, type DynamoDBClient, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { awsErrorCode, type CommandWithMiddlewareStack, sendWithoutSdkRetries } from '@kinesis-ts/core';
import type { Lease } from '../lease.js';
import { LEASE_ATTRIBUTES as A, leaseFromItem } from './lease-serializer.js';

/**
 * The leader's writes that give a lease to a worker (with `gracefulLeaseHandoff`, the default, the
 * consumer replaces `moveLease` by `LeaseTable.initiateLeaseHandoff`):
 *
 * - `assignLease` (unowned or expired leases): `SET leaseOwner = <to>, leaseCounter = N + 1 REMOVE
 *   checkpointOwner` (+ `ownerSwitchesSinceCheckpoint` 1 when the owner changes), if `leaseCounter = N`,
 *   the counter of the scan (an expired lease's counter does not move, so a live owner's renewal
 *   makes it fail);
 * - `moveLease` (a live owner's lease, rebalancing): the same update, if `leaseOwner = <from>` and no
 *   handoff is pending (`checkpointOwner` absent), whatever the counter: the old owner's next renewal
 *   fails on the counter, and it stops, as when a lease is stolen today.
 *
 * Each resolves the lease as written, or `undefined` when the condition failed.
 */
export type LeaseMoveFunction = (
  lease: Lease,
  newOwner: string,
  signal?: AbortSignal,
) => Promise<Lease | undefined>;

export function leaseAssignmentExpression(
  lease: Lease,
  newOwner: string,
  fence: 'counter' | 'owner',
): {
  UpdateExpression: string;
  ConditionExpression: string;
  ExpressionAttributeNames: Record<string, string>;
  ExpressionAttributeValues: Record<string, AttributeValue>;
} {
  const ownerChanges = lease.leaseOwner !== undefined && lease.leaseOwner !== newOwner;
  const names: Record<string, string> = {
    '#key': A.leaseKey,
    '#counter': A.leaseCounter,
    '#owner': A.leaseOwner,
    '#checkpointOwner': A.checkpointOwner,
  };
  const values: Record<string, AttributeValue> = { ':to': { S: newOwner } };
  let update = 'SET #owner = :to';
  let condition: string;
  if (fence === 'counter') {
    update += ', #counter = :next';
    values[':next'] = { N: String(lease.leaseCounter + 1) };
    values[':seen'] = { N: String(lease.leaseCounter) };
    condition = 'attribute_exists(#key) AND #counter = :seen';
  } else {
    values[':from'] = { S: lease.leaseOwner ?? '' };
    values[':one'] = { N: '1' };
    condition = 'attribute_exists(#key) AND #owner = :from AND attribute_not_exists(#checkpointOwner)';
  }
  update += ' REMOVE #checkpointOwner';
  const add: string[] = [];
  if (fence === 'owner') add.push('#counter :one');
  if (ownerChanges) {
    names['#switches'] = A.ownerSwitchesSinceCheckpoint;
    values[':one'] = { N: '1' };
    add.push('#switches :one');
  }
  if (add.length > 0) update += ` ADD ${add.join(', ')}`;
  return {
    UpdateExpression: update,
    ConditionExpression: condition,
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: values,
  };
}

/** The assign and move writes on a lease table (one SDK call each, without SDK retries). */
export function leaseMoveWrites(options: {
  readonly client: DynamoDBClient;
  readonly tableName: string;
  readonly requestTimeoutMs: number;
}): {
  readonly assignLease: LeaseMoveFunction;
  readonly moveLease: LeaseMoveFunction;
} {
  const write = async (lease: Lease, newOwner: string, fence: 'counter' | 'owner', signal?: AbortSignal) => {
    const command = new UpdateItemCommand({
      TableName: options.tableName,
      Key: { [A.leaseKey]: { S: lease.leaseKey } },
      ...leaseAssignmentExpression(lease, newOwner, fence),
      ReturnValues: 'ALL_NEW',
    });
    let attributes: Record<string, AttributeValue> | undefined;
    try {
      attributes = (await send(command, signal)).Attributes;
    } catch (error) {
      if (awsErrorCode(error) === 'ConditionalCheckFailedException') return undefined;
      throw error;
    }
    const written = attributes ? leaseFromItem(attributes).lease : undefined;
    if (written) return written;
    const ownerChanges = lease.leaseOwner !== undefined && lease.leaseOwner !== newOwner;
    return {
      ...lease,
      leaseOwner: newOwner,
      leaseCounter: lease.leaseCounter + 1,
      checkpointOwner: undefined,
      ownerSwitchesSinceCheckpoint: lease.ownerSwitchesSinceCheckpoint + (ownerChanges ? 1 : 0),
    };
  };
  const send = <O>(command: CommandWithMiddlewareStack<O>, signal?: AbortSignal): Promise<O> =>
    sendWithoutSdkRetries(options.client, command, {
      timeoutMs: options.requestTimeoutMs,
      abortSignal: signal,
    });
  return {
    assignLease: (lease, newOwner, signal) => write(lease, newOwner, 'counter', signal),
    moveLease: (lease, newOwner, signal) => write(lease, newOwner, 'owner', signal),
  };
}
