import type { KinesisClient } from '@aws-sdk/client-kinesis';
import { type ReadStreamPosition, readStream } from '@kinesis-ts/consumer';
import type { LambdaDeaggregatedRecord } from '@kinesis-ts/consumer/lambda';
import type { DeaggregatedRecord } from '@kinesis-ts/core';
import type { Flags } from '../cli/args.js';
import type { CommandContext } from '../cli/context.js';
import { toJson } from '../cli/output.js';
import { CliErrorCode, CliUsageError, OperationsError } from '../errors.js';
import { listShards, type StreamRef } from '../stream-shards.js';

/** Flags of `kinesis-ts tail`. */
export const TAIL_OPTIONS = {
  stream: { type: 'string' },
  shard: { type: 'string', multiple: true },
  from: { type: 'string' },
  timestamp: { type: 'string' },
  sequence: { type: 'string' },
  'partition-key': { type: 'string', multiple: true },
  'max-records': { type: 'string' },
  follow: { type: 'boolean', short: 'f' },
  'poll-interval-ms': { type: 'string' },
} as const;

export const TAIL_USAGE = `kinesis-ts tail <stream> [position] [--partition-key <key>]… [--max-records <n>] [--follow]

  Prints the stream's records, KPL aggregates unpacked into their user records.
  Position (one; default TRIM_HORIZON):
    --from TRIM_HORIZON|LATEST
    --timestamp <time>         records that arrived at or after <time> (ISO 8601, epoch ms, or ago: 15m, 2h, 1d)
    --sequence <n>             from record <n> of one shard (--shard)
  Options:
    --shard <id>               only this shard (repeatable); default: every shard (open ones for LATEST)
    --partition-key <key>      only user records with this partition key (repeatable)
    --max-records <n>          stop after n records
    --follow, -f               keep waiting for new records (Ctrl-C stops); picks up new shards after a reshard
    --poll-interval-ms <ms>    wait between reads of an idle shard (default 1000)
  --json prints one JSON object per record (data as UTF-8 when it is text, and as base64).`;

/** Where `tail` starts reading each shard. */
export type TailPosition =
  | { readonly type: 'TRIM_HORIZON' | 'LATEST' }
  | { readonly type: 'AT_TIMESTAMP'; readonly timestamp: Date }
  | { readonly type: 'AT_SEQUENCE_NUMBER'; readonly sequenceNumber: string };

/** Options of {@link tailStream}. */
export interface TailOptions {
  /**
   * Where each shard is read from: `TRIM_HORIZON` (the oldest record kept), `LATEST` (only records
   * written after the start), `AT_TIMESTAMP` (records that arrived at or after `timestamp`) or
   * `AT_SEQUENCE_NUMBER` (from that record of the one shard in `shardIds`). Shards found later while
   * following (children of a split or merge) are read from their start. Required; no default.
   */
  readonly position: TailPosition;
  /**
   * Shards to read, by shard id; an id not in the stream is refused (`CLI_SHARD_NOT_FOUND`).
   * @defaultValue every shard (only the open ones for `LATEST`); an empty list means the same
   */
  readonly shardIds?: readonly string[];
  /**
   * Keep only user records with one of these partition keys (compared exactly, after aggregates are
   * unpacked).
   * @defaultValue every record (no filter); an empty list means the same
   */
  readonly partitionKeys?: readonly string[];
  /**
   * Stop after this many records (those kept by `partitionKeys`), a count ≥ 0; 0 reads nothing.
   * @defaultValue no limit
   */
  readonly maxRecords?: number;
  /** Keep reading for new records until aborted. @defaultValue false */
  readonly follow?: boolean;
  /** The wait between reads of an idle shard, in ms. @defaultValue 1000 */
  readonly pollIntervalMs?: number;
  /** How often new shards are looked for while following, in ms. @defaultValue 10000 */
  readonly shardRefreshIntervalMs?: number;
  /**
   * Stops the reading when aborted (Ctrl-C in the command): calls in progress are cancelled and
   * `tailStream` resolves with the records handed over so far; it does not reject.
   * @defaultValue none (reads until caught up, `maxRecords`, or forever with `follow`)
   */
  readonly signal?: AbortSignal;
}

/** A user record as `tail` prints it. */
export interface TailedRecord extends DeaggregatedRecord {
  readonly shardId: string;
}

/**
 * Reads a stream from a position and hands every user record (aggregates unpacked, with the shard's
 * hash range) to `onRecord`, through `readStream` of @kinesis-ts/consumer: a child shard is read
 * only once its parents are read to their end, so each key's records come in order across a split or
 * a merge. Stops when every shard is caught up (or closed and read), `maxRecords` were handed over,
 * or `signal` aborts. Resolves with the record count.
 */
export async function tailStream(
  client: KinesisClient,
  stream: StreamRef,
  options: TailOptions,
  onRecord: (record: TailedRecord) => void,
): Promise<number> {
  const all = await listShards(client, stream); // a clear error for a missing stream
  const known = new Set(all.map((shard) => shard.shardId));
  for (const shardId of options.shardIds ?? []) {
    if (!known.has(shardId)) {
      throw new OperationsError(
        CliErrorCode.SHARD_NOT_FOUND,
        `Shard ${shardId} is not in the stream (shards: ${[...known].join(', ')})`,
      );
    }
  }
  if (options.maxRecords === 0 || options.signal?.aborted) return 0;
  const keys = options.partitionKeys?.length ? new Set(options.partitionKeys) : undefined;
  let count = 0;
  for await (const record of readStream({
    client,
    ...('streamArn' in stream ? { streamArn: stream.streamArn } : { streamName: stream.streamName }),
    from: readPosition(options),
    follow: options.follow,
    shardIds: options.shardIds,
    pollIntervalMs: options.pollIntervalMs,
    shardRefreshIntervalMs: options.shardRefreshIntervalMs,
    signal: options.signal,
  })) {
    if (keys && !keys.has(record.partitionKey)) continue;
    count++;
    onRecord(record);
    if (options.maxRecords !== undefined && count >= options.maxRecords) break;
  }
  return count;
}

function readPosition(options: TailOptions): ReadStreamPosition {
  const { position } = options;
  switch (position.type) {
    case 'TRIM_HORIZON':
    case 'LATEST':
      return position.type;
    case 'AT_TIMESTAMP':
      return { timestamp: position.timestamp };
    case 'AT_SEQUENCE_NUMBER': {
      const shardId = options.shardIds?.[0];
      if (shardId === undefined || options.shardIds!.length !== 1) {
        throw new CliUsageError('tail: a sequence number needs exactly one shard');
      }
      return { shardId, sequenceNumber: position.sequenceNumber };
    }
  }
}

const decoder = new TextDecoder('utf-8', { fatal: true });

/** The data as text when it is printable UTF-8, else `undefined`. */
export function dataAsText(data: Uint8Array): string | undefined {
  try {
    const text = decoder.decode(data);
    // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters mark binary data
    return /[\u0000-\u0008\u000e-\u001f\u007f]/.test(text) ? undefined : text;
  } catch {
    return undefined;
  }
}

function position(flags: Flags, ctx: CommandContext): TailPosition {
  const given = ['from', 'timestamp', 'sequence'].filter((name) => flags.string(name) !== undefined);
  if (given.length > 1)
    throw flags.usage(`give one position, not ${given.map((name) => `--${name}`).join(' and ')}`);
  const from = flags.string('from');
  if (from !== undefined) {
    const upper = from.toUpperCase().replace('-', '_');
    if (upper !== 'TRIM_HORIZON' && upper !== 'LATEST')
      throw flags.usage(`--from must be TRIM_HORIZON or LATEST, got '${from}'`);
    return { type: upper };
  }
  const timestamp = flags.timestamp('timestamp', ctx.now());
  if (timestamp) return { type: 'AT_TIMESTAMP', timestamp };
  const sequence = flags.string('sequence');
  if (sequence !== undefined) {
    if (!/^\d+$/.test(sequence))
      throw flags.usage(`--sequence must be a sequence number (decimal digits), got '${sequence}'`);
    if (flags.list('shard').length !== 1)
      throw flags.usage('--sequence needs exactly one --shard (a sequence number belongs to one shard)');
    return { type: 'AT_SEQUENCE_NUMBER', sequenceNumber: sequence };
  }
  return { type: 'TRIM_HORIZON' };
}

/** `kinesis-ts tail`. */
export async function runTail(flags: Flags, ctx: CommandContext): Promise<number> {
  const streamName = flags.stream();
  const options: TailOptions = {
    position: position(flags, ctx),
    shardIds: flags.list('shard'),
    partitionKeys: flags.list('partition-key'),
    maxRecords: flags.integer('max-records'),
    follow: flags.boolean('follow'),
    pollIntervalMs: flags.integer('poll-interval-ms'),
    signal: ctx.signal,
  };
  const count = await tailStream(ctx.clients.kinesis(), { streamName }, options, (record) =>
    printRecord(record, ctx),
  );
  ctx.out.error(`${count} record(s)`);
  return 0;
}

/** What a printed record carries (a tailed record, or a replayed Lambda one). */
type PrintableRecord = Pick<
  LambdaDeaggregatedRecord,
  | 'shardId'
  | 'sequenceNumber'
  | 'subSequenceNumber'
  | 'partitionKey'
  | 'explicitHashKey'
  | 'approximateArrivalTimestamp'
  | 'aggregated'
  | 'data'
>;

/** Prints a record as `tail` and `replay-failure` show it: one line of text, or JSON with `--json`. */
export function printRecord(record: PrintableRecord, ctx: CommandContext): void {
  const text = dataAsText(record.data);
  if (ctx.json) {
    ctx.out.line(
      toJson({
        shardId: record.shardId,
        sequenceNumber: record.sequenceNumber,
        subSequenceNumber: record.subSequenceNumber,
        partitionKey: record.partitionKey,
        explicitHashKey: record.explicitHashKey,
        approximateArrivalTimestamp: record.approximateArrivalTimestamp?.toISOString(),
        aggregated: record.aggregated,
        data: text ?? null,
        dataBase64: Buffer.from(record.data).toString('base64'),
      }),
    );
    return;
  }
  ctx.out.line(
    [
      record.shardId,
      `${record.sequenceNumber}${record.aggregated ? `/${record.subSequenceNumber}` : ''}`,
      record.approximateArrivalTimestamp?.toISOString() ?? '-',
      record.partitionKey,
      text ?? `base64:${Buffer.from(record.data).toString('base64')}`,
    ].join('  '),
  );
}
