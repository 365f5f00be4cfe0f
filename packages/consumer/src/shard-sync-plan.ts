import { CheckpointSentinel } from '@kinesis-ts/core';
import { type InitialPosition, initialPositionSentinel } from './initial-position.js';
import type { Lease } from './lease.js';

/** A shard as `ListShards` describes it, reduced to what shard sync needs. */
export interface ShardInfo {
  readonly shardId: string;
  readonly parentShardId?: string;
  readonly adjacentParentShardId?: string;
  readonly startingHashKey: string;
  readonly endingHashKey: string;
  readonly startingSequenceNumber: string;
  /** Set when the shard is closed (split or merged); absent while it is open. */
  readonly endingSequenceNumber?: string;
}

/**
 * Which leases to create so that every open shard is (or will be) processed, following the KCL's
 * non-empty-table rules (which also give the empty-table result):
 *
 * - an open shard without a lease whose ancestry (parents, walked through the listed shards) holds no
 *   lease gets one at the initial position — with `LATEST`, the shard itself; with `TRIM_HORIZON` or a
 *   timestamp, its oldest listed ancestors instead, so the retained history is read in order (their
 *   children get leases when they reach SHARD_END);
 * - an open shard some ancestor of which has a lease is a descendant: the first missing level below
 *   the leased ancestors gets leases at `TRIM_HORIZON` (`AT_TIMESTAMP` with a timestamp), so nothing
 *   written to the children is skipped while the parents are drained.
 *
 * New leases carry their parents (`parentShardId`) and hash range, and come out in order of starting
 * sequence number. Nothing here decides when a child may start: shard consumers wait for parents.
 */
export function planShardSync(
  shards: readonly ShardInfo[],
  leaseKeys: ReadonlySet<string>,
  initialPosition: InitialPosition,
): Lease[] {
  const byId = new Map(shards.map((shard) => [shard.shardId, shard]));
  const initial = initialPositionSentinel(initialPosition);
  const descendantCheckpoint =
    initial === CheckpointSentinel.AT_TIMESTAMP
      ? CheckpointSentinel.AT_TIMESTAMP
      : CheckpointSentinel.TRIM_HORIZON;
  const toCreate = new Map<string, { shard: ShardInfo; checkpoint: string }>();
  const hasLeasedAncestor = new Map<string, boolean>();

  const parentsOf = (shard: ShardInfo): string[] =>
    [shard.parentShardId, shard.adjacentParentShardId].filter((id): id is string => !!id);

  // Whether some ancestor of the shard (not the shard itself) has a lease.
  const leasedAncestry = (shard: ShardInfo, seen: Set<string>): boolean => {
    const cached = hasLeasedAncestor.get(shard.shardId);
    if (cached !== undefined) return cached;
    let result = false;
    for (const parentId of parentsOf(shard)) {
      if (leaseKeys.has(parentId)) result = true;
      const parent = byId.get(parentId);
      if (parent && !seen.has(parentId)) {
        seen.add(parentId);
        if (leasedAncestry(parent, seen)) result = true;
      }
    }
    hasLeasedAncestor.set(shard.shardId, result);
    return result;
  };

  // In a leased ancestry, the shards right below the leased ones, walking up from `shard`.
  const firstMissingLevel = (shard: ShardInfo, out: Set<string>, seen: Set<string>): void => {
    if (leaseKeys.has(shard.shardId) || seen.has(shard.shardId)) return;
    seen.add(shard.shardId);
    const parents = parentsOf(shard);
    if (parents.some((id) => leaseKeys.has(id))) {
      out.add(shard.shardId);
      return;
    }
    for (const parentId of parents) {
      const parent = byId.get(parentId);
      if (parent && leasedAncestry(parent, new Set())) firstMissingLevel(parent, out, seen);
    }
  };

  // The oldest listed ancestors of a shard (itself when none of its parents is listed).
  const oldestAncestors = (shard: ShardInfo, out: Set<string>, seen: Set<string>): void => {
    if (seen.has(shard.shardId)) return;
    seen.add(shard.shardId);
    const listedParents = parentsOf(shard)
      .map((id) => byId.get(id))
      .filter((parent): parent is ShardInfo => parent !== undefined);
    if (listedParents.length === 0) out.add(shard.shardId);
    for (const parent of listedParents) oldestAncestors(parent, out, seen);
  };

  for (const shard of shards) {
    if (shard.endingSequenceNumber !== undefined || leaseKeys.has(shard.shardId)) continue;
    if (leasedAncestry(shard, new Set())) {
      const level = new Set<string>();
      firstMissingLevel(shard, level, new Set());
      for (const id of level) {
        if (!toCreate.has(id)) toCreate.set(id, { shard: byId.get(id)!, checkpoint: descendantCheckpoint });
      }
    } else if (initial === CheckpointSentinel.LATEST) {
      toCreate.set(shard.shardId, { shard, checkpoint: initial });
    } else {
      const oldest = new Set<string>();
      oldestAncestors(shard, oldest, new Set());
      for (const id of oldest) {
        if (!toCreate.has(id) && !leaseKeys.has(id))
          toCreate.set(id, { shard: byId.get(id)!, checkpoint: initial });
      }
    }
  }

  return [...toCreate.values()]
    .sort((a, b) => compareDecimal(a.shard.startingSequenceNumber, b.shard.startingSequenceNumber))
    .map(({ shard, checkpoint }) => newLease(shard, checkpoint));
}

/** A new, unowned lease for a shard, with its parents and hash range. */
export function newLease(
  shard: Pick<ShardInfo, 'shardId' | 'startingHashKey' | 'endingHashKey'> & {
    parentShardIds?: readonly string[];
  },
  checkpoint: string,
): Lease {
  const parents =
    shard.parentShardIds ??
    [(shard as ShardInfo).parentShardId, (shard as ShardInfo).adjacentParentShardId].filter(
      (id): id is string => !!id,
    );
  return {
    leaseKey: shard.shardId,
    leaseCounter: 0,
    checkpoint: { sequenceNumber: checkpoint, subSequenceNumber: 0 },
    ownerSwitchesSinceCheckpoint: 0,
    parentShardIds: parents,
    childShardIds: [],
    hashKeyRange: { startingHashKey: shard.startingHashKey, endingHashKey: shard.endingHashKey },
  };
}

function compareDecimal(a: string, b: string): number {
  if (a.length !== b.length) return a.length - b.length;
  return a < b ? -1 : a > b ? 1 : 0;
}
