import type { EntryFigures } from './pipeline/entry-figures.js';

/** A running statistic: how many samples, their sum, smallest and largest. */
export interface Statistic {
  readonly count: number;
  readonly sum: number;
  readonly min: number;
  readonly max: number;
  readonly average: number;
}

/**
 * The producer's metrics for one shard or for the whole stream, named as the KPL names them. Counts
 * are totals since the producer started.
 */
export interface ProducerMetricSet {
  /** User records written. */
  readonly UserRecordsPut: number;
  /** Bytes of user data written. */
  readonly UserRecordsDataPut: number;
  /** Kinesis records (aggregates or single records) written. */
  readonly KinesisRecordsPut: number;
  /** Bytes of Kinesis records written, framing included. */
  readonly KinesisRecordsDataPut: number;
  /** Failed entries and failed requests, by error code. */
  readonly ErrorsByCode: Readonly<Record<string, number>>;
  /** Failed entries and failed requests, all codes. */
  readonly AllErrors: number;
  /** Attempts beyond the first, per finished user record. */
  readonly RetriesPerRecord: Statistic;
  /** User records that failed with `RECORD_EXPIRED`. */
  readonly UserRecordExpired: number;
  /** User records given up on for any reason. */
  readonly UserRecordsFailed: number;
  /** Milliseconds a user record waited before each attempt. */
  readonly BufferingTime: Statistic;
  /** User records per Kinesis record written. */
  readonly UserRecordsPerKinesisRecord: Statistic;
}

/** The stream-level metrics, with those the KPL keeps only per stream. */
export interface ProducerStreamMetrics extends ProducerMetricSet {
  /** User records accepted by `put`. */
  readonly UserRecordsReceived: number;
  /** User records buffered or in flight now. */
  readonly UserRecordsPending: number;
  /** Bytes buffered or in flight now. */
  readonly UserRecordsPendingBytes: number;
  /** `PutRecords` durations in milliseconds. */
  readonly RequestTime: Statistic;
  /** Kinesis records per `PutRecords` request. */
  readonly KinesisRecordsPerPutRecordsRequest: Statistic;
  /** User records per `PutRecords` request. */
  readonly UserRecordsPerPutRecordsRequest: Statistic;
}

/** A snapshot of {@link KinesisProducer.metrics}. */
export interface ProducerMetrics {
  readonly stream: ProducerStreamMetrics;
  /** Per shard id; records sent without a shard map are under `"unpredicted"`. */
  readonly shards: Readonly<Record<string, ProducerMetricSet>>;
}

class RunningStatistic {
  count = 0;
  sum = 0;
  min = Number.POSITIVE_INFINITY;
  max = Number.NEGATIVE_INFINITY;

  add(value: number): void {
    this.count++;
    this.sum += value;
    if (value < this.min) this.min = value;
    if (value > this.max) this.max = value;
  }

  /** Adds every value of `values` at once (the same as adding each; the caller visits the values once). */
  addAll(values: RunningStatistic): void {
    this.count += values.count;
    this.sum += values.sum;
    if (values.min < this.min) this.min = values.min;
    if (values.max > this.max) this.max = values.max;
  }

  snapshot(): Statistic {
    return this.count === 0
      ? { count: 0, sum: 0, min: 0, max: 0, average: 0 }
      : { count: this.count, sum: this.sum, min: this.min, max: this.max, average: this.sum / this.count };
  }
}

class MetricCounters {
  userRecordsPut = 0;
  userRecordsDataPut = 0;
  kinesisRecordsPut = 0;
  kinesisRecordsDataPut = 0;
  readonly errorsByCode = new Map<string, number>();
  allErrors = 0;
  readonly retriesPerRecord = new RunningStatistic();
  userRecordExpired = 0;
  userRecordsFailed = 0;
  readonly bufferingTime = new RunningStatistic();
  readonly userRecordsPerKinesisRecord = new RunningStatistic();

  snapshot(): ProducerMetricSet {
    return {
      UserRecordsPut: this.userRecordsPut,
      UserRecordsDataPut: this.userRecordsDataPut,
      KinesisRecordsPut: this.kinesisRecordsPut,
      KinesisRecordsDataPut: this.kinesisRecordsDataPut,
      ErrorsByCode: Object.fromEntries(this.errorsByCode),
      AllErrors: this.allErrors,
      RetriesPerRecord: this.retriesPerRecord.snapshot(),
      UserRecordExpired: this.userRecordExpired,
      UserRecordsFailed: this.userRecordsFailed,
      BufferingTime: this.bufferingTime.snapshot(),
      UserRecordsPerKinesisRecord: this.userRecordsPerKinesisRecord.snapshot(),
    };
  }
}

/** The name under which records sent without a shard map are counted. */
export const UNPREDICTED_SHARD = 'unpredicted';

/** Collects the producer's metrics at stream and shard level. */
export class MetricsRecorder {
  private readonly stream = new MetricCounters();
  private readonly shards = new Map<string, MetricCounters>();
  private received = 0;
  private readonly requestTime = new RunningStatistic();
  private readonly kinesisRecordsPerRequest = new RunningStatistic();
  private readonly userRecordsPerRequest = new RunningStatistic();
  /** One entry's figures (from its `EntryFigures`), made once before they are added at stream and shard level. */
  private readonly scratch = new RunningStatistic();

  recordReceived(): void {
    this.received++;
  }

  /** An entry's records were sent at `startedAt`: each waited since its last attempt (or arrival). */
  attemptsStarted(shardId: string | undefined, records: EntryFigures, startedAt: number): void {
    const waited = this.scratch;
    waited.count = records.count;
    waited.sum = records.waitedSumMs(startedAt);
    waited.min = startedAt - records.latestLastEndedAt;
    waited.max = startedAt - records.earliestLastEndedAt;
    this.stream.bufferingTime.addAll(waited);
    this.shard(shardId).bufferingTime.addAll(waited);
  }

  requestCompleted(durationMs: number, kinesisRecords: number, userRecords: number): void {
    this.requestTime.add(durationMs);
    this.kinesisRecordsPerRequest.add(kinesisRecords);
    this.userRecordsPerRequest.add(userRecords);
  }

  /** An entry (one Kinesis record) of `bytes` was written, with its user records (`records`: their figures before this attempt). */
  entryWritten(shardId: string, bytes: number, records: EntryFigures): void {
    const retries = this.scratch;
    retries.count = records.count;
    retries.sum = records.failedAttemptsSum;
    retries.min = records.fewestFailedAttempts;
    retries.max = records.mostFailedAttempts;
    for (const counters of [this.stream, this.shard(shardId)]) {
      counters.kinesisRecordsPut++;
      counters.kinesisRecordsDataPut += bytes;
      counters.userRecordsPerKinesisRecord.add(records.count);
      counters.userRecordsPut += records.count;
      counters.userRecordsDataPut += records.dataBytes;
      counters.retriesPerRecord.addAll(retries);
    }
  }

  /** A whole `PutRecords` call failed: counted once, at stream level. */
  requestFailed(code: string): void {
    this.stream.errorsByCode.set(code, (this.stream.errorsByCode.get(code) ?? 0) + 1);
    this.stream.allErrors++;
  }

  /** An entry failed: counted at stream and shard level. */
  error(shardId: string | undefined, code: string): void {
    for (const counters of [this.stream, this.shard(shardId)]) {
      counters.errorsByCode.set(code, (counters.errorsByCode.get(code) ?? 0) + 1);
      counters.allErrors++;
    }
  }

  userRecordFailed(shardId: string | undefined, attempts: number, expired: boolean): void {
    for (const counters of [this.stream, this.shard(shardId)]) {
      counters.userRecordsFailed++;
      if (expired) counters.userRecordExpired++;
      counters.retriesPerRecord.add(Math.max(0, attempts - 1));
    }
  }

  snapshot(pendingRecords: number, pendingBytes: number): ProducerMetrics {
    return {
      stream: {
        ...this.stream.snapshot(),
        UserRecordsReceived: this.received,
        UserRecordsPending: pendingRecords,
        UserRecordsPendingBytes: pendingBytes,
        RequestTime: this.requestTime.snapshot(),
        KinesisRecordsPerPutRecordsRequest: this.kinesisRecordsPerRequest.snapshot(),
        UserRecordsPerPutRecordsRequest: this.userRecordsPerRequest.snapshot(),
      },
      shards: Object.fromEntries(
        [...this.shards].map(([shardId, counters]) => [shardId, counters.snapshot()]),
      ),
    };
  }

  private shard(shardId: string | undefined): MetricCounters {
    const key = shardId ?? UNPREDICTED_SHARD;
    let counters = this.shards.get(key);
    if (counters === undefined) {
      counters = new MetricCounters();
      this.shards.set(key, counters);
    }
    return counters;
  }
}
