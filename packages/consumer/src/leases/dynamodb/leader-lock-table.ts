import {
  type AttributeValue,
  type DynamoDBClient,
  GetItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { awsErrorCode, type CommandWithMiddlewareStack, sendWithoutSdkRetries } from '@kinesis-ts/core';
import { LEASE_ATTRIBUTES } from './lease-serializer.js';

/**
 * The leader lock row, as the KCL 3.x keeps it in the lease table (3.5 single-table layout): the
 * `AmazonDynamoDBLockClient` item keyed `leaseKey = "Leader"` with `entityType = LEADER`, so that lease
 * readers (ours and the KCL's) skip it. Every write is an `UpdateItem`, so attributes written by
 * another client survive.
 */
export const LEADER_LOCK_KEY = 'Leader';
export const LEADER_ENTITY_TYPE = 'LEADER';

/** The lock client's attribute names. */
export const LEADER_LOCK_ATTRIBUTES = {
  ownerName: 'ownerName',
  leaseDuration: 'leaseDuration',
  recordVersionNumber: 'recordVersionNumber',
  isReleased: 'isReleased',
  entityType: LEASE_ATTRIBUTES.entityType,
} as const;

/** The lock row as read. */
export interface LeaderLockRow {
  readonly ownerName: string | undefined;
  readonly recordVersionNumber: string | undefined;
  /** The lease duration the holder announced, in ms. */
  readonly leaseDurationMs: number | undefined;
  readonly isReleased: boolean;
}

/** What leader election needs from the table (a fake implements it in unit tests). */
export interface LeaderLockStore {
  /** The lock row (strongly consistent), or `undefined` when there is none. */
  read(signal?: AbortSignal): Promise<LeaderLockRow | undefined>;
  /**
   * Writes the lock as `owner` with a new record version number, if the row is absent
   * (`expectedVersion` undefined) or still carries `expectedVersion`. Resolves whether it wrote.
   */
  write(
    owner: string,
    newVersion: string,
    leaseDurationMs: number,
    expectedVersion: string | undefined,
    signal?: AbortSignal,
  ): Promise<boolean>;
  /** Marks the lock released (`isReleased = "1"`), if `owner` still holds it at `version`. */
  release(owner: string, version: string, signal?: AbortSignal): Promise<boolean>;
}

const N = LEADER_LOCK_ATTRIBUTES;

/** Reads an item of the lock row. */
export function leaderLockFromItem(item: Record<string, AttributeValue>): LeaderLockRow {
  const duration = Number(item[N.leaseDuration]?.S ?? item[N.leaseDuration]?.N);
  const released = item[N.isReleased];
  return {
    ownerName: item[N.ownerName]?.S,
    recordVersionNumber: item[N.recordVersionNumber]?.S,
    leaseDurationMs: Number.isFinite(duration) && duration > 0 ? duration : undefined,
    isReleased: released !== undefined && (released.S === '1' || released.BOOL === true),
  };
}

/** The expression parts of {@link LeaderLockStore.write}. */
export function leaderLockWriteExpression(
  owner: string,
  newVersion: string,
  leaseDurationMs: number,
  expectedVersion: string | undefined,
): {
  UpdateExpression: string;
  ConditionExpression: string;
  ExpressionAttributeNames: Record<string, string>;
  ExpressionAttributeValues: Record<string, AttributeValue>;
} {
  const names: Record<string, string> = {
    '#key': LEASE_ATTRIBUTES.leaseKey,
    '#owner': N.ownerName,
    '#duration': N.leaseDuration,
    '#version': N.recordVersionNumber,
    '#released': N.isReleased,
    '#type': N.entityType,
  };
  const values: Record<string, AttributeValue> = {
    ':owner': { S: owner },
    ':duration': { S: String(leaseDurationMs) },
    ':version': { S: newVersion },
    ':type': { S: LEADER_ENTITY_TYPE },
  };
  let condition = 'attribute_not_exists(#key)';
  if (expectedVersion !== undefined) {
    condition = 'attribute_exists(#key) AND #version = :expected';
    values[':expected'] = { S: expectedVersion };
  }
  return {
    UpdateExpression:
      'SET #owner = :owner, #duration = :duration, #version = :version, #type = :type REMOVE #released',
    ConditionExpression: condition,
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: values,
  };
}

/** The lock row in the lease table, one SDK call per operation without SDK retries. */
export class LeaderLockTable implements LeaderLockStore {
  constructor(
    private readonly options: {
      readonly client: DynamoDBClient;
      readonly tableName: string;
      readonly requestTimeoutMs: number;
    },
  ) {}

  async read(signal?: AbortSignal): Promise<LeaderLockRow | undefined> {
    const output = await this.send(
      new GetItemCommand({
        TableName: this.options.tableName,
        Key: { [LEASE_ATTRIBUTES.leaseKey]: { S: LEADER_LOCK_KEY } },
        ConsistentRead: true,
      }),
      signal,
    );
    return output.Item ? leaderLockFromItem(output.Item) : undefined;
  }

  write(
    owner: string,
    newVersion: string,
    leaseDurationMs: number,
    expectedVersion: string | undefined,
    signal?: AbortSignal,
  ): Promise<boolean> {
    return this.conditional(
      new UpdateItemCommand({
        TableName: this.options.tableName,
        Key: { [LEASE_ATTRIBUTES.leaseKey]: { S: LEADER_LOCK_KEY } },
        ...leaderLockWriteExpression(owner, newVersion, leaseDurationMs, expectedVersion),
      }),
      signal,
    );
  }

  release(owner: string, version: string, signal?: AbortSignal): Promise<boolean> {
    return this.conditional(
      new UpdateItemCommand({
        TableName: this.options.tableName,
        Key: { [LEASE_ATTRIBUTES.leaseKey]: { S: LEADER_LOCK_KEY } },
        UpdateExpression: 'SET #released = :released',
        ConditionExpression: 'attribute_exists(#key) AND #owner = :owner AND #version = :version',
        ExpressionAttributeNames: {
          '#key': LEASE_ATTRIBUTES.leaseKey,
          '#released': N.isReleased,
          '#owner': N.ownerName,
          '#version': N.recordVersionNumber,
        },
        ExpressionAttributeValues: {
          ':released': { S: '1' },
          ':owner': { S: owner },
          ':version': { S: version },
        },
      }),
      signal,
    );
  }

  private async conditional(command: UpdateItemCommand, signal?: AbortSignal): Promise<boolean> {
    try {
      await this.send(command, signal);
      return true;
    } catch (error) {
      if (awsErrorCode(error) === 'ConditionalCheckFailedException') return false;
      throw error;
    }
  }

  private send<O>(command: CommandWithMiddlewareStack<O>, signal?: AbortSignal): Promise<O> {
    return sendWithoutSdkRetries(this.options.client, command, {
      timeoutMs: this.options.requestTimeoutMs,
      abortSignal: signal,
    });
  }
}
