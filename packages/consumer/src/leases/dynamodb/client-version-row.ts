import { type DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { awsErrorCode, sendWithoutSdkRetries } from '@kinesis-ts/core';

/**
 * The KCL 3.x client-version row (`coordinator/migration/MigrationState.java`): key `Migration3.0`,
 * in the lease table (3.5 single-table layout, hash key `leaseKey`) or in `<app>-CoordinatorState`
 * (3.0–3.4, hash key `key`), attribute `cv`. Read only: this package never writes it.
 */
export const MIGRATION_STATE_KEY = 'Migration3.0';

/** The `cv` values the KCL persists (`coordinator/migration/ClientVersion.java`). */
export const KclClientVersion = {
  INIT: 'CLIENT_VERSION_INIT',
  UPGRADE_FROM_2X: 'CLIENT_VERSION_UPGRADE_FROM_2X',
  V2X: 'CLIENT_VERSION_2X',
  V3X_WITH_ROLLBACK: 'CLIENT_VERSION_3X_WITH_ROLLBACK',
  V3X: 'CLIENT_VERSION_3X',
} as const;

/** Where the row was found, and what it says. */
export interface ClientVersionRow {
  readonly clientVersion: string;
  /** The table that holds it. */
  readonly tableName: string;
  /** `mb`: the worker that last changed it, when written. */
  readonly modifiedBy?: string;
}

/**
 * How a fleet whose client-version row says `clientVersion` assigns leases: `'kcl3'` (a leader
 * assigns, workers discover: `CLIENT_VERSION_3X`, `CLIENT_VERSION_3X_WITH_ROLLBACK`) or `'kcl2'`
 * (every worker takes by count: no row, `CLIENT_VERSION_INIT`, `CLIENT_VERSION_UPGRADE_FROM_2X`
 * (the KCL's 2.x-compatible mode), `CLIENT_VERSION_2X` (after a rollback), or a value this package
 * does not know).
 */
export function fleetProtocol(clientVersion: string | undefined): 'kcl2' | 'kcl3' {
  return clientVersion === KclClientVersion.V3X || clientVersion === KclClientVersion.V3X_WITH_ROLLBACK
    ? 'kcl3'
    : 'kcl2';
}

/** The table a KCL 3.0–3.4 application keeps its coordinator state in. */
export function coordinatorStateTableName(applicationName: string): string {
  return `${applicationName}-CoordinatorState`;
}

/**
 * Reads the client-version row: first in the lease table, then in `<app>-CoordinatorState`.
 * Resolves `undefined` when neither holds it (a KCL 2.x or new application). Access denied to
 * `<app>-CoordinatorState` (a least-privilege policy that names the lease table alone, the usual case
 * without a KCL 3.0–3.4 fleet) counts as no row there, and `onCoordinatorStateDenied` is told.
 */
export async function readClientVersionRow(input: {
  readonly client: DynamoDBClient;
  readonly leaseTableName: string;
  readonly coordinatorStateTableName: string;
  readonly requestTimeoutMs: number;
  readonly signal?: AbortSignal;
  /** `<app>-CoordinatorState` could not be read for lack of permission. @defaultValue none */
  readonly onCoordinatorStateDenied?: (error: unknown) => void;
}): Promise<ClientVersionRow | undefined> {
  const places = [
    { tableName: input.leaseTableName, keyName: 'leaseKey' },
    { tableName: input.coordinatorStateTableName, keyName: 'key' },
  ];
  for (const { tableName, keyName } of places) {
    let item: Record<string, { S?: string }> | undefined;
    try {
      const output = await sendWithoutSdkRetries(
        input.client,
        new GetItemCommand({
          TableName: tableName,
          Key: { [keyName]: { S: MIGRATION_STATE_KEY } },
          ConsistentRead: true,
        }),
        { timeoutMs: input.requestTimeoutMs, abortSignal: input.signal },
      );
      item = output?.Item;
    } catch (error) {
      // No such table, or a table whose key is not named so (not a KCL coordinator-state table).
      const code = awsErrorCode(error);
      if (code === 'ResourceNotFoundException' || code === 'ValidationException') continue;
      if (tableName === input.coordinatorStateTableName && isAccessDenied(code)) {
        input.onCoordinatorStateDenied?.(error);
        continue;
      }
      throw error;
    }
    const clientVersion = item?.cv?.S;
    if (clientVersion) return { clientVersion, tableName, modifiedBy: item?.mb?.S };
  }
  return undefined;
}

function isAccessDenied(code: string | undefined): boolean {
  return code === 'AccessDeniedException' || code === 'UnrecognizedClientException';
}
