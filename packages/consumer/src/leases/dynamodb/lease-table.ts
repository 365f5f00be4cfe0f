import {
  type AttributeValue,
  DeleteItemCommand,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  ScanCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import {
  awsErrorCode,
  type CommandWithMiddlewareStack,
  type ExtendedSequenceNumber,
  type Logger,
  SILENT_LOGGER,
  sendWithDeadline,
  sendWithoutSdkRetries,
} from '@kinesis-ts/core';
import type { Lease, LeaseHashKeyRange } from '../lease.js';
import type {
  CheckpointUpdate,
  ConditionalWriteResult,
  LeaseMaintenanceStore,
  LeaseStore,
  LeaseTableLifecycle,
  PendingCheckpointUpdate,
  ShardSyncStore,
} from '../lease-store.js';
import { handoffInitiateExpression, handoffTransferExpression } from './lease-handoff-expressions.js';
import { LEASE_ATTRIBUTES as A, type LeaseItem, leaseFromItem, leaseToItem } from './lease-serializer.js';
import {
  createLeaseOwnerIndex,
  createLeaseTable,
  describeLeaseTableStatus,
  type LeaseTableAccess,
  leaseOwnerIndexStatus,
  listLeaseKeysForWorker,
  waitUntilLeaseTableActive,
} from './lease-table-setup.js';
import {
  checkpointResetExpression,
  checkpointUpdateExpression,
  type LeaseUpdateExpression,
  numberValue as num,
} from './lease-update-expressions.js';

/** Options of {@link LeaseTable}. */
export interface LeaseTableOptions {
  /** The DynamoDB client. Required. */
  readonly client: DynamoDBClient;
  /** The lease table (the KCL names it after the application). Required. */
  readonly tableName: string;
  /** How long one DynamoDB call may take before it is aborted, in milliseconds. Required (the consumer passes 10000). */
  readonly requestTimeoutMs: number;
  /** Where to log. @defaultValue silent */
  readonly logger?: Logger;
  /** Called for every row that is not read as a lease (non-LEASE `entityType`, malformed). @defaultValue none */
  readonly onSkippedRow?: (detail: string) => void;
}

/**
 * The DynamoDB lease table: every read and conditional write of the KCL 2.x protocol, one SDK call
 * each, without retries (callers decide). Conditions follow the KCL exactly: `leaseCounter = N` fences
 * every owner-side write, and every write increments the counter. Every call is aborted after
 * `requestTimeoutMs` (a transient `RequestTimeoutError`), and the optional `signal` a method takes
 * aborts its calls at once (they reject with the signal's reason).
 */
export class LeaseTable implements LeaseStore, ShardSyncStore, LeaseMaintenanceStore, LeaseTableLifecycle {
  readonly tableName: string;
  private readonly client: DynamoDBClient;
  private readonly requestTimeoutMs: number;
  private readonly logger: Logger;
  private readonly onSkippedRow: ((detail: string) => void) | undefined;

  /** The table's name and calls, for the set-up functions of lease-table-setup.ts. */
  private readonly access: LeaseTableAccess;

  constructor(options: LeaseTableOptions) {
    this.access = { tableName: options.tableName, send: (command, signal) => this.send(command, signal) };
    this.client = options.client;
    this.tableName = options.tableName;
    this.requestTimeoutMs = options.requestTimeoutMs;
    this.logger = options.logger ?? SILENT_LOGGER;
    this.onSkippedRow = options.onSkippedRow;
  }

  // The table as a whole and its index: lease-table-setup.ts, one function each.

  /** The table's status (`ACTIVE`, `CREATING`…), or `undefined` when it does not exist. */
  describeStatus(signal?: AbortSignal): Promise<string | undefined> {
    return describeLeaseTableStatus(this.access, signal);
  }

  /** The status of the `LeaseOwnerToLeaseKeyIndex`, or `undefined` when the table has none. */
  leaseOwnerIndexStatus(signal?: AbortSignal): Promise<string | undefined> {
    return leaseOwnerIndexStatus(this.access, signal);
  }

  /** Adds the `LeaseOwnerToLeaseKeyIndex`; `false` when it exists or the table is being updated. */
  createLeaseOwnerIndex(signal?: AbortSignal): Promise<boolean> {
    return createLeaseOwnerIndex(this.access, signal);
  }

  /** The keys of the leases `workerId` owns, from the index (eventually consistent). */
  listLeaseKeysForWorker(workerId: string, signal?: AbortSignal): Promise<string[]> {
    return listLeaseKeysForWorker(this.access, workerId, signal);
  }

  /** Creates the table with the index; `false` when it already exists. */
  create(signal?: AbortSignal): Promise<boolean> {
    return createLeaseTable(this.access, signal);
  }

  /** Waits until the table is `ACTIVE` (or `UPDATING`), at most `timeoutMs`; `false` on timeout. */
  waitUntilActive(timeoutMs: number, pollIntervalMs: number, signal?: AbortSignal): Promise<boolean> {
    return waitUntilLeaseTableActive(this.access, timeoutMs, pollIntervalMs, signal);
  }

  /** Every lease in the table (a paginated Scan), skipping rows that are not leases. */
  async listLeases(signal?: AbortSignal): Promise<Lease[]> {
    const leases: Lease[] = [];
    let startKey: Record<string, AttributeValue> | undefined;
    do {
      const output = await this.send(
        new ScanCommand({ TableName: this.tableName, ExclusiveStartKey: startKey }),
        signal,
      );
      for (const item of output.Items ?? []) {
        const lease = this.read(item);
        if (lease) leases.push(lease);
      }
      startKey = output.LastEvaluatedKey;
    } while (startKey !== undefined);
    return leases;
  }

  /** One lease, or `undefined` when the row does not exist or is not a lease. */
  async getLease(leaseKey: string, consistentRead = true, signal?: AbortSignal): Promise<Lease | undefined> {
    const output = await this.send(
      new GetItemCommand({
        TableName: this.tableName,
        Key: { [A.leaseKey]: { S: leaseKey } },
        ConsistentRead: consistentRead,
      }),
      signal,
    );
    return output.Item ? this.read(output.Item) : undefined;
  }

  /** Writes a new lease unless one with its key exists (`attribute_not_exists(leaseKey)`). */
  async createLeaseIfNotExists(lease: Lease, signal?: AbortSignal): Promise<boolean> {
    return this.conditional(async () => {
      await this.send(
        new PutItemCommand({
          TableName: this.tableName,
          Item: leaseToItem(lease),
          ConditionExpression: 'attribute_not_exists(#key)',
          ExpressionAttributeNames: { '#key': A.leaseKey },
        }),
        signal,
      );
      return true;
    }).then((written) => written === true);
  }

  /**
   * Renews a held lease: `SET leaseCounter = N + 1` if `leaseCounter = N` and, unless the lease is
   * already known to be in a handoff (`checkpointOwner` set), `checkpointOwner` does not exist: as
   * the KCL 3.x does, so that a handoff fails the owner's next renewal and is noticed. Writes
   * `throughputKBps` too when given (load-aware assignment).
   */
  async renewLease(
    lease: Lease,
    signal?: AbortSignal,
    throughputKBps?: number,
  ): Promise<ConditionalWriteResult> {
    const next = lease.leaseCounter + 1;
    const tp = throughputKBps === undefined ? undefined : throughputUpdate(throughputKBps);
    const inHandoff = lease.checkpointOwner !== undefined;
    return this.conditional(async () => {
      await this.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: key(lease.leaseKey),
          UpdateExpression: `SET #counter = :next${tp ? `, ${tp.set}` : ''}`,
          ConditionExpression: inHandoff
            ? '#counter = :seen'
            : '#counter = :seen AND attribute_not_exists(#checkpointOwner)',
          ExpressionAttributeNames: {
            '#counter': A.leaseCounter,
            ...(inHandoff ? {} : { '#checkpointOwner': A.checkpointOwner }),
            ...tp?.names,
          },
          ExpressionAttributeValues: { ':next': num(next), ':seen': num(lease.leaseCounter), ...tp?.values },
        }),
        signal,
      );
      return { ...lease, leaseCounter: next, ...(throughputKBps === undefined ? {} : { throughputKBps }) };
    });
  }

  /**
   * Takes a lease (unowned, expired or stolen): `SET leaseCounter = N + 1, leaseOwner = me REMOVE
   * checkpointOwner` (plus `ADD ownerSwitchesSinceCheckpoint 1` when the owner changes) if
   * `leaseCounter = N`, the counter seen in the last scan.
   */
  async takeLease(lease: Lease, owner: string, signal?: AbortSignal): Promise<ConditionalWriteResult> {
    const next = lease.leaseCounter + 1;
    const ownerChanges = lease.leaseOwner !== undefined && lease.leaseOwner !== owner;
    return this.conditional(async () => {
      await this.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: key(lease.leaseKey),
          UpdateExpression: `SET #counter = :next, #owner = :owner REMOVE #checkpointOwner${
            ownerChanges ? ' ADD #switches :one' : ''
          }`,
          ConditionExpression: '#counter = :seen',
          ExpressionAttributeNames: {
            '#counter': A.leaseCounter,
            '#owner': A.leaseOwner,
            '#checkpointOwner': A.checkpointOwner,
            ...(ownerChanges ? { '#switches': A.ownerSwitchesSinceCheckpoint } : {}),
          },
          ExpressionAttributeValues: {
            ':next': num(next),
            ':seen': num(lease.leaseCounter),
            ':owner': { S: owner },
            ...(ownerChanges ? { ':one': num(1) } : {}),
          },
        }),
        signal,
      );
      return {
        ...lease,
        leaseCounter: next,
        leaseOwner: owner,
        checkpointOwner: undefined,
        ownerSwitchesSinceCheckpoint: lease.ownerSwitchesSinceCheckpoint + (ownerChanges ? 1 : 0),
      };
    });
  }

  /**
   * Starts a KCL 3.x graceful handoff of `lease` to `newOwner` (see `handoffInitiateExpression`):
   * the counter is not moved. Resolves the row as written, or `undefined` when the condition failed.
   */
  async initiateLeaseHandoff(
    lease: Lease,
    newOwner: string,
    signal?: AbortSignal,
  ): Promise<ConditionalWriteResult> {
    return this.conditionalReturningRow(handoffInitiateExpression(lease, newOwner), lease.leaseKey, signal);
  }

  /**
   * Ends a handoff from the old owner's side (see `handoffTransferExpression`): the new owner named in
   * `lease.leaseOwner` may start. Resolves the row as written, or `undefined` when the condition failed.
   */
  async transferLease(lease: Lease, signal?: AbortSignal): Promise<ConditionalWriteResult> {
    return this.conditionalReturningRow(handoffTransferExpression(lease), lease.leaseKey, signal);
  }

  private async conditionalReturningRow(
    expression: LeaseUpdateExpression,
    leaseKey: string,
    signal: AbortSignal | undefined,
  ): Promise<ConditionalWriteResult> {
    const written = await this.conditional(async () => {
      const output = await this.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: key(leaseKey),
          ...expression,
          ReturnValues: 'ALL_NEW',
        }),
        signal,
      );
      return output.Attributes ? (this.read(output.Attributes) ?? null) : null;
    });
    return written ?? undefined;
  }

  /**
   * Releases a held lease so that any worker may take it at once: `SET leaseCounter = N + 1 REMOVE
   * leaseOwner` if `leaseCounter = N AND leaseOwner = me`.
   */
  async evictLease(lease: Lease, owner: string, signal?: AbortSignal): Promise<ConditionalWriteResult> {
    const next = lease.leaseCounter + 1;
    return this.conditional(async () => {
      await this.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: key(lease.leaseKey),
          UpdateExpression: 'SET #counter = :next REMOVE #owner',
          ConditionExpression: '#counter = :seen AND #owner = :owner',
          ExpressionAttributeNames: { '#counter': A.leaseCounter, '#owner': A.leaseOwner },
          ExpressionAttributeValues: {
            ':next': num(next),
            ':seen': num(lease.leaseCounter),
            ':owner': { S: owner },
          },
        }),
        signal,
      );
      return { ...lease, leaseCounter: next, leaseOwner: undefined };
    });
  }

  /**
   * Writes a checkpoint (the KCL's `updateLease`): counter + 1, checkpoint and sub-sequence number,
   * `ownerSwitchesSinceCheckpoint = 0`, pending checkpoint set or removed, child shard ids when given;
   * if `leaseCounter = N`. No owner condition: the counter is the fence.
   */
  async updateCheckpoint(lease: Lease, update: CheckpointUpdate): Promise<ConditionalWriteResult> {
    const next = lease.leaseCounter + 1;
    return this.conditional(async () => {
      await this.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: key(lease.leaseKey),
          ...checkpointUpdateExpression(lease.leaseCounter, update),
        }),
      );
      return {
        ...lease,
        leaseCounter: next,
        checkpoint: update.checkpoint,
        ownerSwitchesSinceCheckpoint: 0,
        pendingCheckpoint: update.pendingCheckpoint,
        pendingCheckpointState: update.pendingCheckpoint ? update.pendingCheckpointState : undefined,
        childShardIds:
          update.childShardIds && update.childShardIds.length > 0
            ? update.childShardIds
            : lease.childShardIds,
      };
    });
  }

  /** Writes a pending checkpoint (`prepareCheckpoint`): counter + 1 and the pending fields, if `leaseCounter = N`. */
  async updatePendingCheckpoint(
    lease: Lease,
    update: PendingCheckpointUpdate,
  ): Promise<ConditionalWriteResult> {
    const next = lease.leaseCounter + 1;
    const hasState = (update.pendingCheckpointState?.byteLength ?? 0) > 0;
    return this.conditional(async () => {
      await this.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: key(lease.leaseKey),
          UpdateExpression: `SET #counter = :next, #pending = :pending, #pendingSub = :pendingSub${
            hasState ? ', #pendingState = :pendingState' : ' REMOVE #pendingState'
          }`,
          ConditionExpression: '#counter = :seen',
          ExpressionAttributeNames: {
            '#counter': A.leaseCounter,
            '#pending': A.pendingCheckpoint,
            '#pendingSub': A.pendingCheckpointSubSequenceNumber,
            '#pendingState': A.pendingCheckpointState,
          },
          ExpressionAttributeValues: {
            ':next': num(next),
            ':seen': num(lease.leaseCounter),
            ':pending': { S: update.pendingCheckpoint.sequenceNumber },
            ':pendingSub': num(update.pendingCheckpoint.subSequenceNumber),
            ...(hasState ? { ':pendingState': { B: update.pendingCheckpointState! } } : {}),
          },
        }),
      );
      return {
        ...lease,
        leaseCounter: next,
        pendingCheckpoint: update.pendingCheckpoint,
        pendingCheckpointState: hasState ? update.pendingCheckpointState : undefined,
      };
    });
  }

  /** Records a finished shard's children on its lease (the KCL's `updateLeaseWithMetaInfo`), if the row exists. */
  async updateChildShardIds(leaseKey: string, childShardIds: readonly string[]): Promise<boolean> {
    if (childShardIds.length === 0) return true;
    const written = await this.conditional(async () => {
      await this.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: key(leaseKey),
          UpdateExpression: 'SET #children = :children',
          ConditionExpression: 'attribute_exists(#key)',
          ExpressionAttributeNames: { '#children': A.childShardIds, '#key': A.leaseKey },
          ExpressionAttributeValues: { ':children': { SS: [...childShardIds] } },
        }),
      );
      return true;
    });
    return written === true;
  }

  /**
   * Writes a shard's hash range onto a lease row that has none (rows written by KCL versions before
   * 2.3), as the KCL's periodic shard sync backfills it, without touching the counter or the owner.
   * Resolves `false` when the row is gone or already has a range.
   */
  async backfillHashKeyRange(
    leaseKey: string,
    range: LeaseHashKeyRange,
    signal?: AbortSignal,
  ): Promise<boolean> {
    const written = await this.conditional(async () => {
      await this.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: key(leaseKey),
          UpdateExpression: 'SET #start = :start, #end = :end',
          ConditionExpression: 'attribute_exists(#key) AND attribute_not_exists(#start)',
          ExpressionAttributeNames: {
            '#start': A.startingHashKey,
            '#end': A.endingHashKey,
            '#key': A.leaseKey,
          },
          ExpressionAttributeValues: {
            ':start': { S: range.startingHashKey },
            ':end': { S: range.endingHashKey },
          },
        }),
        signal,
      );
      return true;
    });
    return written === true;
  }

  /**
   * Deletes a finished lease (cleanup after its children started): only while its checkpoint is
   * still SHARD_END, so a row rewritten meanwhile (an operator rewinding it) is kept. Resolves
   * `false` when the condition failed or the row was already gone.
   */
  async deleteFinishedLease(leaseKey: string, signal?: AbortSignal): Promise<boolean> {
    const deleted = await this.conditional(async () => {
      await this.send(
        new DeleteItemCommand({
          TableName: this.tableName,
          Key: key(leaseKey),
          ConditionExpression: '#checkpoint = :shardEnd',
          ExpressionAttributeNames: { '#checkpoint': A.checkpoint },
          ExpressionAttributeValues: { ':shardEnd': { S: 'SHARD_END' } },
        }),
        signal,
      );
      return true;
    });
    return deleted === true;
  }

  /**
   * An operator's checkpoint reset (`LeaseAdmin`): counter + 1, the checkpoint and its sub-sequence
   * number, `ownerSwitchesSinceCheckpoint = 0`, and the pending checkpoint and the ownership
   * (`leaseOwner`, `checkpointOwner`) removed, so that the next owner starts from the new checkpoint;
   * if the row exists and `leaseCounter = seenCounter`. Resolves `false` when the condition failed.
   * Unlike the protocol's writes, this one keeps the SDK's retries (all within `requestTimeoutMs`):
   * a retried write that had succeeded then fails its condition, which the caller tells apart by
   * reading the row again.
   */
  async resetCheckpoint(
    leaseKey: string,
    seenCounter: number,
    checkpoint: ExtendedSequenceNumber,
  ): Promise<boolean> {
    const written = await this.conditional(async () => {
      await sendWithDeadline(
        this.client,
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: key(leaseKey),
          ...checkpointResetExpression(seenCounter, checkpoint),
        }),
        { timeoutMs: this.requestTimeoutMs },
      );
      return true;
    });
    return written === true;
  }

  /** Deletes a lease row, unconditionally (the KCL's `deleteLease`). */
  async deleteLease(leaseKey: string): Promise<void> {
    await this.send(new DeleteItemCommand({ TableName: this.tableName, Key: key(leaseKey) }));
  }

  private read(item: LeaseItem): Lease | undefined {
    const result = leaseFromItem(item);
    if (result.lease) return result.lease;
    this.logger.debug('Lease table row skipped', {
      table: this.tableName,
      reason: result.skipped,
      detail: result.detail,
    });
    this.onSkippedRow?.(result.detail);
    return undefined;
  }

  /** Runs a conditional write; a failed condition resolves `undefined` instead of throwing. */
  private async conditional<T>(write: () => Promise<T>): Promise<T | undefined> {
    try {
      return await write();
    } catch (error) {
      if (awsErrorCode(error) === 'ConditionalCheckFailedException') return undefined;
      throw error;
    }
  }

  /** One call without the SDK's retries: a `RequestTimeoutError` after `requestTimeoutMs`; `signal` aborts it. */
  private send<O>(command: CommandWithMiddlewareStack<O>, signal?: AbortSignal): Promise<O> {
    return sendWithoutSdkRetries(this.client, command, {
      timeoutMs: this.requestTimeoutMs,
      abortSignal: signal,
    });
  }
}

function key(leaseKey: string): Record<string, AttributeValue> {
  return { [A.leaseKey]: { S: leaseKey } };
}

/** The `SET` part writing a lease's `throughputKBps` on renewal (KCL 3.x load-aware assignment). */
function throughputUpdate(kbps: number): {
  set: string;
  names: Record<string, string>;
  values: Record<string, AttributeValue>;
} {
  const rounded = Math.round(kbps * 1000) / 1000;
  return {
    set: '#throughput = :throughput',
    names: { '#throughput': A.throughputKBps },
    values: { ':throughput': { N: String(rounded) } },
  };
}
