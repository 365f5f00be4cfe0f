/**
 * A stand-in for Kinesis in unit tests, on aws-sdk-client-mock: `ListShards` answers from a list of
 * shards the test controls, `PutRecords` routes each entry by its explicit hash key (or partition
 * key) as Kinesis does, stores it per shard with a growing sequence number, and can fail chosen
 * entries or whole calls. What was written is kept for the test to read back.
 */
import {
  DescribeStreamSummaryCommand,
  KinesisClient,
  ListShardsCommand,
  PutRecordsCommand,
  type PutRecordsCommandInput,
  type PutRecordsResultEntry,
} from '@aws-sdk/client-kinesis';
import { MAX_HASH_KEY, partitionKeyToHashKey } from '@kinesis-ts/core';
import { mockClient } from 'aws-sdk-client-mock';

export interface FakeShard {
  readonly shardId: string;
  readonly start: bigint;
  readonly end: bigint;
}

export interface WrittenRecord {
  readonly partitionKey: string;
  readonly explicitHashKey: string | undefined;
  readonly data: Uint8Array;
  readonly sequenceNumber: string;
  readonly shardId: string;
}

export interface FakeKinesisOptions {
  /** The shards `ListShards` reports (the map the producer predicts with). */
  shards?: FakeShard[];
  /** The shards `PutRecords` routes to, when they differ from what `ListShards` says (a reshard). */
  routingShards?: FakeShard[];
  /** Per entry: an error code to fail it with (nothing is written), or undefined to write it. */
  failEntry?: (
    call: number,
    index: number,
    entry: NonNullable<PutRecordsCommandInput['Records']>[number],
  ) => string | undefined;
  /** Per call: an error to throw instead of answering (nothing is written). */
  failCall?: (call: number) => Error | undefined;
  /** Keep `PutRecords` calls pending until `release()` is called. */
  hold?: boolean;
  /**
   * The stream's `MaxRecordSizeInKiB` as `DescribeStreamSummary` says it (1024 unless told), or an
   * error that call fails with. `PutRecords` refuses larger entries as Kinesis does.
   */
  maxRecordSizeInKiB?: number | Error;
}

export function evenShards(count: number, prefix = 'shardId-00000000000'): FakeShard[] {
  const width = (MAX_HASH_KEY + 1n) / BigInt(count);
  return Array.from({ length: count }, (_, i) => ({
    shardId: `${prefix}${i}`,
    start: BigInt(i) * width,
    end: i === count - 1 ? MAX_HASH_KEY : BigInt(i + 1) * width - 1n,
  }));
}

export function fakeKinesis(options: FakeKinesisOptions = {}) {
  const client = new KinesisClient({
    region: 'us-east-1',
    credentials: { accessKeyId: 'x', secretAccessKey: 'y' },
  });
  const mock = mockClient(client);
  const state = {
    listShards: options.shards ?? evenShards(1),
    routing: options.routingShards,
    failEntry: options.failEntry,
    failCall: options.failCall,
    hold: options.hold ?? false,
  };
  const written: WrittenRecord[] = [];
  const putCalls: PutRecordsCommandInput[] = [];
  const held: (() => void)[] = [];
  let listShardsCalls = 0;
  const sequence = new Map<string, bigint>();

  mock.on(ListShardsCommand).callsFake(() => {
    listShardsCalls++;
    return {
      Shards: state.listShards.map((shard) => ({
        ShardId: shard.shardId,
        HashKeyRange: { StartingHashKey: shard.start.toString(), EndingHashKey: shard.end.toString() },
        SequenceNumberRange: { StartingSequenceNumber: '0' },
      })),
    };
  });

  let describeSummaryCalls = 0;
  mock.on(DescribeStreamSummaryCommand).callsFake(() => {
    describeSummaryCalls++;
    const limit = options.maxRecordSizeInKiB ?? 1024;
    if (limit instanceof Error) throw limit;
    return {
      StreamDescriptionSummary: {
        StreamName: 'orders',
        StreamARN: 'arn:aws:kinesis:us-east-1:000000000000:stream/orders',
        StreamStatus: 'ACTIVE',
        RetentionPeriodHours: 24,
        StreamCreationTimestamp: new Date(0),
        EnhancedMonitoring: [],
        OpenShardCount: state.listShards.length,
        MaxRecordSizeInKiB: limit,
      },
    };
  });

  mock.on(PutRecordsCommand).callsFake(async (input: PutRecordsCommandInput) => {
    const call = putCalls.length;
    putCalls.push(input);
    if (state.hold) await new Promise<void>((resolve) => held.push(resolve));
    const error = state.failCall?.(call);
    if (error) throw error;
    const routing = state.routing ?? state.listShards;
    let failed = 0;
    const results: PutRecordsResultEntry[] = (input.Records ?? []).map((entry, index) => {
      const code = state.failEntry?.(call, index, entry);
      if (code !== undefined) {
        failed++;
        return { ErrorCode: code, ErrorMessage: `injected ${code}` };
      }
      const hashKey =
        entry.ExplicitHashKey === undefined
          ? partitionKeyToHashKey(entry.PartitionKey!)
          : BigInt(entry.ExplicitHashKey);
      const shard = routing.find((s) => hashKey >= s.start && hashKey <= s.end)!;
      const next = (sequence.get(shard.shardId) ?? 49_000_000_000_000_000_000_000_000n) + 1n;
      sequence.set(shard.shardId, next);
      written.push({
        partitionKey: entry.PartitionKey!,
        explicitHashKey: entry.ExplicitHashKey,
        data: entry.Data!,
        sequenceNumber: next.toString(),
        shardId: shard.shardId,
      });
      return { ShardId: shard.shardId, SequenceNumber: next.toString() };
    });
    return { FailedRecordCount: failed, Records: results };
  });

  return {
    client,
    mock,
    written,
    putCalls,
    state,
    get listShardsCalls() {
      return listShardsCalls;
    },
    get describeSummaryCalls() {
      return describeSummaryCalls;
    },
    /** Lets the oldest held `PutRecords` call answer, and keeps holding the others. */
    releaseOne() {
      held.shift()?.();
    },
    /** Lets every held `PutRecords` call answer. */
    release() {
      state.hold = false;
      for (const resolve of held.splice(0)) resolve();
    },
  };
}

/** Sends a throttling error shaped as the SDK makes it. */
export function serviceError(name: string, httpStatusCode = 400): Error {
  return Object.assign(new Error(`${name} (injected)`), {
    name,
    $fault: 'client',
    $metadata: { httpStatusCode },
  });
}
