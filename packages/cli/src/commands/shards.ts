import { capacityPlan } from '../capacity-plan.js';
import type { Flags } from '../cli/args.js';
import type { CommandContext } from '../cli/context.js';
import { toJson } from '../cli/output.js';
import { describeStream } from '../stream-shards.js';

/** Flags of `kinesis-ts shards`. */
export const SHARDS_OPTIONS = {
  stream: { type: 'string' },
  'records-per-second': { type: 'string' },
  'mib-per-second': { type: 'string' },
  'record-bytes': { type: 'string' },
  headroom: { type: 'string' },
  readers: { type: 'string' },
} as const;

export const SHARDS_USAGE = `kinesis-ts shards --records-per-second <n> [--record-bytes <n> | --mib-per-second <n>] [--headroom 0.2] [--readers <n>] [--stream <stream>]

  The capacity calculator: shards = ceil(max(MiB/s ÷ 1, records/s ÷ 1000) × (1 + headroom)), and
  whether <readers> polling applications fit in 2 MiB/s per shard (else: enhanced fan-out or more
  shards). With --stream, compares with the stream's open shards.`;

/** `kinesis-ts shards`. */
export async function runShards(flags: Flags, ctx: CommandContext): Promise<number> {
  flags.noPositionals();
  const recordsPerSecond = flags.number('records-per-second');
  const mibPerSecond = flags.number('mib-per-second');
  if (recordsPerSecond === undefined && mibPerSecond === undefined) {
    throw flags.usage('give the write load: --records-per-second and --record-bytes, or --mib-per-second');
  }
  const streamName = flags.string('stream');
  const currentShards = streamName
    ? (await describeStream(ctx.clients.kinesis(), { streamName })).OpenShardCount
    : undefined;
  const plan = capacityPlan({
    recordsPerSecond,
    mibPerSecond,
    recordBytes: flags.number('record-bytes'),
    headroom: flags.number('headroom'),
    pollingApplications: flags.number('readers'),
    currentShards,
  });
  if (ctx.json) {
    ctx.out.line(toJson(plan));
    return 0;
  }
  ctx.out.line(`Shards needed: ${plan.requiredShards}  (${plan.formula})`);
  ctx.out.line(
    `Polling read demand: ${plan.read.demandMibPerShard.toFixed(2)} MiB/s per shard of 2${plan.read.exceeded ? ` — over the limit: ${plan.read.advice}` : ' — fits'}`,
  );
  if (plan.advice) ctx.out.line(`${streamName}: ${plan.currentShards} open shard(s); ${plan.advice}`);
  return 0;
}
