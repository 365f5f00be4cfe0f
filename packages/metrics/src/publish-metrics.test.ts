import { CloudWatchClient, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import {
  AggregationTemporality,
  InMemoryMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
} from '@opentelemetry/sdk-metrics';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { consumerSnapshot, producerSet, producerSnapshot } from '../test/snapshots.js';
import { emfLines } from './emf.js';
import type { MetricsError } from './errors.js';
import type { MetricDatum } from './metric-datum.js';
import type { ConsumerMetricsSnapshot, ProducerMetricsSnapshot } from './metric-sources.js';
import { publishMetrics } from './publish-metrics.js';

const cloudWatchMock = mockClient(CloudWatchClient);
afterEach(() => {
  cloudWatchMock.reset();
  vi.useRealTimers();
});

/** A source whose snapshot the test sets. */
function source(initial: ProducerMetricsSnapshot | ConsumerMetricsSnapshot) {
  let current = initial;
  return { metrics: () => current, set: (next: typeof current) => (current = next) };
}

const client = () => new CloudWatchClient({ region: 'us-east-1' });

/** The value of a datum by name, at worker level or for one shard. */
function value(datums: readonly MetricDatum[], name: string, shardId?: string): number | undefined {
  return datums.find((d) => d.name === name && d.dimensions.ShardId === shardId)?.value;
}

describe('publishMetrics to CloudWatch (aws-sdk-client-mock: there is no CloudWatch emulator)', () => {
  it('publishes nothing until called; then each interval one batched PutMetricData with KPL names and dimensions', async () => {
    vi.useFakeTimers({ now: Date.UTC(2026, 0, 1) });
    cloudWatchMock.on(PutMetricDataCommand).resolves({});
    const producer = source(producerSnapshot({ s0: producerSet(10) }));
    const publisher = publishMetrics(producer, {
      streamName: 'orders',
      cloudWatch: { client: client(), namespace: 'KinesisProducerLibrary' },
      intervalMs: 60_000,
    });
    expect(cloudWatchMock.commandCalls(PutMetricDataCommand)).toHaveLength(0);
    producer.set(producerSnapshot({ s0: producerSet(25) }));
    await vi.advanceTimersByTimeAsync(60_000);
    const calls = cloudWatchMock.commandCalls(PutMetricDataCommand);
    expect(calls).toHaveLength(1);
    const input = calls[0]!.args[0].input;
    expect(input.Namespace).toBe('KinesisProducerLibrary');
    const datum = input.MetricData!.find(
      (d) => d.MetricName === 'UserRecordsDataPut' && d.Dimensions?.some((x) => x.Name === 'ShardId'),
    );
    expect(datum).toEqual({
      MetricName: 'UserRecordsDataPut',
      Unit: 'Bytes',
      Timestamp: new Date(Date.UTC(2026, 0, 1, 0, 1)),
      Dimensions: [
        { Name: 'StreamName', Value: 'orders' },
        { Name: 'ShardId', Value: 's0' },
      ],
      Value: 2500,
    });
    expect(input.MetricData!.find((d) => d.MetricName === 'BufferingTime')?.StatisticValues).toEqual({
      SampleCount: 25,
      Sum: 1250,
      Minimum: 10,
      Maximum: 90,
    });
    producer.set(producerSnapshot({ s0: producerSet(30) }));
    await publisher.stop(); // publishes the last period
    expect(cloudWatchMock.commandCalls(PutMetricDataCommand)).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(120_000);
    expect(cloudWatchMock.commandCalls(PutMetricDataCommand)).toHaveLength(2);
  });

  it('splits more than 1 000 datums over several requests', async () => {
    cloudWatchMock.on(PutMetricDataCommand).resolves({});
    const shards = Object.fromEntries(
      Array.from({ length: 120 }, (_, i) => [`shardId-${i}`, producerSet(10)]),
    );
    const publisher = publishMetrics(source(producerSnapshot(shards)), {
      streamName: 'orders',
      cloudWatch: { client: client(), namespace: 'KinesisProducerLibrary' },
    });
    const datums = await publisher.flush();
    const calls = cloudWatchMock.commandCalls(PutMetricDataCommand);
    expect(datums.length).toBeGreaterThan(1000);
    expect(calls.map((call) => call.args[0].input.MetricData!.length)).toEqual([1000, datums.length - 1000]);
    await publisher.stop();
  });

  it('reports a failed PutMetricData through onError and keeps going', async () => {
    cloudWatchMock.on(PutMetricDataCommand).rejectsOnce(new Error('Throttling: Rate exceeded')).resolves({});
    const errors: MetricsError[] = [];
    const publisher = publishMetrics(source(consumerSnapshot({ s0: 5 })), {
      cloudWatch: { client: client(), namespace: 'orders-app' },
      onError: (error) => errors.push(error),
    });
    await expect(publisher.flush()).rejects.toMatchObject({
      code: 'METRICS_PUBLISH_FAILED',
      retryable: true,
    });
    await expect(publisher.flush()).resolves.toBeDefined();
    await publisher.stop();
    expect(cloudWatchMock.commandCalls(PutMetricDataCommand)).toHaveLength(3);
    expect(errors).toEqual([]);
  });

  it('gives up on a PutMetricData with no answer after cloudWatch.requestTimeoutMs, and keeps the period', async () => {
    vi.useFakeTimers({ now: Date.UTC(2026, 0, 1) });
    cloudWatchMock
      .on(PutMetricDataCommand)
      .callsFakeOnce(() => new Promise(() => undefined)) // never answers
      .resolves({});
    const publisher = publishMetrics(source(consumerSnapshot({ s0: 5 })), {
      cloudWatch: { client: client(), namespace: 'orders-app', requestTimeoutMs: 5_000 },
    });
    const first = publisher.flush().catch((error: unknown) => error);
    await vi.advanceTimersByTimeAsync(5_000);
    expect(await first).toMatchObject({ code: 'METRICS_PUBLISH_FAILED', retryable: true });
    expect(((await first) as Error).message).toContain('No answer within 5000 ms');
    await expect(publisher.flush()).resolves.toBeDefined();
    await publisher.stop();
    expect(cloudWatchMock.commandCalls(PutMetricDataCommand)).toHaveLength(3);
  });

  it('keeps a period whose PutMetricData failed: the next publication carries the counts of both', async () => {
    cloudWatchMock.on(PutMetricDataCommand).rejectsOnce(new Error('Throttling: Rate exceeded')).resolves({});
    vi.useFakeTimers();
    const errors: MetricsError[] = [];
    const consumer = source(consumerSnapshot({ s0: 7 }, { s0: 900 })); // period 1: 7 records
    const publisher = publishMetrics(consumer, {
      cloudWatch: { client: client(), namespace: 'orders-app' },
      intervalMs: 60_000,
      onError: (error) => errors.push(error),
    });
    await vi.advanceTimersByTimeAsync(60_000); // the timer's publication fails
    expect(errors.map((error) => error.code)).toEqual(['METRICS_PUBLISH_FAILED']);
    consumer.set(consumerSnapshot({ s0: 15 }, { s0: 300 })); // period 2: 8 records
    await publisher.flush();
    const calls = cloudWatchMock.commandCalls(PutMetricDataCommand);
    expect(calls).toHaveLength(2);
    const sent = calls[1]!.args[0].input.MetricData!;
    const sentValue = (name: string, shardId?: string) =>
      sent.find(
        (d) => d.MetricName === name && d.Dimensions?.find((x) => x.Name === 'ShardId')?.Value === shardId,
      )?.Value;
    expect(sentValue('RecordsProcessed', 's0')).toBe(15); // 7 + 8
    expect(sentValue('RecordsProcessed')).toBe(15);
    expect(sentValue('DataBytesProcessed', 's0')).toBe(150);
    expect(sentValue('MillisBehindLatest', 's0')).toBe(300); // a gauge: the latest
    consumer.set(consumerSnapshot({ s0: 16 }));
    const after = await publisher.flush(); // and the success moved the baseline on
    expect(value(after, 'RecordsProcessed', 's0')).toBe(1);
    await publisher.stop();
    expect(errors).toHaveLength(1);
  });

  it('keeps statistics and producer counts of a failed period, without writing EMF twice', async () => {
    cloudWatchMock.on(PutMetricDataCommand).rejectsOnce(new Error('InternalFailure')).resolves({});
    const lines: string[] = [];
    const producer = source(producerSnapshot({ s0: producerSet(10) }));
    const publisher = publishMetrics(producer, {
      streamName: 'orders',
      cloudWatch: { client: client(), namespace: 'KinesisProducerLibrary' },
      emf: { namespace: 'KinesisProducerLibrary', write: (line) => lines.push(line) },
    });
    producer.set(producerSnapshot({ s0: producerSet(25) }));
    await expect(publisher.flush()).rejects.toMatchObject({ code: 'METRICS_PUBLISH_FAILED' });
    producer.set(producerSnapshot({ s0: producerSet(40) }));
    const published = await publisher.flush();
    const shard = (name: string) => published.find((d) => d.name === name && d.dimensions.ShardId === 's0');
    expect(shard('UserRecordsDataPut')?.value).toBe(4000); // both periods: 40 records × 100 bytes
    expect(shard('BufferingTime')?.statistic).toMatchObject({ sampleCount: 40, sum: 2000 });
    expect(shard('UserRecordsPut')?.statistic).toMatchObject({ sampleCount: 40, sum: 40 });
    // EMF got each period once: 25 records, then 15.
    const emfShard = lines
      .map((line) => JSON.parse(line))
      .filter((line) => line.ShardId === 's0')
      .map((line) => line.UserRecordsDataPut);
    expect(emfShard).toEqual([2500, 1500]);
    await publisher.stop();
  });

  it('sends again only the requests of a period that did not go through', async () => {
    cloudWatchMock
      .on(PutMetricDataCommand)
      .resolvesOnce({})
      .rejectsOnce(new Error('Throttling: Rate exceeded'))
      .resolves({});
    const shards = (put: number) =>
      Object.fromEntries(Array.from({ length: 120 }, (_, i) => [`shardId-${i}`, producerSet(put)]));
    const producer = source(producerSnapshot(shards(10)));
    let clock = Date.UTC(2026, 0, 1);
    const publisher = publishMetrics(producer, {
      streamName: 'orders',
      cloudWatch: { client: client(), namespace: 'KinesisProducerLibrary' },
      now: () => clock,
    });
    const period1 = await publisher.flush().catch(() => undefined);
    expect(period1).toBeUndefined(); // the first request went through, the second failed
    clock += 60_000;
    producer.set(producerSnapshot(shards(11)));
    const period2 = await publisher.flush();
    const calls = cloudWatchMock.commandCalls(PutMetricDataCommand).map((call) => call.args[0].input);
    expect(calls).toHaveLength(5); // 2 for period 1, its second again, then 2 for period 2
    expect(calls[2]).toEqual(calls[1]);
    expect(calls[2]!.MetricData![0]!.Timestamp).toEqual(new Date(Date.UTC(2026, 0, 1)));
    const sentForPeriod2 = [...calls[3]!.MetricData!, ...calls[4]!.MetricData!];
    expect(sentForPeriod2).toHaveLength(period2.length);
    // Period 2 holds its own growth only: what period 1 sent is not sent twice.
    expect(
      sentForPeriod2.find(
        (d) => d.MetricName === 'UserRecordsDataPut' && d.Dimensions?.some((x) => x.Value === 'shardId-0'),
      )?.Value,
    ).toBe(100);
    await publisher.stop();
  });

  it('refuses options without a target, too short an interval, or a source it does not know', () => {
    const producer = source(producerSnapshot({}));
    expect(() => publishMetrics(producer, {})).toThrow(/at least one of cloudWatch, emf and openTelemetry/);
    expect(() => publishMetrics(producer, { emf: { namespace: 'x' }, intervalMs: 10 })).toThrow(/intervalMs/);
    expect(() =>
      publishMetrics(producer, { cloudWatch: { client: client(), namespace: 'x', requestTimeoutMs: 0 } }),
    ).toThrow(expect.objectContaining({ code: 'INVALID_OPTION', field: 'cloudWatch.requestTimeoutMs' }));
    expect(() => publishMetrics({ metrics: () => ({}) as never }, { emf: { namespace: 'x' } })).toThrow(
      expect.objectContaining({ code: 'METRICS_UNKNOWN_SOURCE' }),
    );
  });
});

describe('Embedded Metric Format', () => {
  it('writes one EMF log line per dimension set through the writer, and nothing else', async () => {
    const lines: string[] = [];
    const stdout = vi.spyOn(process.stdout, 'write');
    const consumer = source(consumerSnapshot({ s0: 3 }, { s0: 1500 }));
    const publisher = publishMetrics(consumer, {
      emf: { namespace: 'orders-app', write: (line) => lines.push(line) },
    });
    await publisher.flush();
    await publisher.stop();
    expect(stdout).not.toHaveBeenCalled();
    stdout.mockRestore();
    const parsed = lines.map((line) => JSON.parse(line));
    const shardLine = parsed.find((line) => line.ShardId === 's0' && line.Operation === 'ProcessTask');
    expect(shardLine).toMatchObject({
      _aws: {
        CloudWatchMetrics: [
          {
            Namespace: 'orders-app',
            Dimensions: [['Operation', 'ShardId']],
            Metrics: expect.arrayContaining([{ Name: 'MillisBehindLatest', Unit: 'Milliseconds' }]),
          },
        ],
      },
      MillisBehindLatest: 1500,
      RecordsProcessed: 3,
    });
    expect(typeof shardLine._aws.Timestamp).toBe('number');
  });

  it('writes statistics as their average with the sample count beside, and splits lines past 100 metrics', () => {
    const [line] = emfLines(
      [
        {
          name: 'BufferingTime',
          unit: 'Milliseconds',
          dimensions: {},
          statistic: { sampleCount: 4, sum: 100, minimum: 1, maximum: 60 },
        },
      ],
      'KinesisProducerLibrary',
      new Date(0),
    );
    expect(JSON.parse(line!)).toMatchObject({
      BufferingTime: 25,
      'BufferingTime.SampleCount': 4,
      _aws: { Timestamp: 0 },
    });
    const many = Array.from({ length: 150 }, (_, i) => ({
      name: `M${i}`,
      unit: 'Count' as const,
      dimensions: { A: 'a' },
      value: i,
    }));
    expect(emfLines(many, 'ns', new Date(0))).toHaveLength(2);
  });

  it('writes to process.stdout by default', async () => {
    const stdout = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    const publisher = publishMetrics(source(producerSnapshot({ s0: producerSet(1) })), {
      emf: { namespace: 'KinesisProducerLibrary' },
    });
    await publisher.flush();
    await publisher.stop();
    expect(stdout.mock.calls.length).toBeGreaterThan(0);
    expect(String(stdout.mock.calls[0]![0])).toMatch(/^\{"_aws":/);
    stdout.mockRestore();
  });
});

describe('OpenTelemetry bridge', () => {
  it('exposes KPL and KCL metrics as instruments read at each collection', async () => {
    const exporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
    const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 3_600_000 });
    const provider = new MeterProvider({ readers: [reader] });
    const producer = source(
      producerSnapshot({ s0: producerSet(10) }, { ErrorsByCode: { InternalFailure: 2 } }),
    );
    const publisher = publishMetrics(producer, {
      openTelemetry: { meter: provider.getMeter('test'), attributes: { StreamName: 'orders' } },
    });
    producer.set(
      producerSnapshot(
        { s0: producerSet(40) },
        { UserRecordsPending: 7, ErrorsByCode: { InternalFailure: 2 } },
      ),
    );
    const { resourceMetrics } = await reader.collect();
    const metrics = resourceMetrics.scopeMetrics.flatMap((scope) => scope.metrics);
    const point = (name: string) => metrics.find((m) => m.descriptor.name === name)?.dataPoints[0];
    expect(point('kinesis.producer.UserRecordsPut')).toMatchObject({
      value: 40,
      attributes: { StreamName: 'orders' },
    });
    expect(point('kinesis.producer.UserRecordsPending')?.value).toBe(7);
    expect(point('kinesis.producer.BufferingTime.sum')?.value).toBe(2000);
    expect(point('kinesis.producer.ErrorsByCode')?.attributes).toEqual({
      StreamName: 'orders',
      ErrorCode: 'InternalFailure',
    });
    await publisher.stop();
    producer.set(producerSnapshot({ s0: producerSet(1000) }));
    const after = (await reader.collect()).resourceMetrics.scopeMetrics.flatMap((s) => s.metrics);
    const put = after.find((m) => m.descriptor.name === 'kinesis.producer.UserRecordsPut');
    expect(put?.dataPoints[0]?.value ?? 40).toBe(40); // no longer read after stop()

    const consumer = source(consumerSnapshot({ s0: 5, s1: 6 }, { s0: 1200 }, { s1: 61_000 }));
    const bridge = publishMetrics(consumer, { openTelemetry: { meter: provider.getMeter('consumer') } });
    const collected = (await reader.collect()).resourceMetrics.scopeMetrics.flatMap((s) => s.metrics);
    const lag = collected.find((m) => m.descriptor.name === 'kinesis.consumer.MillisBehindLatest');
    expect(lag?.dataPoints).toEqual([
      expect.objectContaining({ value: 1200, attributes: { ShardId: 's0' } }),
    ]);
    const progress = collected.find((m) => m.descriptor.name === 'kinesis.consumer.MillisSinceLastProgress');
    expect(progress?.dataPoints).toEqual([
      expect.objectContaining({ value: 61_000, attributes: { ShardId: 's1' } }),
    ]);
    expect(
      collected.find((m) => m.descriptor.name === 'kinesis.consumer.RecordsProcessed')?.dataPoints[0]?.value,
    ).toBe(11);
    await bridge.stop();
    await provider.shutdown();
  });
});
