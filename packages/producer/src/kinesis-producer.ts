import type { Writable } from 'node:stream';
import { SILENT_LOGGER, type UserRecord } from '@kinesis-ts/core';
import type { PutResult } from './attempt.js';
import { MetricsRecorder, type ProducerMetrics } from './metrics.js';
import {
  type KinesisProducerOptions,
  type ResolvedProducerOptions,
  resolveProducerOptions,
} from './options.js';
import { ProducerPipeline } from './pipeline/pipeline.js';
import { ProducerEventEmitter } from './producer-events.js';
import { type ProducerWritableOptions, producerWritable } from './producer-writable.js';
import { PutManyBatch, type PutManyResult } from './put-many-batch.js';

/**
 * A KPL-style producer for one Kinesis stream, in TypeScript: `put` resolves with the shard and
 * sequence number once the record is written, or rejects with the reason and every attempt.
 *
 * Records are validated at once; grouped by predicted shard (from `ListShards`); packed into KPL
 * aggregates; paced per shard below its limits; collected into `PutRecords` requests; retried entry
 * by entry with per-shard full-jitter backoff until `recordTtlMs`; and kept in per-key order unless
 * `preserveKeyOrder` is off. The buffer is bounded: `put` waits (or rejects) when it is full.
 *
 * ```ts
 * const producer = new KinesisProducer({ streamName: 'orders', client: new KinesisClient({}) });
 * const { shardId, sequenceNumber } = await producer.put({ partitionKey: order.id, data: bytes });
 * await producer.close();
 * ```
 */
export class KinesisProducer {
  /** Typed events: `record:put`, `record:failed`, `shard:throttled`, `hot-key`… */
  readonly events: ProducerEventEmitter;

  private readonly options: ResolvedProducerOptions;
  private readonly metricsRecorder = new MetricsRecorder();
  /** Everything between `put` and a settled record: see docs/internals/producer-pipeline.md. */
  private readonly pipeline: ProducerPipeline;

  constructor(options: KinesisProducerOptions) {
    this.options = resolveProducerOptions(options);
    this.events = new ProducerEventEmitter(this.options.logger ?? SILENT_LOGGER);
    this.pipeline = new ProducerPipeline(this.options, {
      events: this.events,
      metrics: this.metricsRecorder,
      logger: this.options.logger ?? SILENT_LOGGER,
    });
  }

  /** The stream written to: its name, or its ARN when the producer was given one. */
  get stream(): { readonly streamName?: string; readonly streamArn?: string } {
    return this.options.stream;
  }

  /** User records accepted and not yet settled (buffered or in flight), plus those waiting for room. */
  get outstandingRecords(): number {
    return this.pipeline.outstandingRecords;
  }

  /** Bytes (data plus partition keys) of the records accepted and not yet settled. */
  get outstandingBytes(): number {
    return this.pipeline.outstandingBytes;
  }

  /**
   * Writes one record. Resolves with its shard, sequence number and attempts once Kinesis has it;
   * rejects with a `ValidationError` at once for a bad record, with `RecordFailedError` when it is
   * given up on, `BufferFullError` (with `whenBufferFull: 'reject'`) or `ProducerClosedError`.
   */
  put(record: UserRecord): Promise<PutResult> {
    return new Promise<PutResult>((resolve, reject) => this.pipeline.accept(record, { resolve, reject }));
  }

  /**
   * Writes many records; resolves once every one is settled, with one result per record in the same
   * order (like `Promise.allSettled`). A bad record rejects only its own result. Cheaper per record
   * than `put`: one promise for the batch. Each item is frozen; records written together with the
   * same result (see {@link PutResult}) share one item.
   */
  putMany(records: readonly UserRecord[]): Promise<PutManyResult[]> {
    return new Promise((resolve) => {
      const batch = new PutManyBatch(records.length, resolve);
      const now = Date.now(); // the records of one call arrive together
      for (let index = 0; index < records.length; index++)
        this.pipeline.accept(records[index]!, batch, index, now);
    });
  }

  /**
   * Resolves when the buffer has room for another record: await it between `put`s to slow a source
   * down to what the stream takes, instead of letting waiting records pile up.
   */
  waitForCapacity(): Promise<void> {
    return this.pipeline.waitForCapacity();
  }

  /** Sends everything buffered now, and resolves when all of it is settled (written or failed). */
  flush(): Promise<void> {
    return this.pipeline.flush();
  }

  /** Refuses new records, sends and settles everything buffered, and stops the producer's timers. */
  async close(): Promise<void> {
    this.pipeline.refuseNewRecords();
    await this.flush();
    this.pipeline.stop();
  }

  /**
   * A Node `Writable` (object mode) that puts each chunk: records, or bytes and strings keyed by
   * `options.partitionKey`, with the producer's buffer as backpressure; for `stream.pipeline`. See
   * `producerWritable`.
   */
  writable(options?: ProducerWritableOptions): Writable {
    return producerWritable(this, options);
  }

  /** The producer's metrics (KPL names) for the stream and each shard, counted since it started. */
  metrics(): ProducerMetrics {
    return this.metricsRecorder.snapshot(this.outstandingRecords, this.outstandingBytes);
  }
}
