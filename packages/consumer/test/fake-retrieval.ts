import type { KinesisRecordInput } from '@kinesis-ts/core';
import type {
  ChildShard,
  RetrievalRequest,
  RetrievedBatch,
  ShardRecordsRetrieval,
} from '../src/retrieval/records-retrieval.js';

/** A retrieval fed by the test: `push` hands a batch to the shard consumer. */
export class FakeRetrieval implements ShardRecordsRetrieval {
  private readonly batches: RetrievedBatch[] = [];
  private waiter: (() => void) | undefined;
  closed = false;
  constructor(readonly request: RetrievalRequest) {}
  push(records: KinesisRecordInput[], shardEnd?: { childShards: ChildShard[] }): void {
    this.batches.push({ records, shardEnd, sizeBytes: 0, retrievedAtMs: 0, millisBehindLatest: 42 });
    this.waiter?.();
  }
  async next(signal?: AbortSignal): Promise<RetrievedBatch> {
    while (this.batches.length === 0) {
      await new Promise<void>((resolve, reject) => {
        this.waiter = resolve;
        signal?.addEventListener('abort', () => reject(signal.reason), { once: true });
      });
    }
    return this.batches.shift()!;
  }
  close(): void {
    this.closed = true;
  }
}
