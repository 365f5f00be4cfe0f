/**
 * What goes wrong during a soak, and when: the faults injected into the producer's and the workers'
 * clients (`@kinesis-ts/local`'s fault rules) and the schedule of kills, reshards and a lease-table
 * outage. Pure: the same options give the same plan; which worker or shard each step hits is drawn at
 * run time from the seeded `chaosRandom`.
 */
import type { DynamoDbFaultOptions, KinesisFaultOptions } from '@kinesis-ts/local';
import { mulberry32 } from '@kinesis-ts/local';
import type { SoakOptions } from './options.js';

/** Short, so that a killed worker's shards move within seconds (10 s by default). */
export const FAILOVER_TIME_MS = 3_000;
/** Share of the producer's PutRecords entries failed with ProvisionedThroughputExceededException. */
export const PUT_RECORDS_FAILURE_RATE = 0.1;
/** Share of the workers' lease-table writes throttled (ProvisionedThroughputExceededException). */
export const LEASE_WRITE_THROTTLE_RATE = 0.05;
/** Share of the workers' GetRecords calls throttled. */
export const GET_RECORDS_THROTTLE_RATE = 0.05;
/**
 * Share of the workers' GetRecords (and SubscribeToShard) calls answered with a transient
 * ResourceNotFoundException although the shard exists, as Kinesis may answer while a stream or its
 * shard map is being updated.
 */
export const TRANSIENT_NOT_FOUND_RATE = 0.002;
/** How long every lease-table call of the worker whose table hangs at the end waits. */
export const HUNG_LEASE_TABLE_DELAY_MS = 30_000;
/** The lease-table writes the workers make: renewals, takes, checkpoints, releases, new leases. */
const LEASE_WRITES = ['UpdateItem', 'PutItem', 'DeleteItem'];

/** What a worker's lease table does: answer (with some throttling), fail every write, or hang. */
export type LeaseTableMode = 'normal' | 'outage' | 'hung';

export interface SoakPlan {
  readonly failoverTimeMs: number;
  /** Each worker's `maxLeasesForWorker`: the open shards (one more after the split) shared by three, rounded up. */
  readonly maxLeasesForWorker: number;
  /** When a random running worker is killed with SIGKILL (and restarted), in ms after producing began. */
  readonly killsAtMs: readonly number[];
  /** When a random open shard is split. */
  readonly splitAtMs: number;
  /** When a random pair of adjacent open shards is merged. */
  readonly mergeAtMs: number;
  /** When every lease-table write of one random worker fails, and for how long (longer than the failover time). */
  readonly outage: { readonly atMs: number; readonly durationMs: number };
  /**
   * Right before the final graceful stop, every lease-table call of one random worker hangs for
   * HUNG_LEASE_TABLE_DELAY_MS: its stop must still end within the soak's stop timeout.
   */
  readonly hangOneLeaseTableAtStop: boolean;
  /** Faults of the producer's Kinesis client. */
  readonly producerFaults: KinesisFaultOptions;
  /** Picks the keys of the records. */
  readonly keyRandom: () => number;
  /** Picks the worker to kill and the shards to split and merge. */
  readonly chaosRandom: () => number;
}

export function planSoak(options: SoakOptions): SoakPlan {
  const durationMs = options.durationSeconds * 1_000;
  const killEveryMs = options.killEverySeconds * 1_000;
  const killsAtMs: number[] = [];
  for (let at = killEveryMs; at < durationMs; at += killEveryMs) killsAtMs.push(at);
  return {
    failoverTimeMs: FAILOVER_TIME_MS,
    maxLeasesForWorker: Math.ceil((options.shards + 1) / 3),
    killsAtMs,
    splitAtMs: Math.round(durationMs * 0.3),
    mergeAtMs: Math.round(durationMs * 0.6),
    outage: { atMs: Math.round(durationMs * 0.45), durationMs: Math.round(FAILOVER_TIME_MS * 2.5) },
    hangOneLeaseTableAtStop: true,
    producerFaults: {
      seed: options.seed,
      putRecordsFailures: {
        rate: PUT_RECORDS_FAILURE_RATE,
        errorCode: 'ProvisionedThroughputExceededException',
      },
    },
    keyRandom: mulberry32(options.seed),
    chaosRandom: mulberry32(options.seed ^ 0x9e3779b9),
  };
}

/** The faults of one worker process; `seed` differs per process so that they do not fail in step. */
export function workerFaults(
  seed: number,
  transientNotFound: boolean,
  leaseTable: LeaseTableMode = 'normal',
): { readonly dynamoDb: DynamoDbFaultOptions; readonly kinesis: KinesisFaultOptions } {
  return {
    dynamoDb: {
      seed,
      callErrors: [
        {
          operations: LEASE_WRITES,
          error: 'ProvisionedThroughputExceededException',
          rate: leaseTable === 'outage' ? 1 : LEASE_WRITE_THROTTLE_RATE,
        },
      ],
      latency: leaseTable === 'hung' ? [{ delayMs: HUNG_LEASE_TABLE_DELAY_MS }] : [],
    },
    kinesis: {
      seed,
      getRecordsThrottling: { rate: GET_RECORDS_THROTTLE_RATE },
      callErrors: [
        {
          operations: ['GetRecords', 'SubscribeToShard'],
          error: 'ResourceNotFoundException',
          rate: transientNotFound ? TRANSIENT_NOT_FOUND_RATE : 0,
        },
      ],
    },
  };
}

/** The fault seed of the `incarnation`-th process of worker slot `slot`. */
export function workerSeed(seed: number, slot: number, incarnation: number): number {
  return (seed + slot * 1_000 + incarnation) >>> 0;
}

/** Picks one element with `random`; undefined when there is none. */
export function pick<T>(items: readonly T[], random: () => number): T | undefined {
  if (items.length === 0) return undefined;
  return items[Math.floor(random() * items.length)];
}
