import type { Lease } from '../leases/lease.js';
import type { ShardInfo } from '../leases/shard-sync-plan.js';

/**
 * The ancestors of `leases` that the stream still holds (they are in `shards`, the current
 * listing) but that have no lease any more: finished parents whose leases the cleanup deleted once
 * their children had started. A rewind to a time inside them must recreate their leases, or their
 * records after that time would never be read again. Parents first (a recreated shard's children
 * wait for it). Pure.
 */
export function missingAncestors(
  leases: readonly Lease[],
  shards: readonly ShardInfo[],
  shardIdOf: (lease: Lease) => string,
): ShardInfo[] {
  const byId = new Map(shards.map((shard) => [shard.shardId, shard]));
  const leased = new Set(leases.map(shardIdOf));
  const found = new Map<string, ShardInfo>();
  const visit = (shardId: string | undefined) => {
    if (shardId === undefined || leased.has(shardId) || found.has(shardId)) return;
    const shard = byId.get(shardId);
    if (!shard) return; // past the retention period: nothing left to read
    found.set(shardId, shard);
    visit(shard.parentShardId);
    visit(shard.adjacentParentShardId);
  };
  for (const lease of leases) for (const parent of lease.parentShardIds) visit(parent);
  return [...found.values()].sort((a, b) =>
    compareDecimal(a.startingSequenceNumber, b.startingSequenceNumber),
  );
}

/** The parents of a shard, as a lease's `parentShardIds`. */
export function parentShardIdsOf(shard: ShardInfo): string[] {
  return [shard.parentShardId, shard.adjacentParentShardId].filter((id): id is string => id !== undefined);
}

function compareDecimal(a: string, b: string): number {
  return a.length !== b.length ? a.length - b.length : a < b ? -1 : a > b ? 1 : 0;
}
