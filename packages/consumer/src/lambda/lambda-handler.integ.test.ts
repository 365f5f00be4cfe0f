import { GetRecordsCommand, GetShardIteratorCommand, PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { AggregatedRecordBuilder, type LambdaKinesisEvent } from '@kinesis-ts/core';
import { uniqueName } from '@kinesis-ts/local';
import { describe, expect, it } from 'vitest';
import { useIdempotencyTables } from '../../test/idempotency-table.js';
import { text, useLocalStack, useTestStreams } from '../../test/local-stack.js';
import { DynamoDbIdempotencyStore } from '../processing/dynamodb-idempotency-store.js';
import { idempotent } from '../processing/idempotent.js';
import { kinesisLambdaHandler } from './lambda-handler.js';

const local = useLocalStack();
const createStream = useTestStreams(local);
const kinesis = local.kinesisClient();
const dynamoDb = local.dynamoDbClient();
const createTable = useIdempotencyTables(dynamoDb);

/** Reads the shard from its start and shapes the records as Lambda's Kinesis event source does. */
async function lambdaEvent(streamName: string): Promise<LambdaKinesisEvent> {
  const { ShardIterator } = await kinesis.send(
    new GetShardIteratorCommand({
      StreamName: streamName,
      ShardId: 'shardId-000000000000',
      ShardIteratorType: 'TRIM_HORIZON',
    }),
  );
  const { Records = [] } = await kinesis.send(new GetRecordsCommand({ ShardIterator }));
  return {
    Records: Records.map((record) => ({
      kinesis: {
        kinesisSchemaVersion: '1.0',
        partitionKey: record.PartitionKey!,
        sequenceNumber: record.SequenceNumber!,
        data: Buffer.from(record.Data!).toString('base64'),
        approximateArrivalTimestamp: record.ApproximateArrivalTimestamp!.getTime() / 1000,
      },
      eventID: `shardId-000000000000:${record.SequenceNumber}`,
      eventSourceARN: `arn:aws:kinesis:us-east-1:000000000000:stream/${streamName}`,
      awsRegion: 'us-east-1',
    })),
  };
}

describe('kinesisLambdaHandler on records read from the local Kinesis', () => {
  it('splits KPL aggregates, reports the failed aggregate’s sequence number, and with idempotent() a retry from there finishes without repeating side effects', async () => {
    const streamName = uniqueName('lambda');
    await createStream(streamName, 1);
    // two KPL aggregates of 5 user records each, built as the producer builds them
    const entries = [0, 1].map((a) => {
      const builder = new AggregatedRecordBuilder();
      for (let i = 0; i < 5; i++) {
        const id = `order-${a * 5 + i}`;
        builder.add({ partitionKey: `customer-${i % 2}`, data: new TextEncoder().encode(id) });
      }
      const entry = builder.build();
      expect(entry.aggregated).toBe(true);
      return { PartitionKey: entry.partitionKey, ExplicitHashKey: entry.explicitHashKey, Data: entry.data };
    });
    await kinesis.send(new PutRecordsCommand({ StreamName: streamName, Records: entries }));
    const event = await lambdaEvent(streamName);
    expect(event.Records).toHaveLength(2);

    const store = new DynamoDbIdempotencyStore({ client: dynamoDb, tableName: await createTable() });
    const effects: string[] = [];
    let failOrder7 = true;
    const handler = kinesisLambdaHandler({
      concurrency: 2,
      processRecord: idempotent(
        store,
        (record) => text(record.data),
        (record) => {
          if (failOrder7 && text(record.data) === 'order-7') throw new Error('downstream timeout');
          effects.push(text(record.data));
        },
      ),
    });
    const first = await handler(event, {});
    expect(first).toEqual({
      batchItemFailures: [{ itemIdentifier: event.Records[1]!.kinesis.sequenceNumber }],
    });
    // The first aggregate was processed whole; of the second, records of the other key may have run
    // beside it (two at a time, in order per partition key), but not order-7 (it failed) nor order-9
    // (after order-7 on its key).
    expect(effects).toEqual(expect.arrayContaining(['order-0', 'order-1', 'order-2', 'order-3', 'order-4']));
    expect(effects).not.toContain('order-7');
    expect(effects).not.toContain('order-9');

    // Lambda redelivers from the reported Kinesis record: the second aggregate, whole
    failOrder7 = false;
    const from = BigInt(first.batchItemFailures[0]!.itemIdentifier);
    const retry = { Records: event.Records.filter((r) => BigInt(r.kinesis.sequenceNumber) >= from) };
    expect(await handler(retry, {})).toEqual({ batchItemFailures: [] });
    expect([...effects].sort()).toEqual(Array.from({ length: 10 }, (_, i) => `order-${i}`).sort());
    expect(new Set(effects).size).toBe(effects.length); // no side effect twice
  });
});
