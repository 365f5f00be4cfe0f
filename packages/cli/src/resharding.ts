import {
  type KinesisClient,
  MergeShardsCommand,
  SplitShardCommand,
  UpdateShardCountCommand,
} from '@aws-sdk/client-kinesis';
import { validateScaleTarget } from './scale-bounds.js';
import { type MergePlan, planMerge, planSplit, type ShardRange, type SplitPlan } from './shard-ranges.js';
import {
  aboutStream,
  listShards,
  requireActive,
  type StreamRef,
  sendOperation,
  streamParameters,
  waitForActive,
} from './stream-shards.js';

/** Options shared by the resharding helpers. */
export interface ReshardOptions {
  /** Compute and return the plan without calling Kinesis to change anything. @defaultValue false */
  readonly dryRun?: boolean;
  /** Wait for the stream to be ACTIVE again before resolving. @defaultValue true */
  readonly wait?: boolean;
  /** How long to wait for ACTIVE, in ms. @defaultValue 300000 */
  readonly waitTimeoutMs?: number;
  /** Time between two status checks while waiting, in ms. @defaultValue 1000 */
  readonly pollIntervalMs?: number;
}

/** The outcome of a split or merge: the plan, and the new shards once the stream is ACTIVE again. */
export interface ReshardResult<Plan> {
  readonly plan: Plan;
  readonly applied: boolean;
  /** The shards created by the operation (known when `wait` is on). */
  readonly newShards: readonly ShardRange[];
}

async function newShardsAfter(
  client: KinesisClient,
  stream: StreamRef,
  before: readonly ShardRange[],
  options: ReshardOptions,
): Promise<ShardRange[]> {
  if (options.wait === false) return [];
  await waitForActive(client, stream, {
    timeoutMs: options.waitTimeoutMs,
    pollIntervalMs: options.pollIntervalMs,
  });
  const known = new Set(before.map((shard) => shard.shardId));
  return (await listShards(client, stream)).filter((shard) => !known.has(shard.shardId));
}

/**
 * Splits an open shard in two at the midpoint of its hash range (or at `at`): the targeted split
 * for a hot shard. Checks the shard is open and the stream ACTIVE first; nothing is changed when a
 * check fails.
 */
export async function splitShard(
  client: KinesisClient,
  stream: StreamRef,
  shardId: string,
  options: ReshardOptions & { readonly at?: bigint | string } = {},
): Promise<ReshardResult<SplitPlan>> {
  const shards = await listShards(client, stream);
  const plan = planSplit(shards, shardId, options.at);
  if (options.dryRun) return { plan, applied: false, newShards: [] };
  await requireActive(client, stream);
  await aboutStream(stream, () =>
    sendOperation(
      client,
      new SplitShardCommand({
        ...streamParameters(stream),
        ShardToSplit: plan.shardToSplit,
        NewStartingHashKey: plan.newStartingHashKey,
      }),
    ),
  );
  return { plan, applied: true, newShards: await newShardsAfter(client, stream, shards, options) };
}

/** Merges two adjacent open shards (in either order) into one. Nothing is changed when a check fails. */
export async function mergeShards(
  client: KinesisClient,
  stream: StreamRef,
  shardId: string,
  otherShardId: string,
  options: ReshardOptions = {},
): Promise<ReshardResult<MergePlan>> {
  const shards = await listShards(client, stream);
  const plan = planMerge(shards, shardId, otherShardId);
  if (options.dryRun) return { plan, applied: false, newShards: [] };
  await requireActive(client, stream);
  await aboutStream(stream, () =>
    sendOperation(
      client,
      new MergeShardsCommand({
        ...streamParameters(stream),
        ShardToMerge: plan.shardToMerge,
        AdjacentShardToMerge: plan.adjacentShardToMerge,
      }),
    ),
  );
  return { plan, applied: true, newShards: await newShardsAfter(client, stream, shards, options) };
}

/** A planned `UpdateShardCount` call. */
export interface ScalePlan {
  readonly currentShardCount: number;
  readonly targetShardCount: number;
}

/**
 * Scales a stream uniformly (`UpdateShardCount`, `UNIFORM_SCALING`) to `targetShardCount`, after
 * checking the service's per-call bounds (½× to 2× the open shards) and the optional caps.
 * Nothing is changed when a check fails.
 */
export async function scaleStream(
  client: KinesisClient,
  stream: StreamRef,
  targetShardCount: number,
  options: ReshardOptions & { readonly minShards?: number; readonly maxShards?: number } = {},
): Promise<ReshardResult<ScalePlan>> {
  const summary = await requireActive(client, stream);
  const current = summary.OpenShardCount ?? 0;
  validateScaleTarget(current, targetShardCount, options);
  const plan = { currentShardCount: current, targetShardCount };
  if (options.dryRun || current === targetShardCount) return { plan, applied: false, newShards: [] };
  const before = options.wait === false ? [] : await listShards(client, stream);
  await aboutStream(stream, () =>
    sendOperation(
      client,
      new UpdateShardCountCommand({
        ...streamParameters(stream),
        TargetShardCount: targetShardCount,
        ScalingType: 'UNIFORM_SCALING',
      }),
    ),
  );
  return { plan, applied: true, newShards: await newShardsAfter(client, stream, before, options) };
}
