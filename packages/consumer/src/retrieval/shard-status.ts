/** What the stream's shard listing (ListShards) says about one shard. */
export type ListedShardStatus =
  /** Listed without an `EndingSequenceNumber`: the shard is open, records may still arrive. */
  | 'open'
  /** Listed with an `EndingSequenceNumber`: closed by a split or a merge. */
  | 'closed'
  /** Not listed (trimmed past the retention period), or the stream itself is gone. */
  | 'gone';

/**
 * Asks the shard listing about the shard a retrieval reads. `maxAgeMs` is how old the listing may
 * be, in ms (0: list now). Rejects when listing fails for another reason than the stream being gone.
 */
export type ShardStatusCheck = (maxAgeMs: number) => Promise<ListedShardStatus>;

/** The status of `shardId` in a listing of the stream's shards. */
export function listedShardStatus(
  shards: ReadonlyMap<string, { readonly endingSequenceNumber?: string }>,
  shardId: string,
): ListedShardStatus {
  const shard = shards.get(shardId);
  if (shard === undefined) return 'gone';
  return shard.endingSequenceNumber === undefined ? 'open' : 'closed';
}

/**
 * What a retrieval does after Kinesis said `ResourceNotFoundException` for a shard (GetRecords,
 * GetShardIterator or SubscribeToShard's probe): `'end'` the shard (without children) only when a
 * fresh listing confirms that it is gone; `'retry'` (report, back off, read again) when the listing
 * still shows it, open or closed, or could not be read (`status` undefined). One such error can be
 * transient (a service hiccup, a stream being updated), and ending a shard checkpoints SHARD_END:
 * every record of it not read yet would be lost. A closed shard that is still listed is still within
 * the retention period and readable: it ends on its own, with its children, when GetRecords returns
 * no next iterator.
 */
export function decideShardNotFound(status: ListedShardStatus | undefined): 'end' | 'retry' {
  return status === 'gone' ? 'end' : 'retry';
}
