import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DescribeStreamSummaryCommand,
  GetRecordsCommand,
  GetShardIteratorCommand,
  KinesisClient,
  ListShardsCommand,
  PutRecordsCommand,
  type PutRecordsRequestEntry,
} from '@aws-sdk/client-kinesis';
import { deaggregate, encodeAggregatedRecord } from '@kinesis-ts/core';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import type { CliClients } from '../cli/clients.js';
import { runCli } from '../cli/run-cli.js';

const kinesis = new KinesisClient({
  region: 'us-east-1',
  credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
});
const kinesisMock = mockClient(kinesis);
afterEach(() => kinesisMock.reset());
const clients: CliClients = {
  kinesis: () => kinesis,
  dynamoDb: () => {
    throw new Error('not used');
  },
  describe: () => ({ kinesisEndpoint: '-', dynamoDbEndpoint: '-', region: 'us-east-1' }),
  destroy: () => {},
};
const STREAM_ARN = 'arn:aws:kinesis:us-east-1:123456789012:stream/orders';
const invocationRecord = {
  requestContext: { condition: 'RetryAttemptsExhausted', approximateInvokeCount: 3 },
  responseContext: { statusCode: 200, functionError: 'Unhandled' },
  version: '1.0',
  timestamp: '2026-12-01T00:00:05.000Z',
  KinesisBatchInfo: {
    shardId: 'shardId-000000000000',
    startSequenceNumber: '100',
    endSequenceNumber: '200',
    batchSize: 2,
    streamArn: STREAM_ARN,
  },
};

async function run(argv: string[], stdin?: string) {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const code = await runCli(argv, {
    stdout: (chunk) => stdout.push(chunk),
    stderr: (chunk) => stderr.push(chunk),
    stdin: (async function* () {
      if (stdin !== undefined) yield stdin;
    })(),
    clients,
  });
  return { code, stdout: stdout.join(''), stderr: stderr.join('') };
}

describe('kinesis-ts replay-failure (aws-sdk-client-mock)', () => {
  it('reads an SQS message from standard input and prints exactly the batch’s user records', async () => {
    kinesisMock.on(ListShardsCommand).resolves({
      Shards: [
        {
          ShardId: 'shardId-000000000000',
          HashKeyRange: { StartingHashKey: '0', EndingHashKey: (2n ** 128n - 1n).toString() },
          SequenceNumberRange: { StartingSequenceNumber: '1' },
        },
      ],
    });
    kinesisMock
      .on(GetShardIteratorCommand, { StartingSequenceNumber: '100' })
      .resolves({ ShardIterator: 'it' });
    const aggregate = encodeAggregatedRecord([
      { partitionKey: 'a', data: new TextEncoder().encode('order-1') },
      { partitionKey: 'b', data: new TextEncoder().encode('order-2') },
    ]);
    kinesisMock.on(GetRecordsCommand).resolves({
      Records: [
        { SequenceNumber: '100', PartitionKey: 'k', Data: new TextEncoder().encode('order-0') },
        { SequenceNumber: '200', PartitionKey: 'agg', Data: aggregate },
        { SequenceNumber: '300', PartitionKey: 'k', Data: new TextEncoder().encode('later') },
      ],
      NextShardIterator: 'next',
      MillisBehindLatest: 0,
    });
    const result = await run(['replay-failure', '--json'], JSON.stringify(invocationRecord));
    expect(result.code).toBe(0);
    const lines = result.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { data: string; sequenceNumber: string });
    expect(lines.map((line) => `${line.sequenceNumber} ${line.data}`)).toEqual([
      '100 order-0',
      '200 order-1',
      '200 order-2',
    ]);
    expect(result.stderr).toContain('RetryAttemptsExhausted');
  });

  it('prints the records of an S3 destination object from a file, without reading the stream', async () => {
    kinesisMock
      .on(ListShardsCommand)
      .rejects(Object.assign(new Error('gone'), { name: 'ResourceNotFoundException' }));
    const dir = mkdtempSync(join(tmpdir(), 'replay-failure-'));
    const file = join(dir, 'object.json');
    const event = {
      Records: [
        {
          kinesis: {
            partitionKey: 'k',
            sequenceNumber: '100',
            data: Buffer.from('from-s3').toString('base64'),
          },
          eventID: 'shardId-000000000000:100',
          eventSourceARN: STREAM_ARN,
        },
      ],
    };
    writeFileSync(file, JSON.stringify({ ...invocationRecord, payload: JSON.stringify(event) }));
    const result = await run(['replay-failure', file]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^shardId-000000000000 {2}100 {2}- {2}k {2}from-s3$/m);
    expect(kinesisMock.commandCalls(GetRecordsCommand)).toHaveLength(0);
  });

  it('--to-stream puts exactly the batch’s user records into the stream, keys and data unchanged', async () => {
    kinesisMock.on(ListShardsCommand).resolves({
      Shards: [
        {
          ShardId: 'shardId-000000000000',
          HashKeyRange: { StartingHashKey: '0', EndingHashKey: (2n ** 128n - 1n).toString() },
          SequenceNumberRange: { StartingSequenceNumber: '1' },
        },
      ],
    });
    kinesisMock.on(DescribeStreamSummaryCommand).resolves({
      StreamDescriptionSummary: {
        StreamName: 'orders-retry',
        StreamARN: 'arn:aws:kinesis:us-east-1:123456789012:stream/orders-retry',
        StreamStatus: 'ACTIVE',
        RetentionPeriodHours: 24,
        StreamCreationTimestamp: new Date(),
        EnhancedMonitoring: [],
        OpenShardCount: 1,
      },
    });
    kinesisMock.on(GetShardIteratorCommand).resolves({ ShardIterator: 'it' });
    const aggregate = encodeAggregatedRecord([
      { partitionKey: 'a', data: new TextEncoder().encode('order-1') },
      { partitionKey: 'b', explicitHashKey: '123', data: new TextEncoder().encode('order-2') },
    ]);
    kinesisMock.on(GetRecordsCommand).resolves({
      Records: [
        { SequenceNumber: '100', PartitionKey: 'k', Data: new TextEncoder().encode('order-0') },
        { SequenceNumber: '200', PartitionKey: 'agg', Data: aggregate },
        { SequenceNumber: '300', PartitionKey: 'k', Data: new TextEncoder().encode('later') },
      ],
      NextShardIterator: 'next',
      MillisBehindLatest: 0,
    });
    const entries: PutRecordsRequestEntry[] = [];
    kinesisMock.on(PutRecordsCommand).callsFake((input: { Records: PutRecordsRequestEntry[] }) => {
      entries.push(...input.Records);
      return {
        FailedRecordCount: 0,
        Records: input.Records.map((_, index) => ({
          ShardId: 'shardId-000000000000',
          SequenceNumber: String(1_000 + entries.length + index),
        })),
      };
    });

    const result = await run(
      ['replay-failure', '--json', '--to-stream', 'orders-retry'],
      JSON.stringify(invocationRecord),
    );

    expect(result.code).toBe(0);
    expect(result.stderr).toContain('3 record(s) put into orders-retry');
    expect(kinesisMock.commandCalls(PutRecordsCommand).map((call) => call.args[0].input.StreamName)).toEqual(
      expect.arrayContaining(['orders-retry']),
    );
    // the producer may aggregate them: unpack what was put, as a consumer would
    const put = entries.flatMap((entry, index) =>
      deaggregate({
        partitionKey: entry.PartitionKey!,
        explicitHashKey: entry.ExplicitHashKey,
        data: entry.Data!,
        sequenceNumber: String(index + 1),
      }).map((record) => ({
        partitionKey: record.partitionKey,
        explicitHashKey: record.explicitHashKey,
        data: new TextDecoder().decode(record.data),
      })),
    );
    expect(put).toEqual([
      { partitionKey: 'k', explicitHashKey: undefined, data: 'order-0' },
      { partitionKey: 'a', explicitHashKey: undefined, data: 'order-1' },
      { partitionKey: 'b', explicitHashKey: '123', data: 'order-2' },
    ]);
  });

  it('refuses a message that is not a Kinesis failure message, naming the field', async () => {
    const result = await run(['replay-failure'], '{"requestContext":{}}');
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('KinesisBatchInfo');
  });
});
