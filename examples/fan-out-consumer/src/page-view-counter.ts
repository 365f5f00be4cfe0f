/**
 * A KCL-style record processor (one per shard lease) that counts page views and checkpoints by hand:
 * the counts of a window are flushed to a sink, and only then is the checkpoint moved to the last
 * record they include. A crash between two flushes loses nothing: the next owner of the shard
 * resumes at the last checkpoint and counts those records again (the sink adds counts per window, so
 * give it an idempotent write in production: a window id, or an upsert).
 */
import type {
  ConsumerRecord,
  InitializationInput,
  LeaseLostInput,
  ProcessRecordsInput,
  ShardEndedInput,
  ShardRecordProcessor,
  ShutdownRequestedInput,
} from '@kinesis-ts/consumer';

/** Where counts go: a table, a metrics system… */
export interface PageViewSink {
  write(shardId: string, counts: ReadonlyMap<string, number>): Promise<void>;
}

export interface FlushPolicy {
  /** Flush after this many records. */
  readonly everyRecords: number;
  /**
   * Flush when this long has passed since the last flush, checked as batches arrive: a shard that
   * goes quiet keeps its last counts until its next record, a stop, or its end.
   */
  readonly everyMs: number;
}

export class PageViewCounter implements ShardRecordProcessor {
  private shardId = '';
  private counts = new Map<string, number>();
  private pending = 0;
  private lastRecord: ConsumerRecord | undefined;
  private lastFlushAt = Date.now();

  constructor(
    private readonly sink: PageViewSink,
    private readonly policy: FlushPolicy,
  ) {}

  initialize({ shardId, extendedSequenceNumber }: InitializationInput): void {
    this.shardId = shardId;
    console.log(`${shardId}: starting after ${extendedSequenceNumber.sequenceNumber}`);
  }

  async processRecords({ records, checkpointer }: ProcessRecordsInput): Promise<void> {
    for (const record of records) {
      const { page } = JSON.parse(new TextDecoder().decode(record.data)) as { page: string };
      this.counts.set(page, (this.counts.get(page) ?? 0) + 1);
      this.pending++;
      this.lastRecord = record;
    }
    const due =
      this.pending >= this.policy.everyRecords || Date.now() - this.lastFlushAt >= this.policy.everyMs;
    if (due && this.lastRecord) {
      await this.flush();
      // the record's sequence *and* sub-sequence number: exact inside a KPL aggregate
      await checkpointer.checkpoint(this.lastRecord);
    }
  }

  async shardEnded({ checkpointer }: ShardEndedInput): Promise<void> {
    await this.flush();
    await checkpointer.checkpoint(); // required at a shard's end: SHARD_END lets its children start
  }

  async shutdownRequested({ checkpointer }: ShutdownRequestedInput): Promise<void> {
    await this.flush(); // the worker is stopping: save the counts, then the position
    await checkpointer.checkpoint();
  }

  leaseLost(_input: LeaseLostInput): void {
    // another worker owns the shard now and starts from the last checkpoint: drop what is not flushed
    this.counts = new Map();
    this.pending = 0;
  }

  private async flush(): Promise<void> {
    this.lastFlushAt = Date.now();
    if (this.pending === 0) return;
    const counts = this.counts;
    this.counts = new Map();
    this.pending = 0;
    await this.sink.write(this.shardId, counts);
  }
}
