import {
  type AttributeValue,
  type DynamoDBClient,
  GetItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { awsErrorCode, type CommandWithMiddlewareStack, sendWithoutSdkRetries } from '@kinesis-ts/core';
import type { CoordinatorRowPlace } from './coordinator-layout.js';
import { LEASE_ATTRIBUTES } from './lease-serializer.js';

/**
 * The leader lock row, as the KCL 3.x keeps it: the `AmazonDynamoDBLockClient` item keyed `"Leader"`.
 * In the lease table (3.5 single-table layout) it is keyed `leaseKey` and carries `entityType = LEADER`,
 * so that lease readers (ours and the KCL's) skip it; in `<app>-CoordinatorState` (3.0–3.4) it is keyed
 * `key` and carries the lock client's attributes only, as the Java 3.0–3.4 lock client writes it.
 * Every write is an `UpdateItem`, so attributes written by another client survive.
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

/** How the lock row is keyed and whether it is tagged (the lease table's, by default). */
export type LeaderLockShape = Pick<CoordinatorRowPlace, 'keyAttribute' | 'tagged'>;

const LEASE_TABLE_SHAPE: LeaderLockShape = { keyAttribute: LEASE_ATTRIBUTES.leaseKey, tagged: true };

/** The expression parts of {@link LeaderLockStore.write}. */
export function leaderLockWriteExpression(
  owner: string,
  newVersion: string,
  leaseDurationMs: number,
  expectedVersion: string | undefined,
  shape: LeaderLockShape = LEASE_TABLE_SHAPE,
): {
  UpdateExpression: string;
  ConditionExpression: string;
  ExpressionAttributeNames: Record<string, string>;
  ExpressionAttributeValues: Record<string, AttributeValue>;
} {
  const names: Record<string, string> = {
    '#key': shape.keyAttribute,
    '#owner': N.ownerName,
    '#duration': N.leaseDuration,
    '#version': N.recordVersionNumber,
    '#released': N.isReleased,
  };
  const values: Record<string, AttributeValue> = {
    ':owner': { S: owner },
    ':duration': { S: String(leaseDurationMs) },
    ':version': { S: newVersion },
  };
  let set = 'SET #owner = :owner, #duration = :duration, #version = :version';
  if (shape.tagged) {
    names['#type'] = N.entityType;
    values[':type'] = { S: LEADER_ENTITY_TYPE };
    set += ', #type = :type';
  }
  let condition = 'attribute_not_exists(#key)';
  if (expectedVersion !== undefined) {
    condition = 'attribute_exists(#key) AND #version = :expected';
    values[':expected'] = { S: expectedVersion };
  }
  return {
    UpdateExpression: `${set} REMOVE #released`,
    ConditionExpression: condition,
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: values,
  };
}

/**
 * The lock row in its table (`place`: the lease table or `<app>-CoordinatorState`), one SDK call per
 * operation without SDK retries.
 */
export class LeaderLockTable implements LeaderLockStore {
  private readonly key: Record<string, AttributeValue>;

  constructor(
    private readonly options: {
      readonly client: DynamoDBClient;
      readonly place: CoordinatorRowPlace;
      readonly requestTimeoutMs: number;
    },
  ) {
    this.key = { [options.place.keyAttribute]: { S: LEADER_LOCK_KEY } };
  }

  async read(signal?: AbortSignal): Promise<LeaderLockRow | undefined> {
    const output = await this.send(
      new GetItemCommand({
        TableName: this.options.place.tableName,
        Key: this.key,
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
        TableName: this.options.place.tableName,
        Key: this.key,
        ...leaderLockWriteExpression(owner, newVersion, leaseDurationMs, expectedVersion, this.options.place),
      }),
      signal,
    );
  }

  release(owner: string, version: string, signal?: AbortSignal): Promise<boolean> {
    return this.conditional(
      new UpdateItemCommand({
        TableName: this.options.place.tableName,
        Key: this.key,
        UpdateExpression: 'SET #released = :released',
        ConditionExpression: 'attribute_exists(#key) AND #owner = :owner AND #version = :version',
        ExpressionAttributeNames: {
          '#key': this.options.place.keyAttribute,
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
