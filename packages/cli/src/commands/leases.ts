import { LeaseAdmin } from '@kinesis-ts/consumer';
import type { ExtendedSequenceNumber } from '@kinesis-ts/core';
import type { Flags } from '../cli/args.js';
import type { CommandContext } from '../cli/context.js';
import { formatDuration, formatTable, toJson } from '../cli/output.js';
import { describeStream } from '../stream-shards.js';

/** Flags of `kinesis-ts leases`. */
export const LEASES_OPTIONS = {
  app: { type: 'string' },
  table: { type: 'string' },
  stream: { type: 'string' },
} as const;

export const LEASES_USAGE = `kinesis-ts leases --app <application> [--table <lease table>] [--stream <stream>]

  Lists the application's leases: state, owner, checkpoint, parent and child shards.
  With --stream, also how far behind each checkpoint is (the age of the first unprocessed record);
  on a multi-stream application's table, --stream also selects that stream's leases.`;

/** A checkpoint for people: the sequence number, with the sub-sequence number when it is not 0. */
export function formatCheckpoint(checkpoint: ExtendedSequenceNumber | undefined): string {
  if (!checkpoint) return '-';
  return checkpoint.subSequenceNumber > 0
    ? `${checkpoint.sequenceNumber}/${checkpoint.subSequenceNumber}`
    : checkpoint.sequenceNumber;
}

/** Builds the lease admin for `--app`, `--table` and (optionally) `--stream`. */
export function leaseAdminFor(flags: Flags, ctx: CommandContext, requireStream = false): LeaseAdmin {
  const applicationName = flags.requiredString('app', '--app <application name>');
  const streamName = requireStream ? flags.requiredString('stream') : flags.string('stream');
  return new LeaseAdmin({
    applicationName,
    leaseTableName: flags.string('table'),
    dynamoDbClient: ctx.clients.dynamoDb(),
    ...(streamName ? { kinesisClient: ctx.clients.kinesis(), streamName } : {}),
  });
}

/**
 * Refuses a `--stream` that does not exist (`CLI_STREAM_NOT_FOUND`, exit 1): the lease admin reports
 * a lag it cannot read per lease, which would otherwise pass for a table without progress.
 */
export async function requireStreamIfNamed(flags: Flags, ctx: CommandContext): Promise<void> {
  const streamName = flags.string('stream');
  if (streamName !== undefined) await describeStream(ctx.clients.kinesis(), { streamName });
}

/** `kinesis-ts leases`. */
export async function runLeases(flags: Flags, ctx: CommandContext): Promise<number> {
  flags.noPositionals();
  const admin = leaseAdminFor(flags, ctx);
  await requireStreamIfNamed(flags, ctx);
  const leases = await admin.listLeases({ includeLag: flags.string('stream') !== undefined });
  if (ctx.json) {
    ctx.out.line(toJson({ table: admin.tableName, leases }));
    return 0;
  }
  if (leases.length === 0) {
    ctx.out.line(`No leases in table ${admin.tableName}.`);
    return 0;
  }
  const withLag = flags.string('stream') !== undefined;
  ctx.out.line(`Leases of ${admin.tableName} (${leases.length}):`);
  for (const row of formatTable(
    ['LEASE', 'STATE', 'OWNER', 'CHECKPOINT', ...(withLag ? ['LAG'] : []), 'PARENTS', 'CHILDREN'],
    leases.map((lease) => [
      lease.leaseKey,
      lease.state,
      lease.leaseOwner ?? '-',
      formatCheckpoint(lease.checkpoint) +
        (lease.pendingCheckpoint ? ` (pending ${formatCheckpoint(lease.pendingCheckpoint)})` : ''),
      ...(withLag ? [lease.lagError ? `? (${lease.lagError})` : formatDuration(lease.lagMs)] : []),
      lease.parentShardIds.join(',') || '-',
      lease.childShardIds.join(',') || '-',
    ]),
  )) {
    ctx.out.line(row);
  }
  return 0;
}
