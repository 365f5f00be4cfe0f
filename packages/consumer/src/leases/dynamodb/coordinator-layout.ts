import { coordinatorStateTableName } from './client-version-row.js';
import { LEASE_ATTRIBUTES } from './lease-serializer.js';

/**
 * Where a KCL 3.x fleet keeps its coordinator rows (the `Leader` lock, the `Migration3.0` row) and
 * its worker metrics rows:
 *
 * - `'single-table'`: the KCL 3.5+ layout, every row in the lease table (hash key `leaseKey`), each
 *   tagged with `entityType` so that lease readers skip it;
 * - `'legacy-tables'`: the KCL 3.0–3.4 layout, coordinator rows in `<app>-CoordinatorState` (hash key
 *   `key`) and worker metrics rows in `<app>-WorkerMetricStats` (hash key `wid`), untagged: those
 *   tables hold nothing else. The Java fleet creates and owns them; this package never does.
 */
export type CoordinatorLayout = 'single-table' | 'legacy-tables';

/** Where one kind of row lives, and how it is keyed. */
export interface CoordinatorRowPlace {
  readonly tableName: string;
  /** The table's hash key attribute. */
  readonly keyAttribute: string;
  /** Whether the rows carry `entityType` (they do beside leases, in the lease table). */
  readonly tagged: boolean;
}

/** The hash key attribute of `<app>-CoordinatorState` (KCL 3.0–3.4). */
export const COORDINATOR_STATE_KEY_ATTRIBUTE = 'key';
/** The hash key attribute of `<app>-WorkerMetricStats` (KCL 3.0–3.4): the worker id. */
export const WORKER_METRIC_STATS_KEY_ATTRIBUTE = 'wid';

/** The table a KCL 3.0–3.4 application keeps its worker metrics rows in. */
export function workerMetricStatsTableName(applicationName: string): string {
  return `${applicationName}-WorkerMetricStats`;
}

/**
 * The layout of the fleet whose `Migration3.0` row was found in `rowTableName` (`undefined`: no row,
 * so no Java 3.x fleet, and this package's own layout, the single table): a row in the lease table
 * is the 3.5 layout, a row anywhere else (`<app>-CoordinatorState`) the 3.0–3.4 one.
 */
export function decideCoordinatorLayout(input: {
  readonly rowTableName: string | undefined;
  readonly leaseTableName: string;
}): CoordinatorLayout {
  if (input.rowTableName === undefined || input.rowTableName === input.leaseTableName) return 'single-table';
  return 'legacy-tables';
}

/** Where the `Leader` lock row lives in `layout`. */
export function leaderLockPlace(
  layout: CoordinatorLayout,
  leaseTableName: string,
  applicationName: string,
): CoordinatorRowPlace {
  return layout === 'single-table'
    ? { tableName: leaseTableName, keyAttribute: LEASE_ATTRIBUTES.leaseKey, tagged: true }
    : {
        tableName: coordinatorStateTableName(applicationName),
        keyAttribute: COORDINATOR_STATE_KEY_ATTRIBUTE,
        tagged: false,
      };
}

/** Where the worker metrics rows live in `layout`. */
export function workerMetricsPlace(
  layout: CoordinatorLayout,
  leaseTableName: string,
  applicationName: string,
): CoordinatorRowPlace {
  return layout === 'single-table'
    ? { tableName: leaseTableName, keyAttribute: LEASE_ATTRIBUTES.leaseKey, tagged: true }
    : {
        tableName: workerMetricStatsTableName(applicationName),
        keyAttribute: WORKER_METRIC_STATS_KEY_ATTRIBUTE,
        tagged: false,
      };
}

/**
 * The tables of `layout` that are not the lease table and must exist before this worker follows the
 * fleet: none in the single table; `<app>-CoordinatorState` and `<app>-WorkerMetricStats` in the
 * legacy layout (the Java fleet creates them; this package never does).
 */
export function requiredCoordinatorTables(layout: CoordinatorLayout, applicationName: string): string[] {
  return layout === 'single-table'
    ? []
    : [coordinatorStateTableName(applicationName), workerMetricStatsTableName(applicationName)];
}
