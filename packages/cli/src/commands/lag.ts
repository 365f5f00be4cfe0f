import type { Flags } from '../cli/args.js';
import type { CommandContext } from '../cli/context.js';
import { formatDuration, formatTable, toJson } from '../cli/output.js';
import { diagnoseLag, lagFromLeases } from '../lag-diagnosis.js';
import { formatCheckpoint, leaseAdminFor, requireStreamIfNamed } from './leases.js';

/** Flags of `kinesis-ts lag`. */
export const LAG_OPTIONS = {
  app: { type: 'string' },
  table: { type: 'string' },
  stream: { type: 'string' },
  'threshold-ms': { type: 'string' },
} as const;

export const LAG_USAGE = `kinesis-ts lag --app <application> --stream <stream> [--threshold-ms <ms>]

  How far behind each shard's checkpoint is (the age of its first unprocessed record), and whether
  lag is uniform (the consumer or its sink is too slow) or concentrated on a few shards (key skew,
  a hot shard). --threshold-ms: a shard lags beyond this (default 60000).`;

/** `kinesis-ts lag`. */
export async function runLag(flags: Flags, ctx: CommandContext): Promise<number> {
  flags.noPositionals();
  const admin = leaseAdminFor(flags, ctx, true);
  await requireStreamIfNamed(flags, ctx);
  const leases = await admin.listLeases({ includeLag: true });
  const diagnosis = diagnoseLag(lagFromLeases(leases), { lagThresholdMs: flags.integer('threshold-ms') });
  if (ctx.json) {
    ctx.out.line(
      toJson({
        table: admin.tableName,
        shards: leases.map((lease) => ({
          shardId: lease.shardId,
          state: lease.state,
          leaseOwner: lease.leaseOwner,
          checkpoint: lease.checkpoint,
          lagMs: lease.lagMs,
        })),
        diagnosis,
      }),
    );
    return 0;
  }
  for (const row of formatTable(
    ['SHARD', 'STATE', 'OWNER', 'LAG', 'CHECKPOINT'],
    leases.map((lease) => [
      lease.shardId,
      lease.state,
      lease.leaseOwner ?? '-',
      lease.state === 'finished' ? '-' : formatDuration(lease.lagMs),
      formatCheckpoint(lease.checkpoint),
    ]),
  )) {
    ctx.out.line(row);
  }
  ctx.out.line('');
  ctx.out.line(`${diagnosis.verdict.toUpperCase()}: ${diagnosis.summary}`);
  ctx.out.line(diagnosis.advice);
  return 0;
}
