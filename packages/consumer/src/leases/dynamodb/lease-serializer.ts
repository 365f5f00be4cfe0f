import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { type ExtendedSequenceNumber, isCheckpointSentinel, isSequenceNumber } from '@kinesis-ts/core';
import type { Lease } from '../lease.js';

/** The lease table's attribute names, exactly as the KCL (2.x and 3.x) writes them. */
export const LEASE_ATTRIBUTES = {
  leaseKey: 'leaseKey',
  leaseOwner: 'leaseOwner',
  leaseCounter: 'leaseCounter',
  ownerSwitchesSinceCheckpoint: 'ownerSwitchesSinceCheckpoint',
  checkpoint: 'checkpoint',
  checkpointSubSequenceNumber: 'checkpointSubSequenceNumber',
  pendingCheckpoint: 'pendingCheckpoint',
  pendingCheckpointSubSequenceNumber: 'pendingCheckpointSubSequenceNumber',
  pendingCheckpointState: 'pendingCheckpointState',
  parentShardId: 'parentShardId',
  childShardIds: 'childShardIds',
  startingHashKey: 'startingHashKey',
  endingHashKey: 'endingHashKey',
  throughputKBps: 'throughputKBps',
  checkpointOwner: 'checkpointOwner',
  entityType: 'entityType',
  /** Multi-stream rows: the serialized stream identifier (the KCL keeps the name `streamName`). */
  streamName: 'streamName',
  /** Multi-stream rows: the shard id. */
  shardId: 'shardId',
} as const;

/** The `entityType` of lease rows (KCL 3.5+); rows with another type are not leases. */
export const LEASE_ENTITY_TYPE = 'LEASE';

/** A DynamoDB item as the SDK's low-level client represents it. */
export type LeaseItem = Record<string, AttributeValue>;

/** Why a row of the lease table was not read as a lease. */
export type SkippedRowReason = 'not-a-lease' | 'malformed';

/** The result of reading a row: a lease, or the reason it was skipped. */
export type ReadLeaseResult =
  | { readonly lease: Lease; readonly skipped?: undefined }
  | { readonly lease?: undefined; readonly skipped: SkippedRowReason; readonly detail: string };

/**
 * The full item of a new lease, as `createLeaseIfNotExists` writes it. Never writes empty strings or
 * empty sets (DynamoDB refuses them), always writes `entityType: LEASE` (harmless to 2.x readers,
 * required by 3.5+ readers).
 */
export function leaseToItem(lease: Lease): LeaseItem {
  const a = LEASE_ATTRIBUTES;
  const item: LeaseItem = {
    [a.leaseKey]: { S: lease.leaseKey },
    [a.leaseCounter]: { N: String(lease.leaseCounter) },
    [a.ownerSwitchesSinceCheckpoint]: { N: String(lease.ownerSwitchesSinceCheckpoint) },
    [a.checkpoint]: { S: lease.checkpoint.sequenceNumber },
    [a.checkpointSubSequenceNumber]: { N: String(lease.checkpoint.subSequenceNumber) },
    [a.entityType]: { S: LEASE_ENTITY_TYPE },
  };
  if (lease.leaseOwner) item[a.leaseOwner] = { S: lease.leaseOwner };
  if (lease.pendingCheckpoint) {
    item[a.pendingCheckpoint] = { S: lease.pendingCheckpoint.sequenceNumber };
    item[a.pendingCheckpointSubSequenceNumber] = { N: String(lease.pendingCheckpoint.subSequenceNumber) };
  }
  if (lease.pendingCheckpointState && lease.pendingCheckpointState.byteLength > 0) {
    item[a.pendingCheckpointState] = { B: lease.pendingCheckpointState };
  }
  if (lease.parentShardIds.length > 0) item[a.parentShardId] = { SS: [...lease.parentShardIds] };
  if (lease.childShardIds.length > 0) item[a.childShardIds] = { SS: [...lease.childShardIds] };
  if (lease.hashKeyRange) {
    item[a.startingHashKey] = { S: lease.hashKeyRange.startingHashKey };
    item[a.endingHashKey] = { S: lease.hashKeyRange.endingHashKey };
  }
  if (lease.checkpointOwner) item[a.checkpointOwner] = { S: lease.checkpointOwner };
  if (lease.streamIdentifier) item[a.streamName] = { S: lease.streamIdentifier };
  if (lease.shardId) item[a.shardId] = { S: lease.shardId };
  return item;
}

/**
 * Reads a row of the lease table. Rows whose `entityType` exists and is not `LEASE` (KCL 3.5 keeps
 * its leader lock, worker metrics and migration state in the same table) are skipped, as are rows
 * without a key or checkpoint. Tolerates the KCL quirk of `pendingCheckpointState` written as N.
 */
export function leaseFromItem(item: LeaseItem): ReadLeaseResult {
  const a = LEASE_ATTRIBUTES;
  const entityType = item[a.entityType]?.S;
  if (entityType !== undefined && entityType !== LEASE_ENTITY_TYPE) {
    return { skipped: 'not-a-lease', detail: `entityType ${entityType}` };
  }
  const leaseKey = item[a.leaseKey]?.S;
  if (!leaseKey) return { skipped: 'malformed', detail: 'no leaseKey string' };
  const checkpointSequence = item[a.checkpoint]?.S;
  if (checkpointSequence === undefined || !isPosition(checkpointSequence)) {
    return { skipped: 'malformed', detail: `lease ${leaseKey} has no valid checkpoint` };
  }
  const checkpoint = position(checkpointSequence, readNumber(item[a.checkpointSubSequenceNumber]));
  const pendingSequence = item[a.pendingCheckpoint]?.S;
  const pendingCheckpoint =
    pendingSequence && isPosition(pendingSequence)
      ? position(pendingSequence, readNumber(item[a.pendingCheckpointSubSequenceNumber]))
      : undefined;
  const stateValue = item[a.pendingCheckpointState]?.B;
  const startingHashKey = item[a.startingHashKey]?.S;
  const endingHashKey = item[a.endingHashKey]?.S;
  const throughput = item[a.throughputKBps]?.N;
  const lease: Lease = {
    leaseKey,
    leaseOwner: item[a.leaseOwner]?.S || undefined,
    leaseCounter: readNumber(item[a.leaseCounter]),
    checkpoint,
    pendingCheckpoint,
    pendingCheckpointState: stateValue && stateValue.byteLength > 0 ? stateValue : undefined,
    ownerSwitchesSinceCheckpoint: readNumber(item[a.ownerSwitchesSinceCheckpoint]),
    parentShardIds: item[a.parentShardId]?.SS ?? [],
    childShardIds: item[a.childShardIds]?.SS ?? [],
    hashKeyRange: startingHashKey && endingHashKey ? { startingHashKey, endingHashKey } : undefined,
    checkpointOwner: item[a.checkpointOwner]?.S || undefined,
    throughputKBps: throughput === undefined ? undefined : Number(throughput),
    ...multiStreamAttributes(item),
  };
  return { lease };
}

/** The `streamName` and `shardId` attributes of a multi-stream row; nothing for a single-stream row. */
function multiStreamAttributes(item: LeaseItem): Pick<Lease, 'streamIdentifier' | 'shardId'> {
  const streamIdentifier = item[LEASE_ATTRIBUTES.streamName]?.S;
  const shardId = item[LEASE_ATTRIBUTES.shardId]?.S;
  return {
    ...(streamIdentifier ? { streamIdentifier } : {}),
    ...(shardId ? { shardId } : {}),
  };
}

function isPosition(value: string): boolean {
  return isSequenceNumber(value) || isCheckpointSentinel(value);
}

function position(sequenceNumber: string, subSequenceNumber: number): ExtendedSequenceNumber {
  return { sequenceNumber, subSequenceNumber: isCheckpointSentinel(sequenceNumber) ? 0 : subSequenceNumber };
}

function readNumber(value: AttributeValue | undefined): number {
  const text = value?.N;
  if (text === undefined) return 0;
  const parsed = Number(text);
  return Number.isSafeInteger(parsed) && parsed >= 0 ? parsed : 0;
}
