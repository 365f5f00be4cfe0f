import {
  GetRecordsCommand,
  type GetRecordsCommandOutput,
  GetShardIteratorCommand,
  type GetShardIteratorCommandInput,
  type KinesisClient,
} from '@aws-sdk/client-kinesis';
import {
  awsErrorCode,
  type DeaggregatedRecord,
  deaggregate,
  RequestTimeoutError,
  sleep,
} from '@kinesis-ts/core';
import type { Flags } from '../cli/args.js';
import type { CommandContext } from '../cli/context.js';
import { toJson } from '../cli/output.js';
import { CliErrorCode, OperationsError } from '../errors.js';
import type { ShardRange } from '../shard-ranges.js';
import {
  aboutStream,
  listShards,
  type StreamRef,
  sendOperation,
  streamParameters,
} from '../stream-shards.js';

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
 * hash range) to `onRecord`, shard by shard concurrently, until every shard is caught up (or closed
 * and read), `maxRecords` were handed over, or `signal` aborts. Resolves with the record count.
 */
export async function tailStream(
  client: KinesisClient,
  stream: StreamRef,
  options: TailOptions,
  onRecord: (record: TailedRecord) => void,
): Promise<number> {
  const all = await listShards(client, stream);
  const known = new Set(all.map((shard) => shard.shardId));
  for (const shardId of options.shardIds ?? []) {
    if (!known.has(shardId)) {
      throw new OperationsError(
        CliErrorCode.SHARD_NOT_FOUND,
        `Shard ${shardId} is not in the stream (shards: ${[...known].join(', ')})`,
      );
    }
  }
  let selected = options.shardIds?.length
    ? all.filter((shard) => options.shardIds!.includes(shard.shardId))
    : options.position.type === 'LATEST'
      ? all.filter((shard) => shard.open)
      : all;
  const stop = new AbortController();
  const abort = () => stop.abort();
  options.signal?.addEventListener('abort', abort, { once: true });
  if (options.signal?.aborted) stop.abort();
  const keys = options.partitionKeys?.length ? new Set(options.partitionKeys) : undefined;
  let count = 0;
  const emit = (record: TailedRecord) => {
    if (stop.signal.aborted) return;
    if (keys && !keys.has(record.partitionKey)) return;
    count++;
    onRecord(record);
    if (options.maxRecords !== undefined && count >= options.maxRecords) stop.abort();
  };
  const readers = new Map<string, Promise<void>>();
  const start = (shard: ShardRange, position: TailPosition) => {
    readers.set(shard.shardId, readShard(client, stream, shard, position, options, stop.signal, emit));
  };
  if (options.maxRecords === 0) stop.abort();
  for (const shard of selected) start(shard, options.position);
  try {
    if (options.follow && !options.shardIds?.length) {
      // New shards (children of a split or merge) are read from their start.
      while (!stop.signal.aborted) {
        await sleep(options.shardRefreshIntervalMs ?? 10_000, stop.signal).catch(() => undefined);
        if (stop.signal.aborted) break;
        selected = await listShards(client, stream);
        for (const shard of selected) {
          if (!readers.has(shard.shardId) && shard.open) start(shard, { type: 'TRIM_HORIZON' });
        }
      }
    }
    await Promise.all(readers.values());
  } finally {
    stop.abort();
    options.signal?.removeEventListener('abort', abort);
  }
  return count;
}

async function readShard(
  client: KinesisClient,
  stream: StreamRef,
  shard: ShardRange,
  position: TailPosition,
  options: TailOptions,
  signal: AbortSignal,
  emit: (record: TailedRecord) => void,
): Promise<void> {
  const pollIntervalMs = options.pollIntervalMs ?? 1_000;
  const hashKeyRange = {
    startingHashKey: shard.startingHashKey.toString(),
    endingHashKey: shard.endingHashKey.toString(),
  };
  let lastSequenceNumber: string | undefined;
  const iterator = async (): Promise<string | undefined> => {
    const input: GetShardIteratorCommandInput =
      lastSequenceNumber !== undefined
        ? {
            ...streamParameters(stream),
            ShardId: shard.shardId,
            ShardIteratorType: 'AFTER_SEQUENCE_NUMBER',
            StartingSequenceNumber: lastSequenceNumber,
          }
        : {
            ...streamParameters(stream),
            ShardId: shard.shardId,
            ShardIteratorType: position.type,
            ...(position.type === 'AT_TIMESTAMP' ? { Timestamp: position.timestamp } : {}),
            ...(position.type === 'AT_SEQUENCE_NUMBER'
              ? { StartingSequenceNumber: position.sequenceNumber }
              : {}),
          };
    const output = await aboutStream(stream, () =>
      sendOperation(client, new GetShardIteratorCommand(input), signal),
    );
    return output.ShardIterator ?? undefined;
  };
  let shardIterator = await iterator().catch((error: unknown) => {
    if (signal.aborted) return undefined;
    throw error;
  });
  while (shardIterator && !signal.aborted) {
    let output: GetRecordsCommandOutput;
    try {
      output = await sendOperation(
        client,
        new GetRecordsCommand({ ShardIterator: shardIterator, Limit: 10_000 }),
        signal,
      );
    } catch (error) {
      if (signal.aborted) return;
      const code = awsErrorCode(error);
      if (code === 'ExpiredIteratorException') {
        shardIterator = await iterator();
        continue;
      }
      if (code === 'ProvisionedThroughputExceededException' || RequestTimeoutError.isInstance(error)) {
        await sleep(1_000, signal).catch(() => undefined);
        continue;
      }
      throw error;
    }
    for (const record of output.Records ?? []) {
      if (!record.SequenceNumber || !record.Data) continue;
      lastSequenceNumber = record.SequenceNumber;
      for (const user of deaggregate(
        {
          sequenceNumber: record.SequenceNumber,
          partitionKey: record.PartitionKey ?? '',
          data: record.Data,
          approximateArrivalTimestamp: record.ApproximateArrivalTimestamp,
        },
        { hashKeyRange },
      )) {
        emit({ ...user, shardId: shard.shardId });
        if (signal.aborted) return;
      }
    }
    shardIterator = output.NextShardIterator ?? undefined;
    const idle = (output.Records ?? []).length === 0;
    if (idle && (output.MillisBehindLatest ?? 0) === 0 && !options.follow) return;
    await sleep(idle ? pollIntervalMs : 200, signal).catch(() => undefined);
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
  const count = await tailStream(ctx.clients.kinesis(), { streamName }, options, (record) => {
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
    } else {
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
  });
  ctx.out.error(`${count} record(s)`);
  return 0;
}
