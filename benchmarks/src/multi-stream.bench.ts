/**
 * Lease-table traffic of a multi-stream application against the same number of leases in one
 * stream: 3 streams × 4 shards and 1 stream × 12 shards, one worker each, the default failover time
 * (10 s), idle shards, a 60 s window (one periodic shard sync in it). Writes and reads (Scan and
 * GetItem requests, and the items they return) per lease per minute, against in-process fakes of
 * Kinesis and DynamoDB (consumer-fakes.ts), both configurations in the same run.
 *
 * Run with `npx -y pnpm@10 bench multi-stream`; the figures go to docs/benchmarks.md.
 */
import { KinesisConsumer, type KinesisConsumerOptions } from '@kinesis-ts/consumer';
import { FakeDynamoDb, FakeKinesis } from './consumer-fakes.js';
import { machineLine } from './harness.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const ACCOUNT = '123456789012';
const CREATED = new Date('2026-01-01T00:00:00Z');

/** Several fake streams behind one client, routed by `StreamName` or `StreamARN`. */
class FakeKinesisStreams {
  private readonly streams = new Map<string, FakeKinesis>();

  constructor(names: readonly string[], shardsEach: number) {
    for (const name of names) this.streams.set(name, new FakeKinesis(shardsEach, 10, 100, 0));
  }

  async send(command: { input: Record<string, unknown>; constructor: { name: string } }): Promise<unknown> {
    const input = command.input;
    const name =
      (input.StreamName as string | undefined) ?? (input.StreamARN as string | undefined)?.split('/').at(-1);
    const stream = this.streams.get(name ?? '') ?? [...this.streams.values()][0]!;
    if (command.constructor.name === 'DescribeStreamSummaryCommand') {
      return {
        StreamDescriptionSummary: {
          StreamName: name,
          StreamARN: `arn:aws:kinesis:us-east-1:${ACCOUNT}:stream/${name}`,
          StreamStatus: 'ACTIVE',
          StreamCreationTimestamp: CREATED,
        },
      };
    }
    return stream.send(command as never);
  }
}

async function traffic(
  title: string,
  streams: string[],
  shardsEach: number,
  multi: boolean,
): Promise<string> {
  const kinesis = new FakeKinesisStreams(streams, shardsEach);
  const dynamoDb = new FakeDynamoDb();
  const table = multi ? 'multi' : 'single';
  const worker = new KinesisConsumer({
    ...(multi ? { streams: streams.map((streamName) => ({ streamName })) } : { streamName: streams[0]! }),
    applicationName: table,
    kinesisClient: kinesis as never,
    dynamoDbClient: dynamoDb as never,
    initialPosition: 'TRIM_HORIZON',
    handler: () => {},
  } as KinesisConsumerOptions);
  await worker.start();
  await sleep(5_000);
  const leases = worker.heldLeaseKeys().length;
  const writesBefore = dynamoDb.writeCount(table);
  const readsBefore = dynamoDb.readCount(table);
  const windowMs = 60_000;
  await sleep(windowMs);
  const writes = dynamoDb.writeCount(table) - writesBefore;
  const reads = dynamoDb.readCount(table);
  await worker.stop();
  const perLease = (count: number) => (count / leases / (windowMs / 60_000)).toFixed(1);
  return `| ${title} | ${leases} | ${perLease(writes)} | ${perLease(reads.requests - readsBefore.requests)} | ${perLease(reads.items - readsBefore.items)} |`;
}

console.log('# Multi-stream lease-table traffic');
console.log(`\nMachine: ${machineLine()}`);
console.log(
  '\n## Per lease per minute, one worker, default failover time (10 s), idle shards, 60 s window\n',
);
console.log('| configuration | leases | writes | read requests | items read |');
console.log('| --- | ---: | ---: | ---: | ---: |');
const [multi, single] = await Promise.all([
  traffic('3 streams × 4 shards (`streams`)', ['orders', 'payments', 'audit'], 4, true),
  traffic('1 stream × 12 shards (`streamName`)', ['events'], 12, false),
]);
console.log([multi, single].join('\n'));
