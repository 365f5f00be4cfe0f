/**
 * Integration-test support for resharding: a recorder of what a consumer delivered and when its
 * shards started and ended, with the checks the resharding tests share (the stream operations are
 * in `reshard-ops.ts`).
 */
import { expect } from 'vitest';
import type { KinesisConsumer } from '../src/index.js';
import { text } from './local-stack.js';

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
