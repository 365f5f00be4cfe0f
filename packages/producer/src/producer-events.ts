import { TypedEventEmitter, type UserRecord } from '@kinesis-ts/core';
import type { PutResult } from './attempt.js';
import type { RecordFailedError } from './errors.js';
import type { HotSpot } from './hot-key-detector.js';
import type { OpenShard } from './pipeline/list-shards.js';

/** The events a {@link KinesisProducer} emits; listen with `producer.events.on(name, listener)`. */
export interface ProducerEvents {
  /** A user record was written. */
  'record:put': { readonly record: UserRecord; readonly result: PutResult };
  /** A user record was given up on. */
  'record:failed': { readonly record: UserRecord; readonly error: RecordFailedError };
  /** A `PutRecords` request completed (or failed as a whole, then with `errorCode`). */
  'request:completed': {
    readonly entries: number;
    readonly userRecords: number;
    readonly failedEntries: number;
    readonly durationMs: number;
    readonly errorCode?: string;
  };
  /** A shard refused entries for throughput; it backs off before sending again. */
  'shard:throttled': { readonly shardId: string | undefined; readonly backoffMs: number };
  /** A new shard map is in use. */
  'shard-map:updated': { readonly shards: readonly OpenShard[]; readonly generation: number };
  /** Fetching the shard map failed; records are sent without prediction meanwhile. */
  'shard-map:error': { readonly error: unknown; readonly willRetry: boolean };
  /** One partition key took more than `hotKeyShare` of the records of the last window. */
  'hot-key': HotSpot;
  /** One shard took an outsized share of the records of the last window. */
  'hot-shard': HotSpot;
  /** `put` found the buffer full: it waits (or rejects, with `whenBufferFull: 'reject'`). */
  'buffer:full': { readonly bufferedRecords: number; readonly bufferedBytes: number };
}

/**
 * `producer.events`: core's typed emitter, as the consumer's; the pipeline's stages emit through it.
 * A listener that throws is reported through the producer's logger and does not reach the stage.
 */
export class ProducerEventEmitter extends TypedEventEmitter<ProducerEvents> {
  override emit<E extends keyof ProducerEvents & string>(event: E, payload: ProducerEvents[E]): void {
    super.emit(event, payload);
  }
}
