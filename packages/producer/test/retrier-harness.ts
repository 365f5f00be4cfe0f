/**
 * A retrier under test (src/pipeline/retrier.test.ts): wired to a real settlement and real lanes,
 * everything else it calls recorded, and requests built from partition keys with canned answers.
 */
import type { PutRecordsOutput } from '@aws-sdk/client-kinesis';
import { MAX_HASH_KEY } from '@kinesis-ts/core';
import type { Attempt, PutResult } from '../src/attempt.js';
import type { RecordFailedError } from '../src/errors.js';
import { MetricsRecorder } from '../src/metrics.js';
import type { RequestInFlight } from '../src/pipeline/collector.js';
import { EntryFigures } from '../src/pipeline/entry-figures.js';
import type { OpenShard } from '../src/pipeline/list-shards.js';
import type { PackedEntry } from '../src/pipeline/packer.js';
import { dueAtOf, failedAttempts, type PendingRecord } from '../src/pipeline/pending-record.js';
import { Retrier, type RetrierOptions, type ShardMapRefresh } from '../src/pipeline/retrier.js';
import type { RequestCompletion } from '../src/pipeline/sender.js';
import { Settlement } from '../src/pipeline/settlement.js';
import { ShardLane } from '../src/pipeline/shard-lane.js';
import { ProducerEventEmitter } from '../src/producer-events.js';
import { pending } from './pending.js';

// Every request of these tests is sent at 1,000 ms and answered at 1,040 ms; records arrive at 0.
export const STARTED_AT = 1_000;
export const ENDED_AT = 1_040;

// 'user-1' and 'user-8' hash into the upper half of the hash key space, 'user-2' into the lower half.
export const HALF = (MAX_HASH_KEY + 1n) / 2n;
export const LOWER: OpenShard = { shardId: 'shard-lower', startingHashKey: 0n, endingHashKey: HALF - 1n };
export const UPPER: OpenShard = {
  shardId: 'shard-upper',
  startingHashKey: HALF,
  endingHashKey: MAX_HASH_KEY,
};

export const DEFAULT_OPTIONS: RetrierOptions = {
  failIfThrottled: false,
  maxAttempts: Number.POSITIVE_INFINITY,
  retryBackoff: { baseDelayMs: 100, maxDelayMs: 5_000 },
  random: () => 0.5, // full jitter at half its window: the first backoff is 50 ms
};

/** One entry of a request: its user records (by partition key) and the shard it was predicted for. */
export interface EntrySpec {
  readonly keys: readonly string[];
  readonly predicted: string | undefined;
  /** Time to live of its records, as `expiresAt` (default 30,000). */
  readonly expiresAt?: number;
}

/** How a record ended, as its settler heard it. */
export type Settled =
  | { readonly status: 'written'; readonly result: PutResult }
  | { readonly status: 'failed'; readonly error: RecordFailedError };

/**
 * A retrier wired to a real settlement and real lanes, with everything else it calls recorded: the
 * records it requeues (per lane), the shard-map refreshes it asks for, the lanes it backs off.
 */
export function retrierUnderTest(options: Partial<RetrierOptions> = {}, ranges: readonly OpenShard[] = []) {
  const events = new ProducerEventEmitter();
  const settlement = new Settlement(new MetricsRecorder(), events, () => undefined);
  const lanes = new Map<string | undefined, ShardLane>();
  const laneOf = (shardId: string | undefined): ShardLane => {
    let lane = lanes.get(shardId);
    if (lane === undefined) {
      lane = new ShardLane(shardId, undefined);
      lanes.set(shardId, lane);
    }
    return lane;
  };
  const requeued: Record<string, string[]> = {};
  const refreshes: ShardMapRefresh[] = [];
  const throttled: [string | undefined, number][] = [];
  events.on('shard:throttled', ({ shardId, backoffMs }) => throttled.push([shardId, backoffMs]));
  /** The ranges of the shards seen in the maps fetched so far. */
  const known = new Map(ranges.map((shard) => [shard.shardId, shard]));
  const retrier = new Retrier(
    { ...DEFAULT_OPTIONS, ...options },
    {
      settlement,
      metrics: new MetricsRecorder(),
      events,
      rangeOf: (shardId) => known.get(shardId),
      laneOf,
      requeue: (lane, records) => {
        const at = lane.shardId ?? 'unpredicted';
        requeued[at] = [...(requeued[at] ?? []), ...records.map((record) => record.partitionKey)];
      },
      refreshShardMap: (reason) => refreshes.push(reason),
      errorContext: () => ({}), // a client the service has not answered yet
    },
  );

  const records = new Map<string, PendingRecord>();
  const outcomes = new Map<string, Settled>();
  const recordFor = (key: string, expiresAt: number): PendingRecord => {
    const record = pending(key, 'x', {
      expiresAt,
      settler: {
        resolve: (result) => outcomes.set(key, { status: 'written', result }),
        reject: (error) => outcomes.set(key, { status: 'failed', error: error as RecordFailedError }),
      },
    });
    records.set(key, record);
    return record;
  };

  /** A request as the collector builds it, sent and now completing. */
  const request = (entries: readonly EntrySpec[]): RequestInFlight => ({
    entries: entries.map(({ keys, predicted, expiresAt = 30_000 }) => ({
      packed: packed(keys.map((key) => recordFor(key, expiresAt))),
      predictedShardId: predicted,
    })),
    lanes: new Set(entries.map(({ predicted }) => laneOf(predicted))),
    startedAt: STARTED_AT,
  });

  return {
    retrier,
    laneOf,
    requeued,
    refreshes,
    throttled,
    request,
    /** A record on its own, as one queued or waiting for room. */
    newRecord: (key: string, expiresAt = 30_000) => recordFor(key, expiresAt),
    /** A refreshed shard map shows `shard`. */
    learn: (shard: OpenShard) => known.set(shard.shardId, shard),
    /**
     * A record as its owner sees it: a written record's attempts are those of its result (built when
     * read; the pending record no longer carries the successful attempt).
     */
    /** The pending record of `key`, as the pipeline holds it. */
    pendingRecord: (key: string): PendingRecord => records.get(key)!,
    record: (key: string): { readonly attempts: readonly Attempt[]; readonly dueAt: number } => {
      const record = records.get(key)!;
      const settled = outcomes.get(key);
      if (settled?.status !== 'written') return { dueAt: dueAtOf(record), attempts: failedAttempts(record) };
      return { dueAt: dueAtOf(record), attempts: [...(settled as { result: PutResult }).result.attempts] };
    },
    /** The records written: key → [shard, sequence number]. */
    written: () =>
      Object.fromEntries(
        [...outcomes]
          .filter(([, settled]) => settled.status === 'written')
          .map(([key, settled]) => {
            const { result } = settled as { result: PutResult };
            return [key, [result.shardId, result.sequenceNumber]];
          }),
      ),
    /** The records given up on: key → failure code. */
    failed: () =>
      Object.fromEntries(
        [...outcomes]
          .filter(([, settled]) => settled.status === 'failed')
          .map(([key, settled]) => [key, (settled as { error: RecordFailedError }).error.code]),
      ),
    outcome: (key: string) => outcomes.get(key),
  };
}

/** An entry carrying `records`: an aggregate when there are several. */
export function packed(records: PendingRecord[]): PackedEntry {
  const aggregated = records.length > 1;
  return {
    entry: {
      partitionKey: aggregated ? 'a' : records[0]!.partitionKey,
      explicitHashKey: records[0]!.hashKey.toString(),
      data: new Uint8Array(8),
      aggregated,
      userRecordCount: records.length,
    },
    records,
    figures: EntryFigures.of(records),
    sizeBytes: 8,
  };
}

export function completion(answer: { output: PutRecordsOutput } | { error: unknown }, overrides = {}) {
  const userRecords = 0; // only reported in metrics and events
  return {
    startedAt: STARTED_AT,
    endedAt: ENDED_AT,
    timeoutMs: 6_000,
    userRecords,
    output: 'output' in answer ? answer.output : undefined,
    error: 'error' in answer ? answer.error : undefined,
    ...overrides,
  } satisfies RequestCompletion;
}

/** The attempt a request of these tests leaves on a record that arrived at 0. */
export function attemptOf(error?: { code: string; message: string }): Attempt {
  return {
    startedAt: STARTED_AT,
    delayMs: STARTED_AT,
    durationMs: ENDED_AT - STARTED_AT,
    success: error === undefined,
    ...(error === undefined ? {} : { errorCode: error.code, errorMessage: error.message }),
  };
}

/** The attempt an expiry adds at `now` after an attempt that ended at `now`. */
export const EXPIRED_ATTEMPT: Attempt = {
  startedAt: ENDED_AT,
  delayMs: 0,
  durationMs: 0,
  success: false,
  errorCode: 'Expired',
  errorMessage: 'Record reached its time to live',
};
