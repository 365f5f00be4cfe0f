/** Kinesis records shaped as Lambda's event source mapping hands them to a function. */
import type { _Record as KinesisRecord } from '@aws-sdk/client-kinesis';
import type { LambdaKinesisEvent } from '@kinesis-ts/consumer/lambda';

export function lambdaEvent(
  records: readonly KinesisRecord[],
  source: { readonly streamArn: string; readonly shardId: string; readonly region?: string },
): LambdaKinesisEvent {
  return {
    Records: records.map((record) => ({
      kinesis: {
        kinesisSchemaVersion: '1.0',
        partitionKey: record.PartitionKey!,
        sequenceNumber: record.SequenceNumber!,
        data: Buffer.from(record.Data!).toString('base64'),
        approximateArrivalTimestamp: (record.ApproximateArrivalTimestamp ?? new Date()).getTime() / 1_000,
      },
      eventSource: 'aws:kinesis',
      eventID: `${source.shardId}:${record.SequenceNumber}`,
      eventName: 'aws:kinesis:record',
      eventSourceARN: source.streamArn,
      awsRegion: source.region ?? 'us-east-1',
    })),
  };
}
