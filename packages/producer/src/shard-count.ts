import {
  CoreErrorCode,
  describeValue,
  SHARD_READ_BYTES_PER_SECOND,
  SHARD_WRITE_BYTES_PER_SECOND,
  ValidationError,
} from '@kinesis-ts/core';

/** The write load a stream must carry. */
export interface WriteLoad {
  /** Records per second. @defaultValue 0 */
  readonly recordsPerSecond?: number;
  /** Payload per second, in MiB (the unit of the shard limit, 1 MiB/s). Give this or `recordBytes`. */
  readonly mibPerSecond?: number;
  /** Average record size in bytes, to derive the payload from `recordsPerSecond`. */
  readonly recordBytes?: number;
  /** Spare capacity for bursts, as a fraction: 0.2 adds 20 %. @defaultValue 0 */
  readonly headroom?: number;
}

/**
 * The shards a stream needs for a write load: `ceil(max(MiB/s ÷ 1, records/s ÷ 1000) × (1 + headroom))`,
 * at least 1. Both shard limits bind at once, whichever is reached first.
 *
 * ```ts
 * requiredShards({ mibPerSecond: 5, recordsPerSecond: 1000 });                 // 5
 * requiredShards({ recordsPerSecond: 100_000, recordBytes: 1000, headroom: 0.2 }); // 120
 * ```
 */
export function requiredShards(load: WriteLoad): number {
  const recordsPerSecond = nonNegative('recordsPerSecond', load.recordsPerSecond ?? 0);
  const headroom = nonNegative('headroom', load.headroom ?? 0);
  let mibPerSecond = nonNegative('mibPerSecond', load.mibPerSecond ?? 0);
  if (load.recordBytes !== undefined) {
    const fromRecords =
      (recordsPerSecond * nonNegative('recordBytes', load.recordBytes)) / SHARD_WRITE_BYTES_PER_SECOND;
    mibPerSecond = Math.max(mibPerSecond, fromRecords);
  }
  const base = Math.max(mibPerSecond, recordsPerSecond / 1000);
  // Round away floating-point dust (0.1 × 3 = 0.30000000000000004) before taking the ceiling.
  return Math.max(1, Math.ceil(Number((base * (1 + headroom)).toFixed(9))));
}

/** Whether polling readers of a stream would exceed the shared 2 MiB/s per shard, and what to do. */
export interface ReadCapacityCheck {
  /** Read demand per shard, MiB/s, all polling applications together. */
  readonly demandMibPerShard: number;
  /** Whether that exceeds the 2 MiB/s a shard serves to shared-throughput readers. */
  readonly exceeded: boolean;
  /** What to do about it, when exceeded. */
  readonly advice?: string;
}

/**
 * Checks that the polling (non-fan-out) applications reading a stream stay within each shard's
 * shared 2 MiB/s: `sum(read demand) ≤ 2 MiB/s` per shard; past it, use enhanced fan-out or add shards.
 *
 * @param writeMibPerSecond the stream's write rate, MiB/s.
 * @param shards the stream's shard count.
 * @param pollingApplications how many applications poll every record (fan-out ones do not count).
 */
export function checkReadCapacity(
  writeMibPerSecond: number,
  shards: number,
  pollingApplications: number,
): ReadCapacityCheck {
  nonNegative('writeMibPerSecond', writeMibPerSecond);
  const demandMibPerShard =
    (writeMibPerSecond / Math.max(1, shards)) * nonNegative('pollingApplications', pollingApplications);
  const limitMib = SHARD_READ_BYTES_PER_SECOND / (1024 * 1024);
  return demandMibPerShard > limitMib
    ? { demandMibPerShard, exceeded: true, advice: 'use enhanced fan-out or add shards' }
    : { demandMibPerShard, exceeded: false };
}

function nonNegative(field: string, value: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new ValidationError(
      field,
      'a finite number ≥ 0',
      `got ${describeValue(value)}`,
      CoreErrorCode.INVALID_OPTION,
    );
  }
  return value;
}
