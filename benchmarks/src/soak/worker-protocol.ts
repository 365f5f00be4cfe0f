/** What the soak's driver and its worker processes say to each other (the deliveries go to files). */

/** Given to a worker process as its one JSON argument. */
export interface WorkerConfig {
  /** Unique per process: `w<slot>.<incarnation>`, so a restarted worker is a new lease owner. */
  readonly workerId: string;
  /** The worker's append-only delivery log (delivery-log.ts). */
  readonly logFile: string;
  readonly kinesisEndpoint: string;
  readonly dynamoDbEndpoint: string;
  readonly streamName: string;
  readonly applicationName: string;
  readonly failoverTimeMs: number;
  readonly maxLeasesForWorker: number;
  readonly faultSeed: number;
  /** Answer some reads with a transient ResourceNotFoundException (fault-plan.ts). */
  readonly transientNotFound: boolean;
  readonly retrieval: 'polling' | 'fan-out';
  /** The handler waits up to this long per batch (seeded), as real processing would. */
  readonly maxBatchDelayMs: number;
}

/** Driver → worker. */
export type DriverMessage =
  | { readonly type: 'stop' }
  /** Fail every lease-table write of this worker for `durationMs`. */
  | { readonly type: 'outage'; readonly durationMs: number }
  /** From now on, every lease-table call of this worker hangs (fault-plan.ts). */
  | { readonly type: 'hang-lease-table' };

/** Worker → driver. */
export type WorkerMessage = { readonly type: 'started' } | { readonly type: 'stopped' };
