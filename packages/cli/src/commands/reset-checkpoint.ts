import type { CheckpointResetResult, CheckpointResetTarget } from '@kinesis-ts/consumer';
import type { Flags } from '../cli/args.js';
import type { CommandContext } from '../cli/context.js';
import { formatTable, toJson } from '../cli/output.js';
import { formatCheckpoint, leaseAdminFor } from './leases.js';

/** Flags of `kinesis-ts reset-checkpoint`. */
export const RESET_CHECKPOINT_OPTIONS = {
  app: { type: 'string' },
  table: { type: 'string' },
  stream: { type: 'string' },
  to: { type: 'string' },
  timestamp: { type: 'string' },
  'at-sequence': { type: 'string' },
  'after-sequence': { type: 'string' },
  sub: { type: 'string' },
  shard: { type: 'string', multiple: true },
  'dry-run': { type: 'boolean' },
  force: { type: 'boolean' },
  'stale-owner-ms': { type: 'string' },
} as const;

export const RESET_CHECKPOINT_USAGE = `kinesis-ts reset-checkpoint --app <application> <target> [--shard <id>]… [--dry-run] [--force]

  Moves the application's checkpoints; its next start reads from there. Targets (exactly one):
    --to TRIM_HORIZON          replay everything the stream keeps
    --to LATEST                skip everything written before the workers start again
    --timestamp <time>         replay what arrived at or after <time> (ISO 8601, epoch ms, or ago: 15m, 2h, 1d); needs --stream
    --at-sequence <n>          one shard (--shard): replay from record <n> inclusive; needs --stream
    --after-sequence <n>       one shard (--shard): resume after <n> [--sub <k>], as a checkpoint does
  Options:
    --table <name>             the lease table, when it is not named after the application
    --stream <stream>          the application's stream (needed to place timestamps and sequence numbers);
                               on a multi-stream application's table, the stream whose checkpoints to move (required)
    --shard <id>               reset only this shard (repeatable); default: every lease
    --dry-run                  print what would change, write nothing
    --force                    reset leases that live workers hold (they lose them and restart from the new checkpoint)
    --stale-owner-ms <ms>      watch owned leases this long; owners that do not renew are dead and do not block`;

function target(flags: Flags, ctx: CommandContext): CheckpointResetTarget {
  const given = ['to', 'timestamp', 'at-sequence', 'after-sequence'].filter(
    (name) => flags.string(name) !== undefined,
  );
  if (given.length === 0) {
    throw flags.usage(
      'a target is required: --to TRIM_HORIZON|LATEST, --timestamp <time>, --at-sequence <n> or --after-sequence <n>',
    );
  }
  if (given.length > 1)
    throw flags.usage(`give one target, not ${given.map((name) => `--${name}`).join(' and ')}`);
  const to = flags.string('to');
  if (to !== undefined) {
    const upper = to.toUpperCase().replace('-', '_');
    if (upper !== 'TRIM_HORIZON' && upper !== 'LATEST') {
      throw flags.usage(`--to must be TRIM_HORIZON or LATEST, got '${to}'`);
    }
    return upper;
  }
  const timestamp = flags.timestamp('timestamp', ctx.now());
  if (timestamp) return { timestamp };
  const at = flags.string('at-sequence');
  if (at !== undefined) return { atSequenceNumber: at };
  return {
    afterSequenceNumber: flags.requiredString('after-sequence'),
    subSequenceNumber: flags.integer('sub'),
  };
}

/** `kinesis-ts reset-checkpoint`. */
export async function runResetCheckpoint(flags: Flags, ctx: CommandContext): Promise<number> {
  flags.noPositionals();
  const resetTarget = target(flags, ctx);
  const shards = flags.list('shard');
  const admin = leaseAdminFor(flags, ctx);
  const result = await admin.resetCheckpoints({
    target: resetTarget,
    shardIds: shards.length > 0 ? shards : undefined,
    dryRun: flags.boolean('dry-run'),
    force: flags.boolean('force'),
    staleOwnerAfterMs: flags.integer('stale-owner-ms'),
  });
  if (ctx.json) {
    ctx.out.line(toJson({ table: admin.tableName, ...result }));
    return 0;
  }
  printResult(ctx, admin.tableName, result);
  return 0;
}

function printResult(ctx: CommandContext, table: string, result: CheckpointResetResult): void {
  const verb = result.applied ? 'Reset' : 'Would reset';
  ctx.out.line(`${verb} ${result.changes.length} checkpoint(s) of ${table} to ${result.target}:`);
  if (result.changes.length > 0) {
    for (const row of formatTable(
      ['LEASE', 'FROM', 'TO', 'OWNER'],
      result.changes.map((change) => [
        change.leaseKey,
        formatCheckpoint(change.from),
        formatCheckpoint(change.to),
        change.leaseOwner ?? '-',
      ]),
    )) {
      ctx.out.line(`  ${row}`);
    }
  }
  for (const unchanged of result.unchanged) {
    ctx.out.line(`  ${unchanged.leaseKey}: unchanged (${unchanged.reason})`);
  }
  if (result.dryRun) {
    ctx.out.line('Dry run: nothing was written.');
    if (result.heldLeases.length > 0) {
      ctx.out.line(
        `Without --force this reset would be refused: ${result.heldLeases
          .map((held) => `${held.leaseKey} is held by ${held.leaseOwner}`)
          .join(', ')}.`,
      );
    }
  } else if (result.changes.length > 0) {
    ctx.out.line('Restart (or start) the application: it reads from the new checkpoints.');
  }
}
