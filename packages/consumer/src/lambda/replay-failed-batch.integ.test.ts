import { DescribeStreamSummaryCommand, PutRecordCommand } from '@aws-sdk/client-kinesis';
import { AggregatedRecordBuilder } from '@kinesis-ts/core';
import { uniqueName } from '@kinesis-ts/local';
import { describe, expect, it } from 'vitest';
import { text, useLocalStack, useTestStreams } from '../../test/local-stack.js';
import { parseKinesisFailureMessages } from './failure-message.js';
import { replayFailedBatch } from './replay-failed-batch.js';

const local = useLocalStack();
const createStream = useTestStreams(local);
const kinesis = local.kinesisClient();

describe('replaying a failed Lambda batch from its SQS destination message, on the local Kinesis', () => {
  it('re-reads exactly the KPL aggregates between the start and end sequence numbers, split into their user records', async () => {
    const streamName = uniqueName('replay');
    await createStream(streamName, 1);
    const put = async (partitionKey: string, data: Uint8Array, explicitHashKey?: string) =>
      (
        await kinesis.send(
          new PutRecordCommand({
            StreamName: streamName,
            PartitionKey: partitionKey,
            Data: data,
            ExplicitHashKey: explicitHashKey,
          }),
        )
      ).SequenceNumber!;
    const aggregate = (first: number) => {
      const builder = new AggregatedRecordBuilder();
      for (let i = first; i < first + 4; i++) {
        builder.add({ partitionKey: `customer-${i % 3}`, data: new TextEncoder().encode(`order-${i}`) });
      }
      return builder.build();
    };
    await put('before', new TextEncoder().encode('not in the batch'));
    const sequenceNumbers: string[] = [];
    for (const first of [0, 4, 8]) {
      const entry = aggregate(first);
      sequenceNumbers.push(await put(entry.partitionKey, entry.data, entry.explicitHashKey));
    }
    await put('after', new TextEncoder().encode('not in the batch either'));

    const { StreamDescriptionSummary } = await kinesis.send(
      new DescribeStreamSummaryCommand({ StreamName: streamName }),
    );
    // the message Lambda sends to an SQS on-failure destination, built from the aggregates' positions
    const message = JSON.stringify({
      requestContext: {
        requestId: 'c9b8fa9f-5a7f-4e3c-af9c-0c604cde93a5',
        functionArn: 'arn:aws:lambda:us-east-1:000000000000:function:orders',
        condition: 'RetryAttemptsExhausted',
        approximateInvokeCount: 3,
      },
      responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
      version: '1.0',
      timestamp: new Date().toISOString(),
      KinesisBatchInfo: {
        shardId: 'shardId-000000000000',
        startSequenceNumber: sequenceNumbers[0],
        endSequenceNumber: sequenceNumbers[2],
        batchSize: 3,
        streamArn: StreamDescriptionSummary!.StreamARN,
      },
    });
    const [batch] = parseKinesisFailureMessages(message);
    const replayed: string[] = [];
    const result = await replayFailedBatch({
      client: kinesis,
      batch: batch!,
      processRecord: (record) =>
        void replayed.push(`${text(record.data)} ${record.sequenceNumber}/${record.subSequenceNumber}`),
    });
    expect(result).toEqual({ records: 12 });
    expect(replayed).toEqual(
      Array.from({ length: 12 }, (_, i) => `order-${i} ${sequenceNumbers[Math.floor(i / 4)]}/${i % 4}`),
    );
  });
});
