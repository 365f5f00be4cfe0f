import { PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { uniqueName } from '@kinesis-ts/local';
import { describe, expect, it } from 'vitest';
import { shardIndexOfSequenceNumber } from '../../src/checkpoint/sequence-number-shard.js';
import type { ShardRecordProcessor } from '../../src/index.js';
import { readLeases, useLocalStack, useTestConsumers, useTestStreams, waitFor } from '../local-stack.js';

const local = useLocalStack();
const createStream = useTestStreams(local);
const kinesis = local.kinesisClient();
const dynamoDb = local.dynamoDbClient();
const consumer = useTestConsumers(kinesis, dynamoDb, { failoverTimeMs: 2_000, idleTimeBetweenReadsMs: 200 });
/** The first hash key of the second of two shards (2^127). */
const SECOND_HALF = '170141183460469231731687303715884105728';

/** Puts `count` records into each of the two shards; their sequence numbers, by shard. */
async function putIntoBothShards(streamName: string, count: number): Promise<Map<string, string[]>> {
  const entries = Array.from({ length: 2 * count }, (_, i) => ({
    PartitionKey: `k${i}`,
    ExplicitHashKey: i % 2 === 0 ? '0' : SECOND_HALF,
    Data: new TextEncoder().encode(`r${i}`),
  }));
  const output = await kinesis.send(new PutRecordsCommand({ StreamName: streamName, Records: entries }));
  const byShard = new Map<string, string[]>();
  for (const entry of output.Records ?? []) {
    byShard.set(entry.ShardId!, [...(byShard.get(entry.ShardId!) ?? []), entry.SequenceNumber!]);
  }
  return byShard;
}

describe('checkpoints on the local stack', () => {
  it("refuses a checkpoint at another shard's sequence number and writes nothing, so the next owner can read the shard", async () => {
    const streamName = uniqueName('cp-other');
    const applicationName = uniqueName('app');
    await createStream(streamName, 2);
    const sequenceNumbers = await putIntoBothShards(streamName, 5);
    const first = sequenceNumbers.get('shardId-000000000000')!;
    const second = sequenceNumbers.get('shardId-000000000001')!;
    // The emulator's sequence numbers carry their shard, as Kinesis's do.
    expect(first.map(shardIndexOfSequenceNumber)).toEqual(first.map(() => 0n));
    expect(second.map(shardIndexOfSequenceNumber)).toEqual(second.map(() => 1n));

    const refusals: unknown[] = [];
    const delivered: string[] = [];
    const processor = (shardId: string): ShardRecordProcessor => ({
      processRecords: async ({ records, checkpointer }) => {
        delivered.push(...records.map((record) => `${shardId} ${record.sequenceNumber}`));
        if (shardId === 'shardId-000000000001') {
          // A processor that mixes up its shards: a record of shard 0, below every record of shard 1.
          refusals.push(await checkpointer.checkpoint(first[2]!).catch((error: unknown) => error));
        }
      },
    });
    const worker = consumer({ streamName, applicationName, processor });
    await worker.start();
    await waitFor(() => delivered.length === 10 && refusals.length > 0, 'the records of both shards');

    expect(refusals[0]).toMatchObject({
      code: 'INVALID_CHECKPOINT',
      shardId: 'shardId-000000000001',
      sequenceNumber: first[2],
    });
    expect((refusals[0] as Error).message).toContain('shardId-000000000000');
    const lease = (await readLeases(dynamoDb, applicationName)).get('shardId-000000000001')!;
    expect(lease.checkpoint.sequenceNumber).toBe('TRIM_HORIZON');
  });
});
