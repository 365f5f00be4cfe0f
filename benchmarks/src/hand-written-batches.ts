/** The hand-written baseline of the producer benchmarks (shared by producer.bench.ts and put-path.bench.ts). */
import { type KinesisClient, PutRecordsCommand, type PutRecordsRequestEntry } from '@aws-sdk/client-kinesis';
import pLimit from 'p-limit';

/** How many `PutRecords` calls the baseline keeps in flight. */
export const CONCURRENCY = 24;

/**
 * What a careful application writes by hand with the SDK: 500-entry PutRecords batches, up to
 * `CONCURRENCY` in flight (p-limit), failed entries put back and retried after a jittered backoff.
 * Returns a function that reports how many records were delivered.
 */
export class HandWrittenBatches {
  delivered = 0;
  private readonly queue: PutRecordsRequestEntry[] = [];
  private readonly retries: PutRecordsRequestEntry[] = [];
  private readonly limit = pLimit(CONCURRENCY);
  private readonly inFlight = new Set<Promise<void>>();
  private attempt = 0;

  constructor(private readonly client: KinesisClient) {}

  get backlog(): number {
    return this.queue.length + this.retries.length;
  }

  /** Queues a record; resolves once the caller may go on (a batch slot is free). */
  async add(entry: PutRecordsRequestEntry): Promise<void> {
    this.queue.push(entry);
    if (this.backlog >= 500) await this.sendBatch();
  }

  async drain(): Promise<void> {
    while (this.backlog > 0 || this.inFlight.size > 0) {
      if (this.backlog > 0) await this.sendBatch();
      else await Promise.race(this.inFlight);
    }
  }

  /** Retried entries first, then new ones. */
  private takeBatch(): PutRecordsRequestEntry[] {
    const batch = this.retries.splice(0, 500);
    if (batch.length < 500) batch.push(...this.queue.splice(0, 500 - batch.length));
    return batch;
  }

  private async sendBatch(): Promise<void> {
    const batch = this.takeBatch();
    if (this.limit.activeCount + this.limit.pendingCount >= CONCURRENCY) await Promise.race(this.inFlight);
    const task: Promise<void> = this.limit(async () => {
      try {
        const output = await this.client.send(new PutRecordsCommand({ StreamName: 'bench', Records: batch }));
        const failed = batch.filter((_, i) => output.Records?.[i]?.ErrorCode !== undefined);
        this.delivered += batch.length - failed.length;
        if (failed.length > 0) {
          this.attempt++;
          await new Promise((r) => setTimeout(r, Math.random() * Math.min(1000, 50 * 2 ** this.attempt)));
          this.retries.push(...failed);
        } else {
          this.attempt = 0;
        }
      } catch {
        this.retries.push(...batch);
      }
    });
    this.inFlight.add(task);
    void task.finally(() => this.inFlight.delete(task));
  }
}
