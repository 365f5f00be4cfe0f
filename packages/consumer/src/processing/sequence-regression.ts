import {
  CoreErrorCode,
  compareExtendedSequenceNumbers,
  describeValue,
  isSequenceNumber,
  ValidationError,
  validateIntegerOption,
} from '@kinesis-ts/core';
import type { RecordFunction } from './parallel-by-key.js';
import { SequenceRegressionError } from './processing-errors.js';

/** A record whose producer sequence is lower than one already seen for its key, earlier in the stream. */
export interface SequenceRegression<R> {
  readonly key: string;
  /** The record's producer sequence. */
  readonly sequence: bigint;
  /** The highest producer sequence seen before for the key. */
  readonly previous: bigint;
  readonly record: R;
}

/** What {@link SequenceRegressionDetector.check} says about a record. */
export type SequenceCheck =
  /** Higher than anything seen for the key (or the key is new). */
  | { readonly kind: 'in-order' }
  /**
   * Not higher, but the record sits at or before the stream position where the highest was seen: the
   * stream delivered it again (a retry, a failover). Not the producer's doing.
   */
  | { readonly kind: 'redelivery' }
  /** Equal, from a later stream position: the producer put the record again (a producer retry). */
  | { readonly kind: 'duplicate' }
  /** Lower, from a later stream position: the producer's sequence went backwards. */
  | { readonly kind: 'regression'; readonly previous: bigint };

interface Mark {
  sequence: bigint;
  sequenceNumber: string;
  subSequenceNumber: number;
}

/**
 * Tracks, per key, the highest producer-embedded sequence seen and where in the stream it was seen
 * (pure bookkeeping, no I/O). Remembers at most `maxKeys` keys, forgetting the least recently seen.
 */
export class SequenceRegressionDetector {
  private readonly marks = new Map<string, Mark>();
  private readonly maxKeys: number;

  constructor(options: { readonly maxKeys?: number } = {}) {
    this.maxKeys = validateIntegerOption('maxKeys', options.maxKeys ?? 100_000, 1, 100_000_000);
  }

  /** Classifies a record of `key` with producer sequence `sequence` at stream position `position`. */
  check(key: string, sequence: bigint, position: StreamPosition): SequenceCheck {
    const mark = this.marks.get(key);
    if (mark === undefined || sequence > mark.sequence) return { kind: 'in-order' };
    if (!isLaterPosition(position, mark)) return { kind: 'redelivery' };
    if (sequence === mark.sequence) return { kind: 'duplicate' };
    return { kind: 'regression', previous: mark.sequence };
  }

  /** Records that the key's record with `sequence` at `position` was processed. */
  record(key: string, sequence: bigint, position: StreamPosition): void {
    const mark = this.marks.get(key);
    if (mark !== undefined && sequence <= mark.sequence) return;
    this.marks.delete(key);
    this.marks.set(key, {
      sequence,
      sequenceNumber: position.sequenceNumber,
      subSequenceNumber: position.subSequenceNumber ?? 0,
    });
    if (this.marks.size > this.maxKeys) {
      const oldest = this.marks.keys().next().value;
      if (oldest !== undefined) this.marks.delete(oldest);
    }
  }

  /** How many keys are remembered. */
  get size(): number {
    return this.marks.size;
  }
}

/** A record's position in the stream. */
export interface StreamPosition {
  readonly sequenceNumber: string;
  readonly subSequenceNumber?: number;
}

/** Options of {@link detectSequenceRegressions}. */
export interface DetectSequenceRegressionsOptions<R> {
  /**
   * The producer's per-key sequence embedded in the record (a non-negative integer: bigint, safe
   * integer number, or decimal string), or `undefined` when it has none (the record is passed on).
   */
  readonly sequenceOf: (record: R) => bigint | number | string | undefined;
  /** The key sequences are counted per. @defaultValue the record's `partitionKey` */
  readonly keyOf?: (record: R) => string;
  /** Told about each regression, whatever the policy. */
  readonly onRegression?: (regression: SequenceRegression<R>) => void;
  /**
   * What to do with a regressed record: `'process'` it anyway, `'skip'` it (it counts as done), or
   * `'reject'` it (throw a `SequenceRegressionError`: the record fails, is retried and ends as a
   * poison record). @defaultValue 'process'
   */
  readonly policy?: 'process' | 'skip' | 'reject';
  /** How many keys to remember (the least recently seen are forgotten). @defaultValue 100000 */
  readonly maxKeys?: number;
}

/**
 * Wraps a per-record function to detect producer sequences that go backwards per key (SC-37): when a
 * record of key K carries sequence 41 after one carried 45, `onRegression` is told and `policy`
 * applies. A record the stream merely delivers again (its stream position is not after the one where
 * the highest sequence was seen) is no regression; nor is a record whose processing failed (only
 * processed records move the mark). Use it inside `parallelByKey`, which keeps each key in order:
 *
 * ```ts
 * handler: parallelByKey(detectSequenceRegressions(save, { sequenceOf: (r) => JSON.parse(text(r.data)).seq }))
 * ```
 *
 * The memory is per process: after a restart or a lease move, detection starts again from nothing.
 */
export function detectSequenceRegressions<R extends StreamPosition & { readonly partitionKey: string }, C>(
  processRecord: RecordFunction<R, C>,
  options: DetectSequenceRegressionsOptions<R>,
): (record: R, context: C) => Promise<unknown> {
  const detector = new SequenceRegressionDetector({ maxKeys: options.maxKeys });
  const keyOf = options.keyOf ?? ((record: R) => record.partitionKey);
  const policy = options.policy ?? 'process';
  return async (record, context) => {
    const sequence = toSequence(options.sequenceOf(record));
    if (sequence === undefined) return processRecord(record, context);
    const key = keyOf(record);
    const check = detector.check(key, sequence, record);
    if (check.kind === 'regression') {
      options.onRegression?.({ key, sequence, previous: check.previous, record });
      if (policy === 'skip') return undefined;
      if (policy === 'reject') throw new SequenceRegressionError(key, sequence, check.previous);
    }
    const result = await processRecord(record, context);
    detector.record(key, sequence, record);
    return result;
  };
}

function toSequence(value: bigint | number | string | undefined): bigint | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'bigint' && value >= 0n) return value;
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return BigInt(value);
  if (typeof value === 'string' && /^[0-9]+$/.test(value)) return BigInt(value);
  throw new ValidationError(
    'sequenceOf',
    'a non-negative integer (bigint, number or decimal string)',
    `got ${describeValue(value)}`,
    CoreErrorCode.INVALID_RECORD,
  );
}

function isLaterPosition(position: StreamPosition, mark: Mark): boolean {
  if (!isSequenceNumber(position.sequenceNumber) || !isSequenceNumber(mark.sequenceNumber)) return true;
  return (
    compareExtendedSequenceNumbers(
      { sequenceNumber: position.sequenceNumber, subSequenceNumber: position.subSequenceNumber ?? 0 },
      { sequenceNumber: mark.sequenceNumber, subSequenceNumber: mark.subSequenceNumber },
    ) > 0
  );
}
