import { CheckpointSentinel } from '@kinesis-ts/core';
import { type InitialPosition, initialPositionSentinel } from '../retrieval/initial-position.js';
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

/** What shard sync needs to know about an existing lease. */
export interface ExistingLease {
  readonly leaseKey: string;
  /** Checkpointed at SHARD_END. */
  readonly finished: boolean;
}

/**
 * Which leases to create so that every open shard is (or will be) processed, following the KCL's
 * `HierarchicalShardSyncer` (non-empty-table rules, which also give the empty-table result). For each
 * open shard without a lease:
 *
 * - if no ancestor (walking parents through the listed shards) has a lease: with `LATEST`, a lease for
 *   the shard at `LATEST`; with `TRIM_HORIZON` or a timestamp, leases for its oldest listed ancestors
 *   at that position, so the retained history is read in order (their children get leases when they
 *   reach SHARD_END);
 * - if some ancestor has a lease, the shard is a descendant and gets its lease when its parents end
 *   (from `ChildShards`). Only the missing branches are filled: a parent without a lease and without a
 *   leased ancestry gets a lease at `TRIM_HORIZON` (with `LATEST`) or leases for its oldest ancestors
 *   at the initial position. A shard whose parents all have finished (SHARD_END) leases but that has
 *   none itself (its children were never created) gets one at `TRIM_HORIZON`.
 *
 * New leases carry their parents (`parentShardId`) and hash range, and come out in order of starting
 * sequence number, so a crash midway leaves a consistent prefix. Shard consumers wait for parents.
 */
export function planShardSync(
  shards: readonly ShardInfo[],
  existing: readonly ExistingLease[],
  initialPosition: InitialPosition,
): Lease[] {
  const byId = new Map(shards.map((shard) => [shard.shardId, shard]));
  const leases = new Map(existing.map((lease) => [lease.leaseKey, lease]));
  const initial = initialPositionSentinel(initialPosition);
  const toCreate = new Map<string, { shard: ShardInfo; checkpoint: string }>();
  const descendantMemo = new Map<string, boolean>();

  const parentsOf = (shard: ShardInfo): string[] =>
    [shard.parentShardId, shard.adjacentParentShardId].filter((id): id is string => !!id);
  const create = (shard: ShardInfo, checkpoint: string) => {
    if (!leases.has(shard.shardId) && !toCreate.has(shard.shardId))
      toCreate.set(shard.shardId, { shard, checkpoint });
  };

  // Whether some ancestor of the shard (not the shard itself) has a lease.
  const isDescendant = (shard: ShardInfo): boolean => {
    const cached = descendantMemo.get(shard.shardId);
    if (cached !== undefined) return cached;
    descendantMemo.set(shard.shardId, false); // guards against cycles in malformed listings
    const result = parentsOf(shard).some((id) => {
      if (leases.has(id)) return true;
      const parent = byId.get(id);
      return parent !== undefined && isDescendant(parent);
    });
    descendantMemo.set(shard.shardId, result);
    return result;
  };

  // The oldest listed ancestors of a shard (itself when none of its parents is listed).
  const createOldestAncestors = (shard: ShardInfo, checkpoint: string, seen: Set<string>): void => {
    if (seen.has(shard.shardId)) return;
    seen.add(shard.shardId);
    const listedParents = parentsOf(shard)
      .map((id) => byId.get(id))
      .filter((parent): parent is ShardInfo => parent !== undefined);
    if (listedParents.length === 0) create(shard, checkpoint);
    for (const parent of listedParents) createOldestAncestors(parent, checkpoint, seen);
  };

  const fillMissingAncestors = (shard: ShardInfo, seen: Set<string>): void => {
    if (seen.has(shard.shardId)) return;
    seen.add(shard.shardId);
    const parents = parentsOf(shard);
    if (parents.length > 0 && parents.every((id) => leases.get(id)?.finished === true)) {
      create(shard, CheckpointSentinel.TRIM_HORIZON);
      return;
    }
    for (const parentId of parents) {
      const parent = byId.get(parentId);
      if (leases.has(parentId) || parent === undefined) continue;
      if (isDescendant(parent)) fillMissingAncestors(parent, seen);
      else if (initial === CheckpointSentinel.LATEST) create(parent, CheckpointSentinel.TRIM_HORIZON);
      else createOldestAncestors(parent, initial, new Set());
    }
  };

  for (const shard of shards) {
    if (shard.endingSequenceNumber !== undefined || leases.has(shard.shardId)) continue;
    if (isDescendant(shard)) fillMissingAncestors(shard, new Set());
    else if (initial === CheckpointSentinel.LATEST) create(shard, initial);
    else createOldestAncestors(shard, initial, new Set());
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
