import { DeleteTableCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import { GetRecordsCommand, GetShardIteratorCommand } from '@aws-sdk/client-kinesis';
import { decodeDeadLetter } from '@kinesis-ts/consumer/lambda';
import { AggregatedRecordBuilder } from '@kinesis-ts/core';
import { uniqueName } from '@kinesis-ts/local';
import { useLocalStack } from '@kinesis-ts/local/vitest';
import { afterAll, describe, expect, it } from 'vitest';
import { createHandler } from './handler.js';
import { lambdaEvent } from './lambda-event.js';
import {
  createLocalResources,
  type LocalNames,
  localContext,
  putReadings,
  readAsLambdaEvents,
  sampleReadings,
} from './local-run.js';
import { encodeReading, type Reading } from './reading.js';

const local = useLocalStack();
const kinesisClient = local.kinesisClient();
const dynamoDbClient = local.dynamoDbClient();
const cleanup: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  await Promise.all(cleanup.map((step) => step().catch(() => {})));
});

async function resources(): Promise<LocalNames> {
  const names = {
    streamName: uniqueName('readings'),
    deadLetterStream: uniqueName('readings-dlq'),
    dedupeTable: uniqueName('readings-dedupe'),
    readingsTable: uniqueName('readings'),
  };
  await createLocalResources(local, names);
  cleanup.push(
    () => local.deleteStream(names.streamName),
    () => local.deleteStream(names.deadLetterStream),
    () => dynamoDbClient.send(new DeleteTableCommand({ TableName: names.dedupeTable })),
    () => dynamoDbClient.send(new DeleteTableCommand({ TableName: names.readingsTable })),
  );
  return names;
}

async function savedIds(tableName: string): Promise<string[]> {
  const { Items = [] } = await dynamoDbClient.send(
    new ScanCommand({ TableName: tableName, ConsistentRead: true }),
  );
  return Items.map((item) => item.readingId?.S ?? '').sort();
}

/** A KPL aggregate of `readings`, built as the KPL builds one, as a Kinesis record of a shard. */
function aggregateRecord(readings: readonly Reading[], sequenceNumber: string) {
  const builder = new AggregatedRecordBuilder();
  for (const reading of readings)
    builder.add({ partitionKey: reading.sensorId, data: encodeReading(reading) });
  const entry = builder.build();
  expect(entry.aggregated).toBe(true);
  return { PartitionKey: entry.partitionKey, Data: entry.data, SequenceNumber: sequenceNumber };
}

const SOURCE = {
  streamArn: 'arn:aws:kinesis:us-east-1:000000000000:stream/readings',
  shardId: 'shardId-000000000000',
};
const SEQ_1 = '49590338271490256608559692538361571095921575989136588801';
const SEQ_2 = '49590338271490256608559692538361571095921575989136588802';
const SEQ_3 = '49590338271490256608559692538361571095921575989136588803';

describe('the Lambda handler', () => {
  it('splits a KPL aggregate into its readings and saves each once, also when Lambda delivers the batch again', async () => {
    const names = await resources();
    const readings = sampleReadings(8);
    const single = sampleReadings(1, 'single')[0]!;
    const event = lambdaEvent(
      [
        aggregateRecord(readings, SEQ_1),
        { PartitionKey: single.sensorId, Data: encodeReading(single), SequenceNumber: SEQ_2 },
      ],
      SOURCE,
    );
    expect(event.Records).toHaveLength(2); // two Kinesis records, nine readings

    const handler = createHandler({ dynamoDbClient, kinesisClient, ...names });
    expect(await handler(event, localContext())).toEqual({ batchItemFailures: [] });
    const expected = [...readings.map((reading) => reading.readingId), single.readingId].sort();
    expect(await savedIds(names.readingsTable)).toEqual(expected);

    let savedAgain = 0;
    const retried = createHandler({
      dynamoDbClient,
      kinesisClient,
      ...names,
      saveReading: async () => {
        savedAgain++;
      },
    });
    expect(await retried(event, localContext())).toEqual({ batchItemFailures: [] });
    expect(savedAgain).toBe(0); // every reading id is done in the idempotency table
  });

  it('reports the Kinesis record holding a reading that keeps failing, or with a dead-letter stream sends the reading there', async () => {
    const names = await resources();
    const before = sampleReadings(3, 'before');
    const after = sampleReadings(3, 'after');
    const broken = new TextEncoder().encode('{"readingId":"broken","celsius":"warm"}');
    const event = lambdaEvent(
      [
        aggregateRecord(before, SEQ_1),
        { PartitionKey: 'sensor-9', Data: broken, SequenceNumber: SEQ_2 },
        aggregateRecord(after, SEQ_3),
      ],
      SOURCE,
    );

    // without a dead-letter stream: Lambda is told to retry from the failed Kinesis record
    const retrying = createHandler({ dynamoDbClient, kinesisClient, ...names, deadLetterStream: undefined });
    expect(await retrying(event, localContext())).toEqual({ batchItemFailures: [{ itemIdentifier: SEQ_2 }] });
    // the readings before it are done; readings after it may have run too (10 run at once), which is
    // why the retry's idempotency matters
    expect(await savedIds(names.readingsTable)).toEqual(
      expect.arrayContaining(before.map((reading) => reading.readingId)),
    );

    // with one: the reading becomes a dead letter and the rest of the batch is done
    const deadLettering = createHandler({ dynamoDbClient, kinesisClient, ...names });
    expect(await deadLettering(event, localContext())).toEqual({ batchItemFailures: [] });
    expect(await savedIds(names.readingsTable)).toEqual(
      [...before, ...after].map((reading) => reading.readingId).sort(),
    );
    const { ShardIterator } = await kinesisClient.send(
      new GetShardIteratorCommand({
        StreamName: names.deadLetterStream,
        ShardId: 'shardId-000000000000',
        ShardIteratorType: 'TRIM_HORIZON',
      }),
    );
    const { Records = [] } = await kinesisClient.send(new GetRecordsCommand({ ShardIterator }));
    expect(Records).toHaveLength(1);
    const letter = decodeDeadLetter(Records[0]!.Data!);
    expect(new TextDecoder().decode(letter.data)).toBe('{"readingId":"broken","celsius":"warm"}');
    expect(letter).toMatchObject({ sequenceNumber: SEQ_2, attempts: 3, shardId: 'shardId-000000000000' });
  });

  it('handles what a producer really wrote: readings put through KinesisProducer, read back as Lambda events', async () => {
    const names = await resources();
    const readings = sampleReadings(30);
    await putReadings(kinesisClient, names.streamName, readings);
    const events = await readAsLambdaEvents(kinesisClient, names.streamName);
    const kinesisRecords = events.reduce((sum, event) => sum + event.Records.length, 0);
    expect(kinesisRecords).toBeLessThan(readings.length); // the producer aggregated them

    const handler = createHandler({ dynamoDbClient, kinesisClient, ...names });
    for (const event of events)
      expect(await handler(event, localContext())).toEqual({ batchItemFailures: [] });
    expect(await savedIds(names.readingsTable)).toEqual(readings.map((reading) => reading.readingId).sort());
  });
});
