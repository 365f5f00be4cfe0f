import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Logger } from '@kinesis-ts/core';
import { ConsumerErrorCode, ConsumerStartError } from '../errors.js';
import {
  coordinatorStateTableName,
  fleetProtocol,
  KclClientVersion,
  readClientVersionRow,
} from '../leases/dynamodb/client-version-row.js';

/**
 * At start, finds out whether the lease table belongs to a Java KCL 3.x fleet in 3.x mode (its
 * `Migration3.0` row says `CLIENT_VERSION_3X` or `CLIENT_VERSION_3X_WITH_ROLLBACK`): there a leader
 * assigns leases, and a worker that takes them by count would fight it. Unless this consumer runs
 * the 3.x protocol (`kcl3Protocol`), it refuses to start with `KCL3_FLEET`, naming the row. In the
 * KCL's 2.x-compatible mode (`CLIENT_VERSION_UPGRADE_FROM_2X`, `CLIENT_VERSION_2X`) it runs as today,
 * as those Java workers do. Resolves the fleet's protocol.
 */
export async function checkFleetProtocol(input: {
  readonly client: DynamoDBClient;
  readonly leaseTableName: string;
  readonly applicationName: string;
  readonly requestTimeoutMs: number;
  readonly kcl3Protocol: boolean;
  readonly signal?: AbortSignal;
  readonly logger: Logger;
}): Promise<'kcl2' | 'kcl3'> {
  const row = await readClientVersionRow({
    client: input.client,
    leaseTableName: input.leaseTableName,
    coordinatorStateTableName: coordinatorStateTableName(input.applicationName),
    requestTimeoutMs: input.requestTimeoutMs,
    signal: input.signal,
  });
  const protocol = fleetProtocol(row?.clientVersion);
  if (row && protocol === 'kcl3' && !input.kcl3Protocol) {
    throw new ConsumerStartError(
      ConsumerErrorCode.KCL3_FLEET,
      `The Migration3.0 row of table ${row.tableName} says ${row.clientVersion}: a Java KCL 3.x fleet whose leader assigns the leases of ${input.leaseTableName}. This worker takes leases by count and would fight that leader; run the Java workers with CLIENT_VERSION_CONFIG_COMPATIBLE_WITH_2X (or roll the fleet back to ${KclClientVersion.V2X}) while it runs`,
    );
  }
  if (row) {
    input.logger.info('Lease table shared with Java KCL workers', {
      clientVersion: row.clientVersion,
      table: row.tableName,
      protocol,
    });
  }
  return protocol;
}
