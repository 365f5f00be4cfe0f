import { mapWithConcurrency } from '../util/map-with-concurrency.js';
import type { Lease } from './lease.js';

/** The lease table reads of index discovery (implemented by `LeaseTable`). */
export interface LeaseDiscoveryStore {
  /** The keys of `workerId`'s leases, from the `LeaseOwnerToLeaseKeyIndex`. */
  listLeaseKeysForWorker(workerId: string, signal?: AbortSignal): Promise<string[]>;
  getLease(leaseKey: string, consistentRead?: boolean, signal?: AbortSignal): Promise<Lease | undefined>;
}

/** What one discovery run found. */
export interface DiscoveredLeases {
  /** Leases assigned to this worker that it does not hold yet, ready to take. */
  readonly assigned: readonly Lease[];
  /** Leases in a handoff to this worker whose old owner has not handed them over yet. */
  readonly pendingHandoffs: readonly Lease[];
  /** Keys the index listed that the row no longer gives to this worker (the index lags the table). */
  readonly ownerMismatches: number;
}

const MAX_CONCURRENT_READS = 10;

/**
 * Finds the leases assigned to this worker without scanning the table (the KCL 3.x
 * `DynamoDBLeaseDiscoverer`): one Query on the `LeaseOwnerToLeaseKeyIndex`, then a consistent GetItem
 * for each key not already held. A row whose owner is not this worker is dropped (the index is
 * eventually consistent); a row still in a handoff (`checkpointOwner` set) is reported apart, for
 * the caller to wait for its old owner or its timeout.
 */
export async function discoverAssignedLeases(input: {
  readonly store: LeaseDiscoveryStore;
  readonly workerId: string;
  readonly heldKeys: ReadonlySet<string>;
  readonly signal?: AbortSignal;
}): Promise<DiscoveredLeases> {
  const { store, workerId, heldKeys, signal } = input;
  const keys = (await store.listLeaseKeysForWorker(workerId, signal)).filter((key) => !heldKeys.has(key));
  const rows = await mapWithConcurrency(keys, MAX_CONCURRENT_READS, (key) =>
    store.getLease(key, true, signal),
  );
  const assigned: Lease[] = [];
  const pendingHandoffs: Lease[] = [];
  let ownerMismatches = 0;
  for (const row of rows) {
    if (!row) continue;
    if (row.leaseOwner !== workerId) ownerMismatches++;
    else if (row.checkpointOwner !== undefined) pendingHandoffs.push(row);
    else assigned.push(row);
  }
  return { assigned, pendingHandoffs, ownerMismatches };
}
