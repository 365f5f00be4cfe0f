import type { Attributes, BatchObservableCallback, Meter, Observable } from '@opentelemetry/api';
import { MetricsError, MetricsErrorCode } from './errors.js';
import {
  type ConsumerMetricsSnapshot,
  isConsumerSnapshot,
  isProducerSnapshot,
  type MetricsSource,
  type ProducerMetricsSnapshot,
} from './metric-sources.js';

/** Options of {@link bridgeToOpenTelemetry}. */
export interface OpenTelemetryTarget {
  /** A meter from `@opentelemetry/api` (`metrics.getMeter('orders-service')`), an optional peer dependency. */
  readonly meter: Meter;
  /** Prefix of every instrument name. @defaultValue 'kinesis.producer.' for a producer, 'kinesis.consumer.' for a consumer */
  readonly prefix?: string;
  /** Attributes added to every observation (`StreamName` is a good one for a producer). */
  readonly attributes?: Attributes;
}

/** A registered bridge; `stop()` unregisters its callback. */
export interface OpenTelemetryBridge {
  stop(): void;
}

interface Instrument {
  readonly observable: Observable;
  readonly read: (snapshot: never, observe: (value: number, attributes?: Attributes) => void) => void;
}

/**
 * Exposes a producer's or a consumer's `metrics()` as OpenTelemetry instruments with the KPL/KCL
 * names (`kinesis.producer.UserRecordsPut`…), read once per collection by a batch callback: totals as
 * observable counters, current values (pending records, leases, `MillisBehindLatest` per `ShardId`) as
 * observable gauges, statistics as `<name>.sum` and `<name>.count` counters (their ratio over a window
 * is the average). Nothing is sent anywhere until the application's OpenTelemetry SDK collects.
 */
export function bridgeToOpenTelemetry(
  source: MetricsSource,
  target: OpenTelemetryTarget,
): OpenTelemetryBridge {
  const snapshot = source.metrics();
  const { meter } = target;
  const base = target.attributes ?? {};
  const instruments: Instrument[] = [];
  const counter = <S>(name: string, unit: string, read: (s: S) => number) => {
    instruments.push({
      observable: meter.createObservableCounter(`${prefix}${name}`, { unit }),
      read: (s: never, observe) => observe(read(s as S)),
    });
  };
  const gauge = (name: string, unit: string, read: Instrument['read']) => {
    instruments.push({ observable: meter.createObservableGauge(`${prefix}${name}`, { unit }), read });
  };
  let prefix: string;
  if (isProducerSnapshot(snapshot)) {
    prefix = target.prefix ?? 'kinesis.producer.';
    type P = ProducerMetricsSnapshot;
    for (const [name, unit] of [
      ['UserRecordsReceived', '{record}'],
      ['UserRecordsPut', '{record}'],
      ['UserRecordsDataPut', 'By'],
      ['KinesisRecordsPut', '{record}'],
      ['KinesisRecordsDataPut', 'By'],
      ['AllErrors', '{error}'],
      ['UserRecordExpired', '{record}'],
      ['UserRecordsFailed', '{record}'],
    ] as const) {
      counter<P>(name, unit, (s) => s.stream[name]);
    }
    instruments.push({
      observable: meter.createObservableCounter(`${prefix}ErrorsByCode`, { unit: '{error}' }),
      read: (s: never, observe) => {
        for (const [code, count] of Object.entries((s as P).stream.ErrorsByCode))
          observe(count, { ErrorCode: code });
      },
    });
    for (const [name, unit] of [
      ['BufferingTime', 'ms'],
      ['RequestTime', 'ms'],
      ['RetriesPerRecord', '{retry}'],
      ['UserRecordsPerKinesisRecord', '{record}'],
      ['KinesisRecordsPerPutRecordsRequest', '{record}'],
      ['UserRecordsPerPutRecordsRequest', '{record}'],
    ] as const) {
      counter<P>(`${name}.sum`, unit, (s) => s.stream[name].sum);
      counter<P>(`${name}.count`, '{sample}', (s) => s.stream[name].count);
    }
    gauge('UserRecordsPending', '{record}', (s: never, observe) =>
      observe((s as P).stream.UserRecordsPending),
    );
    instruments.push({
      observable: meter.createObservableCounter(`${prefix}UserRecordsPutByShard`, { unit: '{record}' }),
      read: (s: never, observe) => {
        for (const [shardId, set] of Object.entries((s as P).shards))
          observe(set.UserRecordsPut, { ShardId: shardId });
      },
    });
  } else if (isConsumerSnapshot(snapshot)) {
    prefix = target.prefix ?? 'kinesis.consumer.';
    type C = ConsumerMetricsSnapshot;
    for (const [name, unit] of [
      ['RecordsProcessed', '{record}'],
      ['DataBytesProcessed', 'By'],
      ['TakenLeases', '{lease}'],
      ['StolenLeases', '{lease}'],
      ['LostLeases', '{lease}'],
      ['RenewalFailures', '{failure}'],
      ['Checkpoints', '{checkpoint}'],
      ['PoisonRecords', '{record}'],
    ] as const) {
      counter<C>(name, unit, (s) => s[name]);
    }
    for (const name of [
      'CurrentLeases',
      'TotalLeases',
      'NumWorkers',
      'NeededLeases',
      'LeaseSpillover',
    ] as const) {
      gauge(name, '{lease}', (s: never, observe) => observe((s as C)[name]));
    }
    gauge('MillisBehindLatest', 'ms', (s: never, observe) => {
      for (const [shardId, shard] of Object.entries((s as C).shards)) {
        if (shard.MillisBehindLatest !== undefined) observe(shard.MillisBehindLatest, { ShardId: shardId });
      }
    });
    gauge('MillisSinceLastProgress', 'ms', (s: never, observe) => {
      for (const [shardId, shard] of Object.entries((s as C).shards)) {
        if (shard.MillisSinceLastProgress !== undefined)
          observe(shard.MillisSinceLastProgress, { ShardId: shardId });
      }
    });
  } else {
    throw new MetricsError(
      MetricsErrorCode.UNKNOWN_SOURCE,
      'The source has no KinesisProducer or KinesisConsumer metrics() snapshot',
    );
  }
  const callback: BatchObservableCallback = (result) => {
    const current = source.metrics() as never;
    for (const instrument of instruments) {
      instrument.read(current, (value, attributes) =>
        result.observe(instrument.observable as Observable, value, { ...base, ...attributes }),
      );
    }
  };
  const observables = instruments.map((instrument) => instrument.observable);
  meter.addBatchObservableCallback(callback, observables);
  return { stop: () => meter.removeBatchObservableCallback(callback, observables) };
}
