import { DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import {
  DescribeStreamSummaryCommand,
  GetRecordsCommand,
  GetShardIteratorCommand,
  KinesisClient,
} from '@aws-sdk/client-kinesis';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import type { CliClients } from '../cli/clients.js';
import { runCli } from '../cli/run-cli.js';

const kinesis = new KinesisClient({
  region: 'us-east-1',
  credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
});
const dynamoDb = new DynamoDBClient({
  region: 'us-east-1',
  credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
});
const kinesisMock = mockClient(kinesis);
const dynamoDbMock = mockClient(dynamoDb);
afterEach(() => {
  kinesisMock.reset();
  dynamoDbMock.reset();
});

const clients: CliClients = {
  kinesis: () => kinesis,
  dynamoDb: () => dynamoDb,
  describe: () => ({ kinesisEndpoint: '-', dynamoDbEndpoint: '-', region: 'us-east-1' }),
  destroy: () => {},
};

/**
 * Two leases checkpointed at TRIM_HORIZON; the first record after the checkpoint of shard 0 arrived
 * `ageMs[0]` before the read, that of shard 1 `ageMs[1]` before it (ages relative to the mocked
 * read, so the lag the command measures is the age, whatever the speed of the machine).
 */
function mockStream(ageMs: [number, number]) {
  const lease = (shardId: string) => ({
    leaseKey: { S: shardId },
    leaseCounter: { N: '3' },
    leaseOwner: { S: 'worker-a' },
    checkpoint: { S: 'TRIM_HORIZON' },
    checkpointSubSequenceNumber: { N: '0' },
  });
  dynamoDbMock
    .on(ScanCommand)
    .resolves({ Items: [lease('shardId-000000000000'), lease('shardId-000000000001')] });
  kinesisMock.on(DescribeStreamSummaryCommand).resolves({
    StreamDescriptionSummary: {
      StreamName: 'orders',
      StreamARN: 'arn:aws:kinesis:us-east-1:000000000000:stream/orders',
      StreamStatus: 'ACTIVE',
      RetentionPeriodHours: 24,
      StreamCreationTimestamp: new Date(0),
      EnhancedMonitoring: [],
      OpenShardCount: 2,
    },
  });
  kinesisMock
    .on(GetShardIteratorCommand)
    .callsFake((input: { ShardId?: string }) => ({ ShardIterator: `iterator-${input.ShardId}` }));
  kinesisMock.on(GetRecordsCommand).callsFake((input: { ShardIterator?: string }) => {
    const shard = input.ShardIterator?.endsWith('1') ? 1 : 0;
    return {
      Records: [
        {
          SequenceNumber: `4968044867449037051065757391409613490901274708568493262${shard}`,
          PartitionKey: 'k',
          Data: new TextEncoder().encode('x'),
          ApproximateArrivalTimestamp: new Date(Date.now() - ageMs[shard]),
        },
      ],
      NextShardIterator: `${input.ShardIterator}-next`,
      MillisBehindLatest: 0,
    };
  });
}

async function lag(...argv: string[]) {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const code = await runCli(['lag', '--app', 'orders-app', '--stream', 'orders', ...argv], {
    stdout: (chunk) => stdout.push(chunk),
    stderr: (chunk) => stderr.push(chunk),
    clients,
  });
  return { code, stdout: stdout.join(''), stderr: stderr.join('') };
}

describe('kinesis-ts lag (aws-sdk-client-mock)', () => {
  it('uses the 60 s default without --threshold-ms', async () => {
    mockStream([180_000, 1_000]);
    const text = await lag();
    expect(text.stderr).toBe('');
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^CONCENTRATED: Only 1 of 2 shards lag: shardId-000000000000 \(180 s\)\.$/m);
    expect(text.stdout).not.toMatch(/NaN/);

    const json = JSON.parse((await lag('--json')).stdout);
    expect(json.diagnosis).toMatchObject({
      verdict: 'concentrated',
      laggingShards: [{ shardId: 'shardId-000000000000' }],
    });
  });

  it('says how far the default threshold is when nothing lags', async () => {
    mockStream([2_000, 1_000]);
    const text = await lag();
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^HEALTHY: No shard is more than 60 s behind \(max 2 s\)\.$/m);
  });

  it('honours --threshold-ms', async () => {
    mockStream([180_000, 1_000]);
    const text = await lag('--threshold-ms', '500');
    expect(text.stdout).toMatch(/^UNIFORM: 2 of 2 shards are more than 1 s behind: lag is uniform\.$/m);
  });
});
