import {
  GetRecordsCommand,
  type GetRecordsCommandOutput,
  GetShardIteratorCommand,
  type GetShardIteratorCommandInput,
  type KinesisClient,
  ListShardsCommand,
  type ListShardsCommandInput,
} from '@aws-sdk/client-kinesis';
import {
  awsErrorCode,
  CoreErrorCode,
  type DeaggregatedRecord,
  deaggregate,
  listShards,
  type ShardDescription,
  type StreamReference,
  sleep,
  ValidationError,
} from '@kinesis-ts/core';

/** Where {@link readStream} starts. */
export type ReadStreamPosition =
  /** The oldest record kept. */
  | 'TRIM_HORIZON'
  /** Records written after the start (open shards only). */
  | 'LATEST'
  /** Records that arrived at or after `timestamp`. */
  | { readonly timestamp: Date }
  /** From that record of that shard (then its children, from their start). */
  | { readonly shardId: string; readonly sequenceNumber: string };

/** The options of {@link readStream}. */
export interface ReadStreamOptions {
  readonly client: KinesisClient;
  /** The stream's name (or give `streamArn`). */
  readonly streamName?: string;
  readonly streamArn?: string;
  /** Where to start. @defaultValue 'TRIM_HORIZON' */
  readonly from?: ReadStreamPosition;
  /**
   * Keep waiting for new records (and new shards) until `signal` aborts. Without it, the iteration
   * ends once every shard is read to its end or caught up with its tip. @defaultValue false
   */
  readonly follow?: boolean;
  /** Only these shards (not their children). @defaultValue every shard (the open ones from `LATEST`) */
  readonly shardIds?: readonly string[];
  /** The wait before reading an idle shard again, in ms. @defaultValue 1000 */
  readonly pollIntervalMs?: number;
  /** How often new shards are looked for while following, in ms. @defaultValue 10000 */
  readonly shardRefreshIntervalMs?: number;
  /** Ends the iteration (quietly: the loop simply ends) when aborted. */
  readonly signal?: AbortSignal;
}

/** A user record read by {@link readStream}, with its shard. */
export interface StreamRecord extends DeaggregatedRecord {
  readonly shardId: string;
}

/** The defaults of {@link ReadStreamOptions}. */
export const DEFAULT_READ_STREAM_OPTIONS = {
  pollIntervalMs: 1_000,
  shardRefreshIntervalMs: 10_000,
} as const;

/** Reads of one shard at most every this many ms while it has records (Kinesis allows 5 a second). */
const BUSY_READ_INTERVAL_MS = 200;

type ShardState = 'waiting' | 'reading' | 'caught-up' | 'done';

interface TrackedShard {
  readonly shard: ShardDescription;
  state: ShardState;
  /** The iterator's start, until the first read; then `lastSequenceNumber` takes over. */
  readonly start: GetShardIteratorCommandInput['ShardIteratorType'] | 'TIMESTAMP' | 'SEQUENCE';
  iterator: string | undefined;
  lastSequenceNumber: string | undefined;
  nextReadAt: number;
}

/**
 * An async iterator over a stream's user records, for scripts and tools: KPL aggregates are split
 * with each shard's hash range, and after a reshard a child shard is read only once its parents are
 * read to their end, so each partition key's records come in order across splits and merges. One
 * `GetRecords` at a time, shards taken in turn.
 *
 * ```ts
 * for await (const record of readStream({ streamName: 'orders', client, from: 'TRIM_HORIZON' })) { … }
 * ```
 *
 * No leases, no checkpoints: an application that must not lose its place, or that needs more than one
 * process, uses `KinesisConsumer`.
 */
export async function* readStream(options: ReadStreamOptions): AsyncGenerator<StreamRecord, void, undefined> {
  const { client, signal } = options;
  const stream = streamOf(options);
  const from = options.from ?? 'TRIM_HORIZON';
  const follow = options.follow ?? false;
  const pollIntervalMs = options.pollIntervalMs ?? DEFAULT_READ_STREAM_OPTIONS.pollIntervalMs;
  const refreshMs = options.shardRefreshIntervalMs ?? DEFAULT_READ_STREAM_OPTIONS.shardRefreshIntervalMs;
  const only = options.shardIds?.length ? new Set(options.shardIds) : undefined;
  if (typeof from === 'object' && 'shardId' in from && only !== undefined && !only.has(from.shardId)) {
    throw new ValidationError(
      'from.shardId',
      'one of shardIds',
      `${from.shardId} is not among shardIds`,
      CoreErrorCode.INVALID_OPTION,
    );
  }
  const list = () =>
    listShards(client, stream, {
      command: (input) => new ListShardsCommand(input as ListShardsCommandInput),
      sdkRetries: true,
      abortSignal: signal,
    });
  const tracked = new Map<string, TrackedShard>();
  const track = (shard: ShardDescription, start: TrackedShard['start']) => {
    tracked.set(shard.shardId, {
      shard,
      state: 'waiting',
      start,
      iterator: undefined,
      lastSequenceNumber: undefined,
      nextReadAt: 0,
    });
  };

  let listed: ShardDescription[];
  try {
    listed = await list();
  } catch (error) {
    if (signal?.aborted) return;
    throw error;
  }
  for (const shardId of only ?? []) {
    if (!listed.some((shard) => shard.shardId === shardId)) {
      throw new ValidationError(
        'shardIds',
        'shards of the stream',
        `${shardId} is not a shard of the stream`,
        CoreErrorCode.INVALID_OPTION,
      );
    }
  }
  const sequenceStart = typeof from === 'object' && 'shardId' in from ? from : undefined;
  for (const shard of listed) {
    if (only && !only.has(shard.shardId)) continue;
    if (from === 'LATEST' && shard.endingSequenceNumber !== undefined) continue;
    if (sequenceStart && !only && shard.shardId !== sequenceStart.shardId) continue; // its children come later
    track(
      shard,
      from === 'LATEST'
        ? 'LATEST'
        : sequenceStart?.shardId === shard.shardId
          ? 'SEQUENCE'
          : typeof from === 'object'
            ? 'TIMESTAMP'
            : 'TRIM_HORIZON',
    );
  }
  if (sequenceStart && !only) addDescendants(listed);
  let refreshedAt = Date.now();

  /** Adds the shards descending from tracked ones (read from their start, after their parents). */
  function addDescendants(shards: readonly ShardDescription[]): void {
    if (only) return;
    let added = true;
    while (added) {
      added = false;
      for (const shard of shards) {
        if (tracked.has(shard.shardId)) continue;
        const parents = [shard.parentShardId, shard.adjacentParentShardId].filter((id) => id !== undefined);
        if (parents.some((id) => tracked.has(id))) {
          track(shard, 'TRIM_HORIZON');
          added = true;
        }
      }
    }
  }

  const iteratorFor = async (entry: TrackedShard): Promise<string | undefined> => {
    const base = { ...streamParameters(stream), ShardId: entry.shard.shardId };
    let input: GetShardIteratorCommandInput;
    if (entry.lastSequenceNumber !== undefined) {
      input = {
        ...base,
        ShardIteratorType: 'AFTER_SEQUENCE_NUMBER',
        StartingSequenceNumber: entry.lastSequenceNumber,
      };
    } else if (entry.start === 'SEQUENCE' && sequenceStart) {
      input = {
        ...base,
        ShardIteratorType: 'AT_SEQUENCE_NUMBER',
        StartingSequenceNumber: sequenceStart.sequenceNumber,
      };
    } else if (entry.start === 'TIMESTAMP' && typeof from === 'object' && 'timestamp' in from) {
      input = { ...base, ShardIteratorType: 'AT_TIMESTAMP', Timestamp: from.timestamp };
    } else {
      input = { ...base, ShardIteratorType: entry.start === 'LATEST' ? 'LATEST' : 'TRIM_HORIZON' };
    }
    const output = await client.send(new GetShardIteratorCommand(input), { abortSignal: signal });
    return output.ShardIterator ?? undefined;
  };

  const parentsDone = (entry: TrackedShard) =>
    [entry.shard.parentShardId, entry.shard.adjacentParentShardId].every(
      (id) => id === undefined || tracked.get(id) === undefined || tracked.get(id)!.state === 'done',
    );

  try {
    for (;;) {
      if (signal?.aborted) return;
      for (const entry of tracked.values())
        if (entry.state === 'waiting' && parentsDone(entry)) entry.state = 'reading';
      const reading = [...tracked.values()].filter((entry) => entry.state === 'reading');
      if (reading.length === 0 && !follow) {
        if ([...tracked.values()].every((entry) => entry.state === 'done' || entry.state === 'caught-up'))
          return;
      }
      if (follow && Date.now() - refreshedAt >= refreshMs) {
        refreshedAt = Date.now();
        const shards = await list();
        addDescendants(shards); // children of a split or merge, read from their start
        if (!only && !sequenceStart) {
          for (const shard of shards) {
            if (!tracked.has(shard.shardId) && shard.endingSequenceNumber === undefined)
              track(shard, 'TRIM_HORIZON');
          }
        }
      }
      const next = reading.sort((a, b) => a.nextReadAt - b.nextReadAt)[0];
      if (next === undefined) {
        await sleep(Math.min(pollIntervalMs, refreshMs), signal).catch(() => undefined);
        continue;
      }
      const waitMs = next.nextReadAt - Date.now();
      if (waitMs > 0) await sleep(waitMs, signal).catch(() => undefined);
      if (signal?.aborted) return;
      if (next.iterator === undefined) next.iterator = await iteratorFor(next);
      if (next.iterator === undefined) {
        next.state = 'done';
        continue;
      }
      let output: GetRecordsCommandOutput;
      try {
        output = await client.send(new GetRecordsCommand({ ShardIterator: next.iterator, Limit: 10_000 }), {
          abortSignal: signal,
        });
      } catch (error) {
        if (signal?.aborted) return;
        const code = awsErrorCode(error);
        if (code === 'ExpiredIteratorException') {
          next.iterator = undefined;
          continue;
        }
        if (code === 'ProvisionedThroughputExceededException') {
          next.nextReadAt = Date.now() + pollIntervalMs;
          continue;
        }
        throw error;
      }
      const hashKeyRange = {
        startingHashKey: next.shard.startingHashKey,
        endingHashKey: next.shard.endingHashKey,
      };
      const records = output.Records ?? [];
      for (const record of records) {
        if (!record.SequenceNumber || !record.Data) continue;
        next.lastSequenceNumber = record.SequenceNumber;
        const users = deaggregate(
          {
            sequenceNumber: record.SequenceNumber,
            partitionKey: record.PartitionKey ?? '',
            data: record.Data,
            approximateArrivalTimestamp: record.ApproximateArrivalTimestamp,
          },
          { hashKeyRange },
        );
        for (const user of users) {
          yield { ...user, shardId: next.shard.shardId };
          if (signal?.aborted) return;
        }
      }
      next.iterator = output.NextShardIterator ?? undefined;
      if (next.iterator === undefined) {
        next.state = 'done'; // its children may start now
        if (follow) refreshedAt = 0; // look for them at once
        continue;
      }
      const idle = records.length === 0;
      if (
        idle &&
        (output.MillisBehindLatest ?? 0) === 0 &&
        !follow &&
        next.shard.endingSequenceNumber === undefined
      ) {
        next.state = 'caught-up';
        continue;
      }
      next.nextReadAt = Date.now() + (idle ? pollIntervalMs : BUSY_READ_INTERVAL_MS);
    }
  } catch (error) {
    if (signal?.aborted) return;
    throw error;
  }
}

function streamOf(options: ReadStreamOptions): StreamReference {
  if (options.streamArn !== undefined) return { streamArn: options.streamArn };
  if (options.streamName !== undefined) return { streamName: options.streamName };
  throw new ValidationError(
    'streamName',
    'a stream name or streamArn',
    'readStream needs streamName or streamArn',
    CoreErrorCode.INVALID_OPTION,
  );
}

function streamParameters(stream: StreamReference): { StreamName?: string; StreamARN?: string } {
  return 'streamArn' in stream ? { StreamARN: stream.streamArn } : { StreamName: stream.streamName };
}
