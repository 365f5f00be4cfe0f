import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { describeError, type Logger } from '@kinesis-ts/core';
import { ConsumerErrorCode, ConsumerStartError } from '../errors.js';
import {
  coordinatorStateTableName,
  KclClientVersion,
  readClientVersionRow,
} from '../leases/dynamodb/client-version-row.js';
import {
  type CoordinatorLayout,
  decideCoordinatorLayout,
  requiredCoordinatorTables,
} from '../leases/dynamodb/coordinator-layout.js';
import { tableExists } from '../leases/dynamodb/table-exists.js';
import { decideFleetMode, type LeaseAssignmentMode } from './kcl3-protocol.js';

/** What start-up settled: the assignment mode, and where the lock and worker metrics rows are. */
export interface FleetProtocol {
  readonly mode: LeaseAssignmentMode;
  readonly layout: CoordinatorLayout;
}

/**
 * At start, reads the `Migration3.0` client-version row (lease table or `<app>-CoordinatorState`)
 * and resolves the lease assignment mode to run in (see {@link decideFleetMode}): beside a Java KCL
 * 3.x fleet in 3.x mode (`CLIENT_VERSION_3X`, `CLIENT_VERSION_3X_WITH_ROLLBACK`) the 3.x protocol,
 * `'worker-utilization'`, following the Java leader's assignments; there, a `leaseAssignment:
 * 'lease-count'` set explicitly makes it refuse to start with `KCL3_FLEET`, naming the row. Beside
 * the KCL's 2.x-compatible mode it takes by count, as those Java workers do. Never writes the row.
 *
 * The layout ({@link decideCoordinatorLayout}) follows where the row is: in `<app>-CoordinatorState`
 * (a KCL 3.0–3.4 fleet) the `Leader` lock is read and written there and the worker metrics rows go to
 * `<app>-WorkerMetricStats`; in `'worker-utilization'` both tables must exist (`KCL3_TABLE_NOT_FOUND`
 * otherwise: the Java fleet owns them, this package never creates them).
 */
export async function checkFleetProtocol(input: {
  readonly client: DynamoDBClient;
  readonly leaseTableName: string;
  readonly applicationName: string;
  readonly requestTimeoutMs: number;
  /** The `leaseAssignment` option, and whether the user gave it (not the default). */
  readonly leaseAssignment: LeaseAssignmentMode;
  readonly leaseAssignmentExplicit: boolean;
  readonly signal?: AbortSignal;
  readonly logger: Logger;
}): Promise<FleetProtocol> {
  const row = await readClientVersionRow({
    client: input.client,
    leaseTableName: input.leaseTableName,
    coordinatorStateTableName: coordinatorStateTableName(input.applicationName),
    requestTimeoutMs: input.requestTimeoutMs,
    signal: input.signal,
    onCoordinatorStateDenied: (error) =>
      input.logger.warn(
        'Cannot read the KCL 3.0–3.4 coordinator state table: assuming no such Java fleet shares the lease table (grant dynamodb:GetItem on it if one does)',
        { table: coordinatorStateTableName(input.applicationName), error: describeError(error) },
      ),
  });
  const decision = decideFleetMode({
    clientVersion: row?.clientVersion,
    configured: input.leaseAssignment,
    explicit: input.leaseAssignmentExplicit,
  });
  const layout = decideCoordinatorLayout({
    rowTableName: row?.tableName,
    leaseTableName: input.leaseTableName,
  });
  if (decision.action === 'refuse') {
    throw new ConsumerStartError(
      ConsumerErrorCode.KCL3_FLEET,
      `The Migration3.0 row of table ${row?.tableName} says ${row?.clientVersion}: a Java KCL 3.x fleet whose leader assigns the leases of ${input.leaseTableName}, and this worker was given leaseAssignment: 'lease-count', which takes leases by count and would fight that leader. Leave leaseAssignment unset or set it to 'worker-utilization' to follow the Java leader, or run the Java workers with CLIENT_VERSION_CONFIG_COMPATIBLE_WITH_2X (or roll the fleet back to ${KclClientVersion.V2X})`,
    );
  }
  if (decision.mode === 'worker-utilization') {
    for (const tableName of requiredCoordinatorTables(layout, input.applicationName)) {
      const exists = await tableExists({
        client: input.client,
        tableName,
        requestTimeoutMs: input.requestTimeoutMs,
        signal: input.signal,
      });
      if (!exists) {
        throw new ConsumerStartError(
          ConsumerErrorCode.KCL3_TABLE_NOT_FOUND,
          `The Migration3.0 row of table ${row?.tableName} says ${row?.clientVersion}: a Java KCL 3.0–3.4 fleet, whose leader lock is in ${coordinatorStateTableName(input.applicationName)} and whose workers report their metrics to ${tableName}, but table ${tableName} does not exist. The Java workers create it at start; this worker never does`,
        );
      }
    }
  }
  if (row) {
    input.logger.info('Lease table shared with Java KCL workers', {
      clientVersion: row.clientVersion,
      table: row.tableName,
      leaseAssignment: decision.mode,
      coordinatorLayout: layout,
    });
    if (decision.mode !== input.leaseAssignment) {
      input.logger.warn(
        decision.reason === 'kcl3-fleet'
          ? "Following the Java KCL 3.x leader: leases are assigned as with leaseAssignment: 'worker-utilization'"
          : "The Java fleet runs the KCL's 2.x-compatible mode: leases are taken by count as with leaseAssignment: 'lease-count'",
        { configured: input.leaseAssignment },
      );
    }
  }
  return { mode: decision.mode, layout };
}
