import { CheckpointSentinel } from '@kinesis-ts/core';
import { isLeaseFinished, type Lease } from './lease.js';

/** Checkpoints that mean a lease's shard has not been processed at all yet. */
const NOT_STARTED = new Set<string>([
  CheckpointSentinel.TRIM_HORIZON,
  CheckpointSentinel.LATEST,
  CheckpointSentinel.AT_TIMESTAMP,
]);

/**
 * Which finished leases may be deleted, by the Java KCL's rules (`LeaseCleanupManager`), applied to
 * one scan of the table. A lease checkpointed at SHARD_END is deleted when:
 *
 * 1. none of its parents still has a lease (the hierarchy is cleaned from the top, so shard sync
 *    never sees a child whose ancestry has a hole in the middle), and
 * 2. it has children, every child has a lease, and every child has started: its checkpoint is no
 *    longer `TRIM_HORIZON`, `LATEST` or `AT_TIMESTAMP`.
 *
 * The children are the lease's `childShardIds`, or, for rows written without them (old KCL
 * versions), the leases that name it as a parent. A finished lease with no known child (a shard that
 * disappeared: trimmed, or its stream deleted) is kept: without children nobody can tell whether
 * deleting it would make shard sync create a lease for a shard that was already read.
 * Multi-stream leases (`account:stream:epoch:shardId`) are left alone.
 */
export function planLeaseCleanup(leases: readonly Lease[]): Lease[] {
  const byKey = new Map(leases.map((lease) => [lease.leaseKey, lease]));
  const childrenByParent = new Map<string, string[]>();
  for (const lease of leases) {
    for (const parent of lease.parentShardIds) {
      const list = childrenByParent.get(parent) ?? [];
      list.push(lease.leaseKey);
      childrenByParent.set(parent, list);
    }
  }
  return leases.filter((lease) => {
    if (!isLeaseFinished(lease) || lease.leaseKey.includes(':')) return false;
    if (lease.parentShardIds.some((parent) => byKey.has(parent))) return false;
    const children =
      lease.childShardIds.length > 0 ? lease.childShardIds : (childrenByParent.get(lease.leaseKey) ?? []);
    if (children.length === 0) return false;
    return children.every((childKey) => {
      const child = byKey.get(childKey);
      return child !== undefined && !NOT_STARTED.has(child.checkpoint.sequenceNumber);
    });
  });
}
