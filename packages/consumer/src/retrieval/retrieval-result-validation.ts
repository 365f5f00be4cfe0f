/** The `ChildShards` entries of a GetRecords response or a SubscribeToShard event, as the SDK returns them. */
export interface ChildShardShape {
  readonly ShardId?: string;
  readonly ParentShards?: readonly string[];
  readonly HashKeyRange?: { readonly StartingHashKey?: string; readonly EndingHashKey?: string };
}

/** Why a retrieval result was refused. */
export type InvalidRetrievalResultReason =
  /** No `NextShardIterator`/`ContinuationSequenceNumber`, and no children either. */
  | 'end-without-children'
  /** A `NextShardIterator`/`ContinuationSequenceNumber` together with children. */
  | 'children-before-end'
  /** A child without `ParentShards` (its lease could not record its parents). */
  | 'child-without-parents'
  /** A child without `ShardId` or hash range. */
  | 'malformed-child';

/** The outcome of {@link validateRetrievalResult}. */
export type RetrievalResultValidation =
  | { readonly valid: true; readonly shardEnd: boolean }
  | { readonly valid: false; readonly reason: InvalidRetrievalResultReason };

/**
 * Checks the end-of-shard signal of a retrieval result, as the KCL does (`DataRetrievalUtil.isValidResult`).
 * `shardEndIndicator` is `NextShardIterator` for GetRecords and `ContinuationSequenceNumber` for a
 * SubscribeToShard event. Exactly one of two shapes is valid:
 *
 * - the shard goes on: the indicator is set and there are no children;
 * - the shard has ended: the indicator is absent and there is at least one child, each with its
 *   parents (and its id and hash range, which the child's lease needs).
 *
 * Anything else is refused and the read is retried: treating it as an end would checkpoint SHARD_END
 * without creating the children's leases, and ignoring children would skip the shard's end.
 */
export function validateRetrievalResult(
  shardEndIndicator: string | null | undefined,
  childShards: readonly ChildShardShape[] | null | undefined,
): RetrievalResultValidation {
  const ended = shardEndIndicator === undefined || shardEndIndicator === null || shardEndIndicator === '';
  const children = childShards ?? [];
  if (!ended) {
    return children.length === 0
      ? { valid: true, shardEnd: false }
      : { valid: false, reason: 'children-before-end' };
  }
  if (children.length === 0) return { valid: false, reason: 'end-without-children' };
  for (const child of children) {
    if (!child.ParentShards || child.ParentShards.length === 0) {
      return { valid: false, reason: 'child-without-parents' };
    }
    if (!child.ShardId || !child.HashKeyRange?.StartingHashKey || !child.HashKeyRange.EndingHashKey) {
      return { valid: false, reason: 'malformed-child' };
    }
  }
  return { valid: true, shardEnd: true };
}
