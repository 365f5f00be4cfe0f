import {
  type AttributeValue,
  CreateTableCommand,
  DescribeTableCommand,
  QueryCommand,
  UpdateTableCommand,
} from '@aws-sdk/client-dynamodb';
import { awsErrorCode, type CommandWithMiddlewareStack, sleep } from '@kinesis-ts/core';
import {
  LEASE_OWNER_INDEX_ATTRIBUTES,
  LEASE_OWNER_INDEX_NAME,
  leaseOwnerIndex,
  leaseOwnerIndexCreation,
} from './lease-owner-index.js';
import { LEASE_ATTRIBUTES as A } from './lease-serializer.js';

/**
 * The lease table as a whole, apart from its rows: its status, its creation and the wait for it, the
 * KCL 3.x `LeaseOwnerToLeaseKeyIndex` (its status, its creation on an existing table, the Query that
 * lists a worker's lease keys). `LeaseTable` offers each as a method.
 */

/** What these functions need of the table: its name, and one call without the SDK's retries. */
export interface LeaseTableAccess {
  readonly tableName: string;
  send<O>(command: CommandWithMiddlewareStack<O>, signal?: AbortSignal): Promise<O>;
}

/** The table's status (`ACTIVE`, `CREATING`…), or `undefined` when it does not exist. */
export async function describeLeaseTableStatus(
  table: LeaseTableAccess,
  signal?: AbortSignal,
): Promise<string | undefined> {
  try {
    const output = await table.send(new DescribeTableCommand({ TableName: table.tableName }), signal);
    return output.Table?.TableStatus ?? 'UNKNOWN';
  } catch (error) {
    if (awsErrorCode(error) === 'ResourceNotFoundException') return undefined;
    throw error;
  }
}

/**
 * The status of the `LeaseOwnerToLeaseKeyIndex` (`ACTIVE`, `CREATING`…), or `undefined` when the
 * table has no such index.
 */
export async function leaseOwnerIndexStatus(
  table: LeaseTableAccess,
  signal?: AbortSignal,
): Promise<string | undefined> {
  const output = await table.send(new DescribeTableCommand({ TableName: table.tableName }), signal);
  const index = output.Table?.GlobalSecondaryIndexes?.find((i) => i.IndexName === LEASE_OWNER_INDEX_NAME);
  return index ? (index.IndexStatus ?? 'ACTIVE') : undefined;
}

/**
 * Adds the `LeaseOwnerToLeaseKeyIndex` to an existing table with UpdateTable (needs
 * `dynamodb:UpdateTable`). Resolves `false` when the index exists already or the table is being
 * updated; DynamoDB builds the index in the background.
 */
export async function createLeaseOwnerIndex(table: LeaseTableAccess, signal?: AbortSignal): Promise<boolean> {
  const output = await table.send(new DescribeTableCommand({ TableName: table.tableName }), signal);
  const description = output.Table;
  if (description?.GlobalSecondaryIndexes?.some((i) => i.IndexName === LEASE_OWNER_INDEX_NAME)) return false;
  const provisioned =
    description?.BillingModeSummary?.BillingMode === 'PAY_PER_REQUEST' ||
    !description?.ProvisionedThroughput?.ReadCapacityUnits
      ? undefined
      : {
          readCapacityUnits: description.ProvisionedThroughput.ReadCapacityUnits,
          writeCapacityUnits: description.ProvisionedThroughput.WriteCapacityUnits ?? 1,
        };
  return sentUnlessInUse(
    table,
    new UpdateTableCommand({
      TableName: table.tableName,
      AttributeDefinitions: [...LEASE_OWNER_INDEX_ATTRIBUTES],
      GlobalSecondaryIndexUpdates: [leaseOwnerIndexCreation(provisioned)],
    }),
    signal,
  );
}

/**
 * The keys of the leases `workerId` owns, from the `LeaseOwnerToLeaseKeyIndex` (a paginated Query;
 * the index is eventually consistent: read each row before trusting it).
 */
export async function listLeaseKeysForWorker(
  table: LeaseTableAccess,
  workerId: string,
  signal?: AbortSignal,
): Promise<string[]> {
  const keys: string[] = [];
  let startKey: Record<string, AttributeValue> | undefined;
  do {
    const output = await table.send(
      new QueryCommand({
        TableName: table.tableName,
        IndexName: LEASE_OWNER_INDEX_NAME,
        KeyConditionExpression: '#owner = :owner',
        ExpressionAttributeNames: { '#owner': A.leaseOwner },
        ExpressionAttributeValues: { ':owner': { S: workerId } },
        ExclusiveStartKey: startKey,
      }),
      signal,
    );
    for (const item of output.Items ?? []) {
      const leaseKey = item[A.leaseKey]?.S;
      if (leaseKey) keys.push(leaseKey);
    }
    startKey = output.LastEvaluatedKey;
  } while (startKey !== undefined);
  return keys;
}

/**
 * Creates the table (`leaseKey` S hash key, on-demand billing) with the KCL 3.x
 * `LeaseOwnerToLeaseKeyIndex`. Resolves `false` when it already exists.
 */
export async function createLeaseTable(table: LeaseTableAccess, signal?: AbortSignal): Promise<boolean> {
  return sentUnlessInUse(
    table,
    new CreateTableCommand({
      TableName: table.tableName,
      KeySchema: [{ AttributeName: A.leaseKey, KeyType: 'HASH' }],
      AttributeDefinitions: [...LEASE_OWNER_INDEX_ATTRIBUTES],
      GlobalSecondaryIndexes: [leaseOwnerIndex()],
      BillingMode: 'PAY_PER_REQUEST',
    }),
    signal,
  );
}

/**
 * Sends a command that creates something (a table, an index): `true` once sent, `false` when
 * DynamoDB answers `ResourceInUseException` (it exists already, or is being made).
 */
async function sentUnlessInUse<O>(
  table: LeaseTableAccess,
  command: CommandWithMiddlewareStack<O>,
  signal: AbortSignal | undefined,
): Promise<boolean> {
  try {
    await table.send(command, signal);
    return true;
  } catch (error) {
    if (awsErrorCode(error) === 'ResourceInUseException') return false;
    throw error;
  }
}

/**
 * Polls the table's status until it is `ACTIVE` (or `UPDATING`), for at most `timeoutMs`.
 * Resolves `false` on timeout; a missing table rejects.
 */
export async function waitUntilLeaseTableActive(
  table: LeaseTableAccess,
  timeoutMs: number,
  pollIntervalMs: number,
  signal?: AbortSignal,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const status = await describeLeaseTableStatus(table, signal);
    if (status === 'ACTIVE' || status === 'UPDATING') return true;
    if (Date.now() + pollIntervalMs > deadline) return false;
    await sleep(pollIntervalMs, signal);
  }
}
