/**
 * The shapes of the snapshots this package reads, structurally: `KinesisProducer.metrics()` from
 * @kinesis-ts/producer and `KinesisConsumer.metrics()` from @kinesis-ts/consumer (neither package is a
 * dependency; their snapshots fit these types).
 */

/** A running statistic since start. */
export interface CumulativeStatistic {
  readonly count: number;
  readonly sum: number;
  readonly min: number;
  readonly max: number;
}

/** The producer metrics of a stream or a shard. */
export interface ProducerMetricSetSnapshot {
  readonly UserRecordsPut: number;
  readonly UserRecordsDataPut: number;
  readonly KinesisRecordsPut: number;
  readonly KinesisRecordsDataPut: number;
  readonly ErrorsByCode: Readonly<Record<string, number>>;
  readonly AllErrors: number;
  readonly RetriesPerRecord: CumulativeStatistic;
  readonly UserRecordExpired: number;
  readonly UserRecordsFailed: number;
  readonly BufferingTime: CumulativeStatistic;
  readonly UserRecordsPerKinesisRecord: CumulativeStatistic;
}

/** `KinesisProducer.metrics()`. */
export interface ProducerMetricsSnapshot {
  readonly stream: ProducerMetricSetSnapshot & {
    readonly UserRecordsReceived: number;
    readonly UserRecordsPending: number;
    readonly RequestTime: CumulativeStatistic;
    readonly KinesisRecordsPerPutRecordsRequest: CumulativeStatistic;
    readonly UserRecordsPerPutRecordsRequest: CumulativeStatistic;
  };
  readonly shards: Readonly<Record<string, ProducerMetricSetSnapshot>>;
}

/** A shard's figures in `KinesisConsumer.metrics()`. */
export interface ConsumerShardMetricsSnapshot {
  /** The shard's id (the entry's key, unless the stream prefixes it). */
  readonly shardId?: string;
  /** Multi-stream consumers: the shard's stream, published as the `StreamName` dimension. */
  readonly streamName?: string;
  readonly MillisBehindLatest: number | undefined;
  readonly RecordsProcessed: number;
  readonly DataBytesProcessed: number;
  readonly GetRecordsCalls: number;
  readonly ExpiredIterator: number;
  readonly ThrottledCalls: number;
  readonly RetrievalErrors: number;
  readonly ProcessingFailures: number;
  readonly PoisonRecords: number;
  /** How long ago the shard last made progress, in ms (absent from consumers before it existed). */
  readonly MillisSinceLastProgress?: number | undefined;
}

/** `KinesisConsumer.metrics()`. */
export interface ConsumerMetricsSnapshot {
  readonly workerId: string;
  readonly CurrentLeases: number;
  readonly TotalLeases: number;
  readonly NumWorkers: number;
  readonly NeededLeases: number;
  readonly LeaseSpillover: number;
  readonly TakenLeases: number;
  readonly StolenLeases: number;
  readonly LostLeases: number;
  readonly RenewalFailures: number;
  readonly RecordsProcessed: number;
  readonly DataBytesProcessed: number;
  readonly MillisBehindLatest: number | undefined;
  readonly Checkpoints: number;
  readonly PoisonRecords: number;
  readonly shards: Readonly<Record<string, ConsumerShardMetricsSnapshot>>;
}

/** Something with a metrics snapshot: a `KinesisProducer` or a `KinesisConsumer`. */
export interface MetricsSource {
  metrics(): ProducerMetricsSnapshot | ConsumerMetricsSnapshot;
}

/** Whether a snapshot is a producer's. */
export function isProducerSnapshot(snapshot: unknown): snapshot is ProducerMetricsSnapshot {
  const value = snapshot as Partial<ProducerMetricsSnapshot> | undefined;
  return (
    typeof value?.stream === 'object' &&
    typeof value.shards === 'object' &&
    !('workerId' in (value as object))
  );
}

/** Whether a snapshot is a consumer's. */
export function isConsumerSnapshot(snapshot: unknown): snapshot is ConsumerMetricsSnapshot {
  const value = snapshot as Partial<ConsumerMetricsSnapshot> | undefined;
  return typeof value?.workerId === 'string' && typeof value.shards === 'object';
}
