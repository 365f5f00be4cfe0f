import type { PutResult } from './attempt.js';
import type { RecordSettler } from './pipeline/pending-record.js';
import { WrittenResult } from './pipeline/written-result.js';

/** One settled record of {@link KinesisProducer.putMany}. */
export type PutManyResult = PutManyFulfilled | { readonly status: 'rejected'; readonly reason: unknown };

/** A `putMany` record that was written. */
interface PutManyFulfilled {
  readonly status: 'fulfilled';
  readonly value: PutResult;
}

/**
 * The results of one `putMany` call, filled in as its records settle: the settler of every record of
 * the batch, each told its index (`slot`), so a batch costs one object and one promise, not one per
 * record.
 */
export class PutManyBatch implements RecordSettler {
  readonly settlesMany = true;
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

  /**
   * Records written together often share their result (see `EntryResults`): they then share the
   * frozen `{ status, value }` around it too, whichever batch each belongs to.
   */
  resolve(value: PutResult, slot: number): void {
    this.settle(
      slot,
      value instanceof WrittenResult
        ? value.asFulfilled()
        : Object.freeze({ status: 'fulfilled' as const, value }),
    );
  }

  reject(reason: unknown, slot: number): void {
    this.settle(slot, { status: 'rejected', reason });
  }

  settle(index: number, result: PutManyResult): void {
    this.results[index] = result;
    if (--this.remaining === 0) this.done(this.results);
  }
}
