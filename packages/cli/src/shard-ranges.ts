import { MAX_HASH_KEY } from '@kinesis-ts/core';
import { CliErrorCode, OperationsError } from './errors.js';

/** A shard as the resharding helpers see it: its id, hash range and whether it is still open. */
export interface ShardRange {
  readonly shardId: string;
  readonly startingHashKey: bigint;
  readonly endingHashKey: bigint;
  /** False once the shard was split or merged (it has an ending sequence number). */
  readonly open: boolean;
  readonly parentShardId?: string;
  readonly adjacentParentShardId?: string;
}

/** A planned `SplitShard` call. */
export interface SplitPlan {
  readonly shardToSplit: string;
  /** The first hash key of the upper child, as a decimal string (`NewStartingHashKey`). */
  readonly newStartingHashKey: string;
  /** The children's ranges: [start, new − 1] and [new, end]. */
  readonly lowerRange: readonly [bigint, bigint];
  readonly upperRange: readonly [bigint, bigint];
}

/** A planned `MergeShards` call: the lower shard first, as the API expects. */
export interface MergePlan {
  readonly shardToMerge: string;
  readonly adjacentShardToMerge: string;
  readonly mergedRange: readonly [bigint, bigint];
}

/**
 * The midpoint of a hash range, `(start + end) / 2` in BigInt integer division: the
 * `NewStartingHashKey` that splits the range in two halves (the upper child starts there). For the
 * full range [0, 2^128 − 1] it is 170141183460469231731687303715884105727.
 */
export function hashRangeMidpoint(startingHashKey: bigint | string, endingHashKey: bigint | string): bigint {
  const start = BigInt(startingHashKey);
  const end = BigInt(endingHashKey);
  if (start < 0n || end > MAX_HASH_KEY || start > end) {
    throw new OperationsError(
      CliErrorCode.INVALID_SPLIT,
      `Not a hash range: [${start}, ${end}] (hash keys run from 0 to ${MAX_HASH_KEY})`,
    );
  }
  return (start + end) / 2n;
}

function findShard(shards: readonly ShardRange[], shardId: string): ShardRange {
  const shard = shards.find((candidate) => candidate.shardId === shardId);
  if (!shard) {
    throw new OperationsError(
      CliErrorCode.SHARD_NOT_FOUND,
      `Shard ${shardId} is not in the stream (open shards: ${
        shards
          .filter((candidate) => candidate.open)
          .map((candidate) => candidate.shardId)
          .join(', ') || 'none'
      })`,
    );
  }
  return shard;
}

/**
 * Plans the split of an open shard, at the midpoint of its hash range unless `at` (a hash key
 * inside the range, start excluded) is given. Pure.
 * @throws OperationsError `CLI_SHARD_NOT_FOUND`, `CLI_SHARD_CLOSED`, `CLI_INVALID_SPLIT`.
 */
export function planSplit(shards: readonly ShardRange[], shardId: string, at?: bigint | string): SplitPlan {
  const shard = findShard(shards, shardId);
  if (!shard.open) {
    throw new OperationsError(
      CliErrorCode.SHARD_CLOSED,
      `Shard ${shardId} is closed (already split or merged); split one of the open shards instead`,
    );
  }
  const { startingHashKey: start, endingHashKey: end } = shard;
  if (start === end) {
    throw new OperationsError(
      CliErrorCode.INVALID_SPLIT,
      `Shard ${shardId} covers a single hash key and cannot split`,
    );
  }
  let newStart: bigint;
  if (at === undefined) {
    // The midpoint itself starts the upper child, unless the range has two keys (then the end does).
    newStart = hashRangeMidpoint(start, end);
    if (newStart === start) newStart = start + 1n;
  } else {
    try {
      newStart = BigInt(at);
    } catch {
      throw new OperationsError(CliErrorCode.INVALID_SPLIT, `Split point ${String(at)} is not an integer`);
    }
    if (newStart <= start || newStart > end) {
      throw new OperationsError(
        CliErrorCode.INVALID_SPLIT,
        `Split point ${newStart} is outside shard ${shardId}'s range (${start}, ${end}]`,
      );
    }
  }
  return {
    shardToSplit: shardId,
    newStartingHashKey: newStart.toString(),
    lowerRange: [start, newStart - 1n],
    upperRange: [newStart, end],
  };
}

/**
 * Plans the merge of two open shards whose hash ranges touch, in either order. Pure.
 * @throws OperationsError `CLI_SHARD_NOT_FOUND`, `CLI_SHARD_CLOSED`, `CLI_SHARDS_NOT_ADJACENT`.
 */
export function planMerge(shards: readonly ShardRange[], shardId: string, otherShardId: string): MergePlan {
  if (shardId === otherShardId) {
    throw new OperationsError(CliErrorCode.SHARDS_NOT_ADJACENT, `Cannot merge shard ${shardId} with itself`);
  }
  const a = findShard(shards, shardId);
  const b = findShard(shards, otherShardId);
  for (const shard of [a, b]) {
    if (!shard.open) {
      throw new OperationsError(
        CliErrorCode.SHARD_CLOSED,
        `Shard ${shard.shardId} is closed (already split or merged); only open shards can merge`,
      );
    }
  }
  const [lower, upper] = a.startingHashKey < b.startingHashKey ? [a, b] : [b, a];
  if (lower.endingHashKey + 1n !== upper.startingHashKey) {
    throw new OperationsError(
      CliErrorCode.SHARDS_NOT_ADJACENT,
      `Shards ${lower.shardId} [${lower.startingHashKey}, ${lower.endingHashKey}] and ${upper.shardId} [${upper.startingHashKey}, ${upper.endingHashKey}] are not adjacent: their hash ranges must touch`,
    );
  }
  return {
    shardToMerge: lower.shardId,
    adjacentShardToMerge: upper.shardId,
    mergedRange: [lower.startingHashKey, upper.endingHashKey],
  };
}

/**
 * The open shards' adjacent pairs, lower shard first, ordered by hash range: the candidates for a
 * merge. Pure.
 */
export function adjacentOpenPairs(shards: readonly ShardRange[]): [ShardRange, ShardRange][] {
  const open = shards
    .filter((shard) => shard.open)
    .sort((a, b) => (a.startingHashKey < b.startingHashKey ? -1 : 1));
  const pairs: [ShardRange, ShardRange][] = [];
  for (let i = 0; i + 1 < open.length; i++) {
    const lower = open[i]!;
    const upper = open[i + 1]!;
    if (lower.endingHashKey + 1n === upper.startingHashKey) pairs.push([lower, upper]);
  }
  return pairs;
}
