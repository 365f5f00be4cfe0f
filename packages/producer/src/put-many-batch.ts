import type { PutResult } from './attempt.js';
import type { RecordSettler } from './pipeline/pending-record.js';

/** One settled record of {@link KinesisProducer.putMany}. */
export type PutManyResult =
  | { readonly status: 'fulfilled'; readonly value: PutResult }
  | { readonly status: 'rejected'; readonly reason: unknown };

/** The results of one `putMany` call, filled in as its records settle. */
export class PutManyBatch {
  readonly results: PutManyResult[];
  private remaining: number;

  constructor(
    size: number,
    private readonly done: (results: PutManyResult[]) => void,
  ) {
    this.results = new Array(size);
    this.remaining = size;
    if (size === 0) done(this.results);
  }

  settle(index: number, result: PutManyResult): void {
    this.results[index] = result;
    if (--this.remaining === 0) this.done(this.results);
  }
}

/** One record's place in a `putMany` batch. */
export class PutManyBatchSlot implements RecordSettler {
  constructor(
    private readonly batch: PutManyBatch,
    private readonly index: number,
  ) {}

  resolve(value: PutResult): void {
    this.batch.settle(this.index, { status: 'fulfilled', value });
  }

  reject(reason: unknown): void {
    this.batch.settle(this.index, { status: 'rejected', reason });
  }
}
