/**
 * What the facade's unit tests (src/kinesis-producer*.test.ts) share: producers on a fake Kinesis,
 * closed after each test, and ways to read back what was written.
 */
import { deaggregate } from '@kinesis-ts/core';
import { vi } from 'vitest';
import { KinesisProducer } from '../src/kinesis-producer.js';
import type { KinesisProducerOptions } from '../src/options.js';
import type { fakeKinesis, WrittenRecord } from './fake-kinesis.js';

export const utf8 = (text: string) => new Uint8Array(Buffer.from(text));
export const text = (bytes: Uint8Array) => Buffer.from(bytes).toString();

/** The producers to close after the test (`producerFor` adds its own; a test may add others). */
export const producers: KinesisProducer[] = [];
const fakes: Fake[] = [];

/** Releases every fake's held calls and closes every producer made by `producerFor` (an `afterEach`). */
export async function closeProducers(): Promise<void> {
  vi.useRealTimers();
  for (const fake of fakes) fake.release();
  await Promise.all(producers.map((p) => p.close().catch(() => undefined)));
  producers.splice(0);
  fakes.splice(0);
}

export type Fake = ReturnType<typeof fakeKinesis>;

/** A producer on `kinesis`, sending after 10 ms of buffering unless told otherwise. */
export function producerFor(kinesis: Fake, options: Partial<KinesisProducerOptions> = {}) {
  fakes.push(kinesis);
  const producer = new KinesisProducer({
    streamName: 'orders',
    client: kinesis.client,
    maxBufferedTimeMs: 10,
    ...options,
  });
  producers.push(producer);
  return producer;
}

/** Every user record written, in the order a KCL consumer of each shard would see it. */
export function readBack(written: readonly WrittenRecord[]) {
  return written.flatMap((w) =>
    deaggregate({ partitionKey: w.partitionKey, data: w.data, sequenceNumber: w.sequenceNumber }).map(
      (r) => ({
        ...r,
        shardId: w.shardId,
      }),
    ),
  );
}

export const keys = (count: number, prefix = 'k') => Array.from({ length: count }, (_, i) => `${prefix}${i}`);
