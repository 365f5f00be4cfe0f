/** Hand-made metrics snapshots with the producer's and consumer's shapes. */
import type {
  ConsumerMetricsSnapshot,
  CumulativeStatistic,
  ProducerMetricSetSnapshot,
  ProducerMetricsSnapshot,
} from '../src/index.js';

export const stat = (count: number, sum: number, min: number, max: number): CumulativeStatistic => ({
  count,
  sum,
  min,
  max,
});

export function producerSet(
  put: number,
  extra: Partial<ProducerMetricSetSnapshot> = {},
): ProducerMetricSetSnapshot {
  return {
    UserRecordsPut: put,
    UserRecordsDataPut: put * 100,
    KinesisRecordsPut: Math.ceil(put / 10),
    KinesisRecordsDataPut: put * 110,
    ErrorsByCode: {},
    AllErrors: 0,
    RetriesPerRecord: stat(put, 0, 0, 0),
    UserRecordExpired: 0,
    UserRecordsFailed: 0,
    BufferingTime: stat(put, put * 50, 10, 90),
    UserRecordsPerKinesisRecord: stat(Math.ceil(put / 10), put, 10, 10),
    ...extra,
  };
}

export function producerSnapshot(
  shards: Record<string, ProducerMetricSetSnapshot>,
  extra: Partial<ProducerMetricsSnapshot['stream']> = {},
): ProducerMetricsSnapshot {
  const total = Object.values(shards).reduce((sum, set) => sum + set.UserRecordsPut, 0);
  return {
    stream: {
      ...producerSet(total),
      UserRecordsReceived: total,
      UserRecordsPending: 0,
      RequestTime: stat(2, 40, 15, 25),
      KinesisRecordsPerPutRecordsRequest: stat(2, 10, 5, 5),
      UserRecordsPerPutRecordsRequest: stat(2, total, total / 2, total / 2),
      ...extra,
    },
    shards,
  };
}

export function consumerSnapshot(
  recordsByShard: Record<string, number>,
  lagByShard: Record<string, number> = {},
  sinceProgressByShard: Record<string, number> = {},
): ConsumerMetricsSnapshot {
  const total = Object.values(recordsByShard).reduce((a, b) => a + b, 0);
  return {
    workerId: 'worker-1',
    CurrentLeases: Object.keys(recordsByShard).length,
    TotalLeases: 4,
    NumWorkers: 2,
    NeededLeases: 0,
    LeaseSpillover: 0,
    TakenLeases: 2,
    StolenLeases: 0,
    LostLeases: 0,
    RenewalFailures: 0,
    RecordsProcessed: total,
    DataBytesProcessed: total * 10,
    MillisBehindLatest: Math.max(0, ...Object.values(lagByShard)),
    Checkpoints: 3,
    PoisonRecords: 0,
    shards: Object.fromEntries(
      Object.entries(recordsByShard).map(([shardId, records]) => [
        shardId,
        {
          MillisBehindLatest: lagByShard[shardId],
          RecordsProcessed: records,
          DataBytesProcessed: records * 10,
          GetRecordsCalls: 5,
          ExpiredIterator: 0,
          ThrottledCalls: 0,
          RetrievalErrors: 0,
          ProcessingFailures: 0,
          PoisonRecords: 0,
          MillisSinceLastProgress: sinceProgressByShard[shardId],
        },
      ]),
    ),
  };
}
