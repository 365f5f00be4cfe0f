import { type UserRecord, validateUserRecord } from '@kinesis-ts/core';
import { BufferFullError, ProducerClosedError } from '../errors.js';
import type { ResolvedProducerOptions } from '../options.js';
import { Fifo } from './fifo.js';
import { HashKeyCache, type KeyFacts } from './hash-key-cache.js';
import {
  isAdmitted,
  markAdmitted,
  newPendingRecord,
  type PendingRecord,
  type RecordArrival,
  type RecordSettler,
  setDueAt,
} from './pending-record.js';

/** The options admission works with. */
export type AdmissionLimits = Pick<
  ResolvedProducerOptions,
  | 'maxRecordSizeBytes'
  | 'recordTtlMs'
  | 'maxBufferedTimeMs'
  | 'maxBufferedRecords'
  | 'maxBufferedBytes'
  | 'whenBufferFull'
>;

/**
 * Admission's limits taken from the options, but for the record size limit, asked of `recordSizeLimit`
 * each time (it changes once the stream's own limit is read). A class, not an object spreading the
 * options next to a getter: that one was a dictionary-mode object, a hash lookup per field read on
 * every record.
 */
export class LiveAdmissionLimits implements AdmissionLimits {
  readonly recordTtlMs: number;
  readonly maxBufferedTimeMs: number;
  readonly maxBufferedRecords: number;
  readonly maxBufferedBytes: number;
  readonly whenBufferFull: AdmissionLimits['whenBufferFull'];

  constructor(
    options: Omit<AdmissionLimits, 'maxRecordSizeBytes'>,
    private readonly recordSizeLimit: () => number,
  ) {
    this.recordTtlMs = options.recordTtlMs;
    this.maxBufferedTimeMs = options.maxBufferedTimeMs;
    this.maxBufferedRecords = options.maxBufferedRecords;
    this.maxBufferedBytes = options.maxBufferedBytes;
    this.whenBufferFull = options.whenBufferFull;
  }

  get maxRecordSizeBytes(): number {
    return this.recordSizeLimit();
  }
}

/** What admission tells the rest of the pipeline. */
export interface AdmissionCallbacks {
  /** A record entered the buffer (counted in its limits): route it to its shard lane. */
  readonly admitted: (record: PendingRecord) => void;
  /** A record found the buffer full (or others already waiting for room). */
  readonly bufferFull: (bufferedRecords: number, bufferedBytes: number) => void;
  /** The first record began to wait for room: look again in `delayMs` to fail it on time. */
  readonly recheckIn: (delayMs: number) => void;
}

/**
 * The first stage: validates each record `put` is given, turns it into a {@link PendingRecord}, and
 * admits it into the bounded buffer (`maxBufferedRecords`, `maxBufferedBytes`), or makes it wait for
 * room in put order, or refuses it (`whenBufferFull: 'reject'`, or after close). Keeps the buffer's
 * counts, which go down as records settle (`release`).
 */
export class Admission {
  /** Records accepted into the buffer and not settled yet. */
  private admittedCount = 0;
  private bufferedBytes = 0;
  /** Records waiting for room (`whenBufferFull: 'wait'`), in put order. */
  private readonly waitingForRoom = new Fifo<PendingRecord>();
  private readonly capacityWaiters = new Fifo<() => void>();
  private readonly hashKeys = new HashKeyCache();
  private nextSequence = 1;
  private closed = false;
  /** The times of the records accepted in the last millisecond a record was accepted in (shared by them). */
  private arrival: RecordArrival = { arrivedAt: Number.NaN, expiresAt: Number.NaN, dueAt: Number.NaN };

  constructor(
    private readonly limits: AdmissionLimits,
    private readonly callbacks: AdmissionCallbacks,
  ) {}

  /** Records in the buffer (buffered or in flight), plus those waiting for room. */
  get outstandingRecords(): number {
    return this.admittedCount + this.waitingForRoom.length;
  }

  /** Bytes (data plus partition keys) of the records in the buffer. */
  get outstandingBytes(): number {
    return this.bufferedBytes;
  }

  /** The put sequence of the last record accepted (0 before the first). */
  get lastSequence(): number {
    return this.nextSequence - 1;
  }

  /** When the oldest record waiting for room reaches its time to live (Infinity when none waits). */
  get nextWaitingExpiry(): number {
    return this.waitingForRoom.peek()?.arrival.expiresAt ?? Number.POSITIVE_INFINITY;
  }

  /**
   * Validates a record and admits it to the buffer (or the wait for room); `settler` hears how it
   * ends, told `slot` (the record's index in a `putMany` batch, 0 for `put`). `now` is when it
   * arrived (a `putMany` batch reads the clock once for all its records).
   */
  accept(record: UserRecord, settler: RecordSettler, slot = 0, now = Date.now()): void {
    if (this.closed) {
      settler.reject(new ProducerClosedError(), slot);
      return;
    }
    let partitionKey: string;
    let data: Uint8Array;
    let explicitHashKey: string | undefined;
    let hashKey: bigint;
    let sizeBytes: number;
    const maxRecordSizeBytes = this.limits.maxRecordSizeBytes;
    const known = this.knownKeyFacts(record);
    if (known !== undefined && record.data.byteLength + known.utf8Bytes <= maxRecordSizeBytes) {
      // The key passed validation when first seen; the rest of the record was checked just now.
      partitionKey = known.partitionKey; // the one string of this key (see KeyFacts)
      data = record.data;
      explicitHashKey = undefined;
      hashKey = known.hashKey;
      sizeBytes = record.data.byteLength + known.utf8Bytes;
    } else {
      let validated: ReturnType<typeof validateUserRecord>;
      try {
        validated = validateUserRecord(record, maxRecordSizeBytes);
      } catch (error) {
        settler.reject(error, slot);
        return;
      }
      partitionKey = validated.partitionKey;
      data = validated.data;
      explicitHashKey = validated.explicitHashKey;
      hashKey =
        explicitHashKey === undefined ? this.hashKeys.facts(partitionKey).hashKey : BigInt(explicitHashKey);
      sizeBytes = validated.sizeBytes;
    }
    const pending = newPendingRecord(
      record,
      partitionKey,
      data,
      explicitHashKey,
      hashKey,
      sizeBytes,
      this.nextSequence++,
      this.arrivalAt(now),
      settler,
      slot,
    );
    if (this.waitingForRoom.length === 0 && this.hasRoomFor(pending)) {
      this.admit(pending);
      return;
    }
    this.callbacks.bufferFull(this.admittedCount, this.bufferedBytes);
    if (this.limits.whenBufferFull === 'reject') {
      settler.reject(new BufferFullError(record, this.describeLimits()), slot);
      return;
    }
    this.waitingForRoom.push(pending);
    // The oldest waiting record is failed when its time to live is over, even if nothing else happens.
    if (this.waitingForRoom.length === 1 && Number.isFinite(this.limits.recordTtlMs)) {
      this.callbacks.recheckIn(this.limits.recordTtlMs);
    }
  }

  /** Resolves when the buffer has room for another record and nothing waits for room. */
  waitForCapacity(): Promise<void> {
    if (this.waitingForRoom.length === 0 && this.hasRoomFor(undefined)) return Promise.resolve();
    return new Promise((resolve) => this.capacityWaiters.push(resolve));
  }

  /** Refuses every record from now on with `ProducerClosedError`. */
  refuseNewRecords(): void {
    this.closed = true;
  }

  /** A record settled: frees its room in the buffer (a record that never got in held none). */
  release(record: PendingRecord): void {
    if (isAdmitted(record)) {
      this.admittedCount--;
      this.bufferedBytes -= record.sizeBytes;
    }
  }

  /** `count` records of `bytes` in all, every one of them in the buffer, settled together (a written entry). */
  releaseAdmitted(count: number, bytes: number): void {
    this.admittedCount -= count;
    this.bufferedBytes -= bytes;
  }

  /** A buffered record's size changed by `deltaBytes` (its data was replaced by the `oversizedRecords` hook). */
  resized(record: PendingRecord, deltaBytes: number): void {
    if (isAdmitted(record)) this.bufferedBytes += deltaBytes;
  }

  /** Lets records waiting for room into the room there is, in put order, then wakes `waitForCapacity`. */
  admitWaiting(): void {
    let now: number | undefined;
    while (this.waitingForRoom.length > 0 && this.hasRoomFor(this.waitingForRoom.peek())) {
      const record = this.waitingForRoom.shift()!;
      now ??= Date.now();
      // The wait for room does not count against the buffering time.
      setDueAt(record, now + this.limits.maxBufferedTimeMs);
      this.admit(record);
    }
    while (
      this.capacityWaiters.length > 0 &&
      this.waitingForRoom.length === 0 &&
      this.hasRoomFor(undefined)
    ) {
      this.capacityWaiters.shift()!();
    }
  }

  /** Takes out the records waiting for room whose time to live is over at `now`, oldest first. */
  expireWaiting(now: number, expired: (record: PendingRecord) => void): void {
    // In put order, so the oldest are first.
    while (this.waitingForRoom.length > 0 && this.waitingForRoom.peek()!.arrival.expiresAt <= now) {
      expired(this.waitingForRoom.shift()!);
    }
  }

  /**
   * The remembered facts of the record's partition key when the record needs no validation beyond
   * its size: an object whose key was validated before, without an explicit hash key, whose data is
   * a `Uint8Array`. Any other record (undefined) goes through `validateUserRecord`, which also words
   * the error of a bad one. This spares the key's checks, its UTF-8 length and a result object per
   * record, the common case of a producer that sees the same keys again and again.
   */
  private knownKeyFacts(record: UserRecord): KeyFacts | undefined {
    if (typeof record !== 'object' || record === null) return undefined;
    const { partitionKey } = record;
    if (typeof partitionKey !== 'string' || record.explicitHashKey !== undefined) return undefined;
    if (!(record.data instanceof Uint8Array)) return undefined;
    return this.hashKeys.known(partitionKey);
  }

  /** The arrival of a record accepted at `now`: the last one made, if it was made for the same millisecond. */
  private arrivalAt(now: number): RecordArrival {
    if (this.arrival.arrivedAt !== now) {
      this.arrival = {
        arrivedAt: now,
        expiresAt: now + this.limits.recordTtlMs,
        dueAt: now + this.limits.maxBufferedTimeMs,
      };
    }
    return this.arrival;
  }

  private hasRoomFor(record: PendingRecord | undefined): boolean {
    const size = record?.sizeBytes ?? 0;
    return (
      this.admittedCount < this.limits.maxBufferedRecords &&
      this.bufferedBytes + size <= this.limits.maxBufferedBytes
    );
  }

  private describeLimits(): string {
    return `maxBufferedRecords ${this.limits.maxBufferedRecords}, maxBufferedBytes ${this.limits.maxBufferedBytes}`;
  }

  private admit(record: PendingRecord): void {
    markAdmitted(record);
    this.admittedCount++;
    this.bufferedBytes += record.sizeBytes;
    this.callbacks.admitted(record);
  }
}
