/** The soak's split and merge, through the resharding helpers of `@kinesis-ts/cli`. */
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import { adjacentOpenPairs, listShards, mergeShards, splitShard } from '@kinesis-ts/cli';
import { pick } from './fault-plan.js';

export interface ReshardRecord {
  readonly kind: 'split' | 'merge';
  /** When it began, in ms after the run started. */
  readonly atMs: number;
  readonly parents: readonly string[];
  readonly children: readonly string[];
  /** Until the stream was ACTIVE again. */
  readonly durationMs: number;
  /** Why it did not happen. */
  readonly error?: string;
}

const WAIT = { pollIntervalMs: 200, waitTimeoutMs: 60_000 };

/** Splits a random open shard at the middle of its hash range. */
export async function splitRandomShard(
  kinesis: KinesisClient,
  streamName: string,
  random: () => number,
  atMs: number,
): Promise<ReshardRecord> {
  const begin = Date.now();
  let parents: string[] = [];
  try {
    const open = (await listShards(kinesis, { streamName })).filter((shard) => shard.open);
    const parent = pick(open, random);
    if (!parent) throw new Error('no open shard');
    parents = [parent.shardId];
    const result = await splitShard(kinesis, { streamName }, parent.shardId, WAIT);
    const children = result.newShards.map((shard) => shard.shardId);
    return { kind: 'split', atMs, parents, children, durationMs: Date.now() - begin };
  } catch (error) {
    return {
      kind: 'split',
      atMs,
      parents,
      children: [],
      durationMs: Date.now() - begin,
      error: String(error),
    };
  }
}

/** Merges a random pair of adjacent open shards. */
export async function mergeRandomPair(
  kinesis: KinesisClient,
  streamName: string,
  random: () => number,
  atMs: number,
): Promise<ReshardRecord> {
  const begin = Date.now();
  let parents: string[] = [];
  try {
    const pair = pick(adjacentOpenPairs(await listShards(kinesis, { streamName })), random);
    if (!pair) throw new Error('no adjacent open shards');
    parents = pair.map((shard) => shard.shardId);
    const result = await mergeShards(kinesis, { streamName }, pair[0].shardId, pair[1].shardId, WAIT);
    const children = result.newShards.map((shard) => shard.shardId);
    return { kind: 'merge', atMs, parents, children, durationMs: Date.now() - begin };
  } catch (error) {
    return {
      kind: 'merge',
      atMs,
      parents,
      children: [],
      durationMs: Date.now() - begin,
      error: String(error),
    };
  }
}
