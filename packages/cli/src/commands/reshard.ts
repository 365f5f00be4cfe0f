import type { Flags } from '../cli/args.js';
import type { CommandContext } from '../cli/context.js';
import { formatTable, toJson } from '../cli/output.js';
import { mergeShards, type ReshardOptions, scaleStream, splitShard } from '../resharding.js';
import type { ShardRange } from '../shard-ranges.js';

const COMMON = {
  stream: { type: 'string' },
  'dry-run': { type: 'boolean' },
  'no-wait': { type: 'boolean' },
  'wait-timeout-ms': { type: 'string' },
} as const;

/** Flags of `kinesis-ts split`. */
export const SPLIT_OPTIONS = { ...COMMON, shard: { type: 'string' }, at: { type: 'string' } } as const;
/** Flags of `kinesis-ts merge`. */
export const MERGE_OPTIONS = { ...COMMON, shard: { type: 'string', multiple: true } } as const;
/** Flags of `kinesis-ts scale`. */
export const SCALE_OPTIONS = {
  ...COMMON,
  to: { type: 'string' },
  'min-shards': { type: 'string' },
  'max-shards': { type: 'string' },
} as const;

const COMMON_USAGE = `    --dry-run                  check and print the plan, change nothing
    --no-wait                  return once Kinesis accepted the call, without waiting for ACTIVE
    --wait-timeout-ms <ms>     how long to wait for the stream to be ACTIVE again (default 300000)`;

export const SPLIT_USAGE = `kinesis-ts split <stream> --shard <id> [--at <hash key>]

  Splits an open (hot) shard in two at the midpoint of its hash range ((start + end) / 2), or at
  --at. Producers (KinesisProducer) and consumers (KinesisConsumer) follow the new shards by themselves.
${COMMON_USAGE}`;

export const MERGE_USAGE = `kinesis-ts merge <stream> --shard <id> --shard <id>

  Merges two adjacent open (cold) shards into one; their hash ranges must touch.
${COMMON_USAGE}`;

export const SCALE_USAGE = `kinesis-ts scale <stream> --to <shards> [--min-shards <n>] [--max-shards <n>]

  Scales the stream uniformly (UpdateShardCount, UNIFORM_SCALING). One call may reach ½× to 2× the
  open shards (at most 10 000); --min-shards/--max-shards add your own caps.
${COMMON_USAGE}`;

function reshardOptions(flags: Flags): ReshardOptions {
  return {
    dryRun: flags.boolean('dry-run'),
    wait: !flags.boolean('no-wait'),
    waitTimeoutMs: flags.integer('wait-timeout-ms', 1),
  };
}

function shardRows(shards: readonly ShardRange[]): string[] {
  return formatTable(
    ['SHARD', 'STARTING HASH KEY', 'ENDING HASH KEY', 'PARENTS'],
    shards.map((shard) => [
      shard.shardId,
      shard.startingHashKey.toString(),
      shard.endingHashKey.toString(),
      [shard.parentShardId, shard.adjacentParentShardId].filter(Boolean).join(',') || '-',
    ]),
  );
}

function printOutcome(
  ctx: CommandContext,
  dryRun: boolean,
  plan: string,
  newShards: readonly ShardRange[],
  waited: boolean,
) {
  ctx.out.line(dryRun ? `Dry run, nothing changed. Would ${plan}.` : `Done: ${plan}.`);
  if (!dryRun && newShards.length > 0) {
    ctx.out.line('New shards:');
    for (const row of shardRows(newShards)) ctx.out.line(`  ${row}`);
  } else if (!dryRun && !waited) {
    ctx.out.line('Not waiting for the stream to be ACTIVE again (--no-wait).');
  }
}

/** `kinesis-ts split`. */
export async function runSplit(flags: Flags, ctx: CommandContext): Promise<number> {
  const streamName = flags.stream();
  const shardId = flags.requiredString('shard', '--shard <shard id>');
  const at = flags.string('at');
  if (at !== undefined && !/^\d+$/.test(at))
    throw flags.usage(`--at must be a hash key (decimal digits), got '${at}'`);
  const options = reshardOptions(flags);
  const result = await splitShard(ctx.clients.kinesis(), { streamName }, shardId, { ...options, at });
  if (ctx.json) {
    ctx.out.line(toJson(result));
    return 0;
  }
  printOutcome(
    ctx,
    !result.applied,
    `split ${result.plan.shardToSplit} at hash key ${result.plan.newStartingHashKey} into [${result.plan.lowerRange.join(', ')}] and [${result.plan.upperRange.join(', ')}]`,
    result.newShards,
    options.wait !== false,
  );
  return 0;
}

/** `kinesis-ts merge`. */
export async function runMerge(flags: Flags, ctx: CommandContext): Promise<number> {
  const streamName = flags.stream();
  const shards = flags.list('shard');
  if (shards.length !== 2)
    throw flags.usage(`give exactly two --shard flags (the shards to merge), got ${shards.length}`);
  const options = reshardOptions(flags);
  const result = await mergeShards(ctx.clients.kinesis(), { streamName }, shards[0]!, shards[1]!, options);
  if (ctx.json) {
    ctx.out.line(toJson(result));
    return 0;
  }
  printOutcome(
    ctx,
    !result.applied,
    `merge ${result.plan.shardToMerge} and ${result.plan.adjacentShardToMerge} into one shard [${result.plan.mergedRange.join(', ')}]`,
    result.newShards,
    options.wait !== false,
  );
  return 0;
}

/** `kinesis-ts scale`. */
export async function runScale(flags: Flags, ctx: CommandContext): Promise<number> {
  const streamName = flags.stream();
  const target = flags.integer('to', 1);
  if (target === undefined) throw flags.usage('--to <shard count> is required');
  const options = reshardOptions(flags);
  const result = await scaleStream(ctx.clients.kinesis(), { streamName }, target, {
    ...options,
    minShards: flags.integer('min-shards', 1),
    maxShards: flags.integer('max-shards', 1),
  });
  if (ctx.json) {
    ctx.out.line(toJson(result));
    return 0;
  }
  if (result.plan.currentShardCount === result.plan.targetShardCount) {
    ctx.out.line(`${streamName} already has ${target} open shard(s); nothing to do.`);
    return 0;
  }
  printOutcome(
    ctx,
    !result.applied,
    `scale ${streamName} from ${result.plan.currentShardCount} to ${result.plan.targetShardCount} open shards (UNIFORM_SCALING)`,
    result.newShards,
    options.wait !== false,
  );
  return 0;
}
