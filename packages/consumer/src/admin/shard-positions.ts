import {
  type _Record,
  GetRecordsCommand,
  type GetRecordsCommandOutput,
  GetShardIteratorCommand,
  type GetShardIteratorCommandInput,
  type KinesisClient,
} from '@aws-sdk/client-kinesis';
import {
  awsErrorCode,
  CheckpointSentinel,
  compareSequenceNumbers,
  deaggregate,
  type ExtendedSequenceNumber,
  sendWithDeadline,
  sleep,
} from '@kinesis-ts/core';
import { LeaseAdminError, LeaseAdminErrorCode } from './admin-errors.js';

/** Where a shard is read from when looking for a position. */
export type ShardIteratorStart =
  | { readonly type: 'TRIM_HORIZON' }
  | { readonly type: 'AT_TIMESTAMP'; readonly timestamp: Date }
  | { readonly type: 'AT_SEQUENCE_NUMBER' | 'AFTER_SEQUENCE_NUMBER'; readonly sequenceNumber: string };

/** A record found in a shard: its position and arrival time. */
export interface FoundRecord {
  readonly sequenceNumber: string;
  readonly arrivedAt: Date | undefined;
  /** The highest sub-sequence number among the user records it holds (0 for a plain record). */
  readonly lastSubSequenceNumber: number;
}

/** Options of {@link ShardPositionFinder}. */
export interface ShardPositionFinderOptions {
  /** A Kinesis client (ListShards, GetShardIterator, GetRecords). Required. */
  readonly kinesisClient: KinesisClient;
  /** The stream, by name. Give this or `streamArn`. */
  readonly streamName?: string;
  /** The stream, by ARN. Give this or `streamName`. */
  readonly streamArn?: string;
  /**
   * The least time between two GetRecords calls on a shard (a shard serves 5 calls/s to all its
   * readers together, live consumers included). @defaultValue 200
   */
  readonly getRecordsIntervalMs?: number;
  /** The most GetRecords calls spent on one search in one shard. @defaultValue 100 */
  readonly maxGetRecordsCallsPerSearch?: number;
  /** How long one Kinesis call may take before it is aborted, in ms, the client's retries included. @defaultValue 30000 */
  readonly requestTimeoutMs?: number;
}

/**
 * How far back from a timestamp the predecessor search looks, in turn, before reading the shard
 * from its trim horizon: 1 s, 10 s, 100 s, ~17 min, ~2.8 h, ~28 h.
 */
const LOOK_BACK_WINDOWS_MS = [1_000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000] as const;

/**
 * Reads shards to turn a timestamp or a sequence number into a checkpoint. A checkpoint means
 * "processed up to here", and the lease table cannot hold a timestamp (only the `AT_TIMESTAMP`
 * sentinel, whose time each worker takes from its own configuration), so "replay from T" is written
 * as the position of the last record that arrived before T: its sequence number and last
 * sub-sequence number, or `TRIM_HORIZON` when no earlier record is kept.
 */
export class ShardPositionFinder {
  private readonly client: KinesisClient;
  private readonly stream: { StreamName?: string; StreamARN?: string };
  private readonly intervalMs: number;
  private readonly maxCalls: number;
  private readonly requestTimeoutMs: number;
  private readonly lastCallAt = new Map<string, number>();

  constructor(options: ShardPositionFinderOptions) {
    this.client = options.kinesisClient;
    this.stream = options.streamArn ? { StreamARN: options.streamArn } : { StreamName: options.streamName };
    this.intervalMs = options.getRecordsIntervalMs ?? 200;
    this.maxCalls = options.maxGetRecordsCallsPerSearch ?? 100;
    this.requestTimeoutMs = options.requestTimeoutMs ?? 30_000;
  }

  /**
   * The checkpoint that makes the next start deliver every record that arrived at or after
   * `timestamp` and none before. `undefined` when the shard holds no record at or after it and is
   * closed (nothing there to replay).
   */
  async checkpointBeforeTimestamp(
    shardId: string,
    timestamp: Date,
  ): Promise<{ checkpoint: ExtendedSequenceNumber; firstRecord: FoundRecord | undefined; closed: boolean }> {
    const first = await this.firstRecord(shardId, { type: 'AT_TIMESTAMP', timestamp });
    const checkpoint = await this.checkpointBefore(shardId, first.record, timestamp);
    return { checkpoint, firstRecord: first.record, closed: first.closed };
  }

  /**
   * The checkpoint that makes the next start deliver the record at `sequenceNumber` and everything
   * after it. Rejects with `ADMIN_INVALID_SEQUENCE_NUMBER` when Kinesis refuses the number for
   * the shard.
   */
  async checkpointBeforeSequenceNumber(
    shardId: string,
    sequenceNumber: string,
  ): Promise<ExtendedSequenceNumber> {
    const first = await this.firstRecord(shardId, { type: 'AT_SEQUENCE_NUMBER', sequenceNumber });
    if (!first.record) {
      // Nothing at or after it any more: resume after it, which is the same.
      return { sequenceNumber, subSequenceNumber: 0 };
    }
    return this.checkpointBefore(shardId, first.record, first.record.arrivedAt ?? new Date());
  }

  /** Checks that Kinesis accepts `sequenceNumber` as a position in the shard. */
  async validateSequenceNumber(shardId: string, sequenceNumber: string): Promise<void> {
    await this.iterator(shardId, { type: 'AFTER_SEQUENCE_NUMBER', sequenceNumber });
  }

  /**
   * How far behind a worker resuming from `checkpoint` would be, in ms: the age of the first record
   * after it (now − its `ApproximateArrivalTimestamp`, the iterator age such a worker would
   * report), 0 when there is none. `undefined` for sentinels it cannot place (`AT_TIMESTAMP`) and
   * for finished shards.
   */
  async lagMs(
    shardId: string,
    checkpoint: ExtendedSequenceNumber,
    now = Date.now(),
  ): Promise<number | undefined> {
    let start: ShardIteratorStart;
    switch (checkpoint.sequenceNumber) {
      case CheckpointSentinel.SHARD_END:
      case CheckpointSentinel.AT_TIMESTAMP:
        return undefined;
      case CheckpointSentinel.LATEST:
        return 0;
      case CheckpointSentinel.TRIM_HORIZON:
        start = { type: 'TRIM_HORIZON' };
        break;
      default:
        start = { type: 'AFTER_SEQUENCE_NUMBER', sequenceNumber: checkpoint.sequenceNumber };
    }
    const { record } = await this.firstRecord(shardId, start);
    if (!record?.arrivedAt) return 0;
    return Math.max(0, now - record.arrivedAt.getTime());
  }

  /** The first record at or after `start`, and whether the shard turned out to be closed and read to its end. */
  async firstRecord(
    shardId: string,
    start: ShardIteratorStart,
  ): Promise<{ record: FoundRecord | undefined; closed: boolean }> {
    let found: FoundRecord | undefined;
    const outcome = await this.scan(shardId, start, (record) => {
      found = toFound(record);
      return false;
    });
    return { record: found, closed: outcome === 'closed' };
  }

  /**
   * The position just before `next` (the first record at or after `timestamp`; `undefined` when
   * there is none): the last record before it, found by reading forward from ever earlier points.
   */
  private async checkpointBefore(
    shardId: string,
    next: FoundRecord | undefined,
    timestamp: Date,
  ): Promise<ExtendedSequenceNumber> {
    const isAtOrAfterNext = (record: _Record): boolean =>
      next
        ? compareSequenceNumbers(record.SequenceNumber ?? '0', next.sequenceNumber) >= 0
        : (record.ApproximateArrivalTimestamp?.getTime() ?? 0) >= timestamp.getTime();
    const trimHorizon: ExtendedSequenceNumber = {
      sequenceNumber: CheckpointSentinel.TRIM_HORIZON,
      subSequenceNumber: 0,
    };

    // The oldest record kept: when it is already `next` (or the shard is empty), replay from the start.
    const oldest = await this.firstRecord(shardId, { type: 'TRIM_HORIZON' });
    if (!oldest.record) return trimHorizon;
    if (next && compareSequenceNumbers(oldest.record.sequenceNumber, next.sequenceNumber) >= 0)
      return trimHorizon;

    const starts: ShardIteratorStart[] = [
      ...LOOK_BACK_WINDOWS_MS.map(
        (windowMs): ShardIteratorStart => ({
          type: 'AT_TIMESTAMP',
          timestamp: new Date(timestamp.getTime() - windowMs),
        }),
      ),
      { type: 'TRIM_HORIZON' },
    ];
    for (const start of starts) {
      let last: _Record | undefined;
      await this.scan(shardId, start, (record) => {
        if (isAtOrAfterNext(record)) return false;
        last = record;
        return true;
      });
      if (last) {
        const found = toFound(last);
        return { sequenceNumber: found.sequenceNumber, subSequenceNumber: found.lastSubSequenceNumber };
      }
    }
    return trimHorizon;
  }

  /**
   * Reads the shard from `start`, handing each record to `visit` until it returns false ('stopped'),
   * the reader catches up with the tip ('caught-up'), the closed shard ends ('closed') or the call
   * budget is spent ('budget').
   */
  private async scan(
    shardId: string,
    start: ShardIteratorStart,
    visit: (record: _Record) => boolean,
  ): Promise<'stopped' | 'caught-up' | 'closed' | 'budget'> {
    let iterator = await this.iterator(shardId, start);
    for (let calls = 0; calls < this.maxCalls; calls++) {
      if (iterator === undefined) return 'closed';
      const output = await this.getRecords(shardId, iterator, 1_000);
      for (const record of output.Records ?? []) {
        if (!visit(record)) return 'stopped';
      }
      if (!output.NextShardIterator) return 'closed';
      if ((output.Records ?? []).length === 0 && (output.MillisBehindLatest ?? 0) === 0) return 'caught-up';
      iterator = output.NextShardIterator;
    }
    return 'budget';
  }

  private async iterator(shardId: string, start: ShardIteratorStart): Promise<string | undefined> {
    const input: GetShardIteratorCommandInput = {
      ...this.stream,
      ShardId: shardId,
      ShardIteratorType: start.type,
      ...(start.type === 'AT_TIMESTAMP' ? { Timestamp: start.timestamp } : {}),
      ...(start.type === 'AT_SEQUENCE_NUMBER' || start.type === 'AFTER_SEQUENCE_NUMBER'
        ? { StartingSequenceNumber: start.sequenceNumber }
        : {}),
    };
    try {
      const output = await sendWithDeadline(this.client, new GetShardIteratorCommand(input), {
        timeoutMs: this.requestTimeoutMs,
      });
      return output.ShardIterator ?? undefined;
    } catch (error) {
      const code = awsErrorCode(error);
      if (code === 'ResourceNotFoundException') {
        throw new LeaseAdminError(
          LeaseAdminErrorCode.STREAM_NOT_FOUND,
          `Shard ${shardId} of stream ${this.streamLabel()} was not found`,
          { cause: error },
        );
      }
      if (code === 'InvalidArgumentException' && 'sequenceNumber' in start) {
        throw new LeaseAdminError(
          LeaseAdminErrorCode.INVALID_SEQUENCE_NUMBER,
          `Kinesis refused sequence number ${start.sequenceNumber} for shard ${shardId} of stream ${this.streamLabel()}`,
          { cause: error },
        );
      }
      throw error;
    }
  }

  private async getRecords(
    shardId: string,
    iterator: string,
    limit: number,
  ): Promise<GetRecordsCommandOutput> {
    const waitMs = (this.lastCallAt.get(shardId) ?? 0) + this.intervalMs - Date.now();
    if (waitMs > 0) await sleep(waitMs);
    this.lastCallAt.set(shardId, Date.now());
    return sendWithDeadline(this.client, new GetRecordsCommand({ ShardIterator: iterator, Limit: limit }), {
      timeoutMs: this.requestTimeoutMs,
    });
  }

  private streamLabel(): string {
    return this.stream.StreamName ?? this.stream.StreamARN ?? '?';
  }
}

function toFound(record: _Record): FoundRecord {
  const sequenceNumber = record.SequenceNumber ?? '0';
  let lastSub = 0;
  const data = record.Data;
  if (data) {
    for (const user of deaggregate({
      sequenceNumber,
      partitionKey: record.PartitionKey ?? '',
      data,
      approximateArrivalTimestamp: record.ApproximateArrivalTimestamp,
    })) {
      lastSub = Math.max(lastSub, user.subSequenceNumber);
    }
  }
  return { sequenceNumber, arrivedAt: record.ApproximateArrivalTimestamp, lastSubSequenceNumber: lastSub };
}
