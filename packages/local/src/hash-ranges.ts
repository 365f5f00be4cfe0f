import { effectiveHashKey, parseExplicitHashKey } from '@kinesis-ts/core';

/** An open shard and the hash keys it takes. */
export interface ShardRange {
  readonly shardId: string;
  readonly start: bigint;
  readonly end: bigint;
}

/**
 * The open shards (no `EndingSequenceNumber`) of a ListShards answer, sorted by their first hash
 * key: the shards that take writes. Entries it cannot read are left out.
 */
export function openShardRanges(shards: unknown): ShardRange[] {
  if (!Array.isArray(shards)) return [];
  const ranges: ShardRange[] = [];
  for (const shard of shards as Record<string, unknown>[]) {
    const range = shard?.HashKeyRange as Record<string, unknown> | undefined;
    const sequence = shard?.SequenceNumberRange as Record<string, unknown> | undefined;
    if (typeof shard?.ShardId !== 'string' || typeof range !== 'object' || range === null) continue;
    if (sequence?.EndingSequenceNumber !== undefined && sequence.EndingSequenceNumber !== null) continue;
    const start = parseExplicitHashKey(String(range.StartingHashKey));
    const end = parseExplicitHashKey(String(range.EndingHashKey));
    if (start === undefined || end === undefined) continue;
    ranges.push({ shardId: shard.ShardId, start, end });
  }
  return ranges.sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
}

/** The shard of `ranges` (sorted, see {@link openShardRanges}) whose range holds `hashKey`. */
export function shardForHashKey(ranges: readonly ShardRange[], hashKey: bigint): string | undefined {
  let low = 0;
  let high = ranges.length - 1;
  while (low <= high) {
    const middle = (low + high) >> 1;
    const range = ranges[middle]!;
    if (hashKey < range.start) high = middle - 1;
    else if (hashKey > range.end) low = middle + 1;
    else return range.shardId;
  }
  return undefined;
}

/**
 * The hash key a record of a request routes by: its `ExplicitHashKey` when valid, else the MD5 of
 * its partition key; `undefined` when the record has neither (the service refuses it anyway).
 */
export function recordHashKey(record: {
  PartitionKey?: unknown;
  ExplicitHashKey?: unknown;
}): bigint | undefined {
  if (typeof record.ExplicitHashKey === 'string') return parseExplicitHashKey(record.ExplicitHashKey);
  if (typeof record.PartitionKey !== 'string') return undefined;
  return effectiveHashKey(record.PartitionKey);
}
