/**
 * Integration-test support for resharding: keyed rounds of records at fixed hash keys, splits and
 * merges on the emulator, and a recorder of what a consumer delivered and when its shards started
 * and ended, with the checks the resharding tests share.
 */
import {
  DescribeStreamSummaryCommand,
  type KinesisClient,
  ListShardsCommand,
  MergeShardsCommand,
  PutRecordsCommand,
  type Shard,
  SplitShardCommand,
} from '@aws-sdk/client-kinesis';
import { MAX_HASH_KEY } from '@kinesis-ts/core';
import { expect } from 'vitest';
import type { KinesisConsumer } from '../src/index.js';
import { text, waitFor } from './local-stack.js';

/** `count` keys spread evenly over the hash space (key i at the middle of the i-th slice). */
export function spreadKeys(count: number): { key: string; hashKey: string }[] {
  const slice = (MAX_HASH_KEY + 1n) / BigInt(count);
  return Array.from({ length: count }, (_, i) => ({
    key: `key-${String(i).padStart(2, '0')}`,
    hashKey: String(slice * BigInt(i) + slice / 2n),
  }));
}

/** Puts one record per key, `<key>:<round>`, in one PutRecords call (per key, rounds are in put order). */
export async function putRound(
  kinesis: KinesisClient,
  streamName: string,
  keys: readonly { key: string; hashKey: string }[],
  round: number,
): Promise<void> {
  const output = await kinesis.send(
    new PutRecordsCommand({
      StreamName: streamName,
      Records: keys.map(({ key, hashKey }) => ({
        PartitionKey: key,
        ExplicitHashKey: hashKey,
        Data: new TextEncoder().encode(`${key}:${round}`),
      })),
    }),
  );
  if (output.FailedRecordCount) throw new Error(`${output.FailedRecordCount} records failed`);
}

export async function listShards(kinesis: KinesisClient, streamName: string): Promise<Shard[]> {
  return (await kinesis.send(new ListShardsCommand({ StreamName: streamName }))).Shards ?? [];
}

async function waitForActive(kinesis: KinesisClient, streamName: string): Promise<void> {
  await waitFor(async () => {
    const summary = await kinesis.send(new DescribeStreamSummaryCommand({ StreamName: streamName }));
    return summary.StreamDescriptionSummary?.StreamStatus === 'ACTIVE';
  }, `stream ${streamName} ACTIVE`);
}

/** Splits a shard at the middle of its hash range; resolves with the children's ids once ACTIVE. */
export async function splitShard(
  kinesis: KinesisClient,
  streamName: string,
  shardId: string,
): Promise<string[]> {
  const before = await listShards(kinesis, streamName);
  const shard = before.find((s) => s.ShardId === shardId);
  if (!shard?.HashKeyRange) throw new Error(`no shard ${shardId}`);
  const start = BigInt(shard.HashKeyRange.StartingHashKey!);
  const end = BigInt(shard.HashKeyRange.EndingHashKey!);
  await kinesis.send(
    new SplitShardCommand({
      StreamName: streamName,
      ShardToSplit: shardId,
      NewStartingHashKey: String((start + end) / 2n + 1n),
    }),
  );
  await waitForActive(kinesis, streamName);
  const after = await listShards(kinesis, streamName);
  return after.filter((s) => s.ParentShardId === shardId).map((s) => s.ShardId!);
}

/** Merges two adjacent shards; resolves with the child's id once ACTIVE. */
export async function mergeShards(
  kinesis: KinesisClient,
  streamName: string,
  shardId: string,
  adjacentShardId: string,
): Promise<string> {
  await kinesis.send(
    new MergeShardsCommand({
      StreamName: streamName,
      ShardToMerge: shardId,
      AdjacentShardToMerge: adjacentShardId,
    }),
  );
  await waitForActive(kinesis, streamName);
  const child = (await listShards(kinesis, streamName)).find(
    (s) => s.ParentShardId === shardId && s.AdjacentParentShardId === adjacentShardId,
  );
  if (!child?.ShardId) throw new Error('the merge produced no child');
  return child.ShardId;
}

/** One delivered record. */
export interface Delivery {
  readonly shardId: string;
  readonly key: string;
  readonly round: number;
  readonly sequenceNumber: string;
  /** `performance.now()` when delivered. */
  readonly at: number;
}

/** What a consumer delivered, and when its shards started and ended (`performance.now()`). */
export class ReshardRecorder {
  readonly deliveries: Delivery[] = [];
  readonly started = new Map<string, number>();
  readonly ended = new Map<string, number>();

  /** Records a delivered batch. */
  record(shardId: string, records: readonly { data: Uint8Array; sequenceNumber: string }[]): void {
    const at = performance.now();
    for (const record of records) {
      const [key, round] = text(record.data).split(':');
      this.deliveries.push({
        shardId,
        key: key!,
        round: Number(round),
        sequenceNumber: record.sequenceNumber,
        at,
      });
    }
  }

  /** Listens to a consumer's `shard:started` and `shard:ended` (first occurrence of each shard). */
  watch(consumer: KinesisConsumer): void {
    consumer.on('shard:started', ({ shardId }) => {
      if (!this.started.has(shardId)) this.started.set(shardId, performance.now());
    });
    consumer.on('shard:ended', ({ shardId }) => {
      if (!this.ended.has(shardId)) this.ended.set(shardId, performance.now());
    });
  }

  /** Every (key, round) delivered exactly once, and per key in round order. */
  expectEveryRecordOnceInOrder(keys: readonly { key: string }[], rounds: number): void {
    const seen = new Set<string>();
    const duplicates: string[] = [];
    for (const delivery of this.deliveries) {
      const id = `${delivery.key}:${delivery.round}`;
      if (seen.has(id)) duplicates.push(id);
      seen.add(id);
    }
    expect(duplicates).toEqual([]);
    expect(seen.size).toBe(keys.length * rounds);
    for (const { key } of keys) {
      const order = this.deliveries.filter((d) => d.key === key).map((d) => d.round);
      expect(order, `rounds of ${key} in delivery order`).toEqual([...Array(rounds).keys()]);
    }
  }

  /**
   * Every child started only after all its parents ended, and delivered nothing before; returns how
   * long each child waited after its last parent ended, in ms.
   */
  expectParentsFirst(parentsOf: ReadonlyMap<string, readonly string[]>): Map<string, number> {
    const waits = new Map<string, number>();
    for (const [child, parents] of parentsOf) {
      const childStarted = this.started.get(child);
      expect(childStarted, `${child} started`).toBeDefined();
      const lastParentEnd = Math.max(
        ...parents.map((parent) => {
          const ended = this.ended.get(parent);
          expect(ended, `${parent} ended`).toBeDefined();
          return ended!;
        }),
      );
      expect(childStarted!, `${child} started after its parents ended`).toBeGreaterThanOrEqual(lastParentEnd);
      const firstChildDelivery = Math.min(
        ...this.deliveries.filter((d) => d.shardId === child).map((d) => d.at),
      );
      for (const parent of parents) {
        const lastParentDelivery = Math.max(
          ...this.deliveries.filter((d) => d.shardId === parent).map((d) => d.at),
          Number.NEGATIVE_INFINITY,
        );
        expect(firstChildDelivery, `${child} delivered after ${parent}`).toBeGreaterThanOrEqual(
          lastParentDelivery,
        );
      }
      waits.set(child, childStarted! - lastParentEnd);
    }
    return waits;
  }
}
