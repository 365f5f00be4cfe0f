/**
 * A typed, promise-based view of the parts of `aws-kinesis-agg` (awslabs/kinesis-aggregation's Node
 * module) that the interoperability tests and the benchmarks compare against.
 */
import { createRequire } from 'node:module';

interface AggUserRecord {
  partitionKey: string;
  explicitPartitionKey?: string;
  sequenceNumber: string;
  subSequenceNumber?: number;
  data: string;
}

interface AggEncodedRecord {
  partitionKey: string;
  data: Buffer;
  ExplicitHashKey?: string;
}

interface AwsKinesisAgg {
  deaggregateSync(
    record: { partitionKey: string; data: string; sequenceNumber: string; explicitHashKey?: string },
    computeChecksums: boolean,
    callback: (error: Error | null, records?: AggUserRecord[]) => void,
  ): void;
  aggregate(
    records: { partitionKey: string; explicitHashKey?: string; data: Buffer }[],
    onEncoded: (encoded: AggEncodedRecord, done: (error?: Error) => void) => void,
    afterAll: () => void,
    onError: (error: Error, data?: AggEncodedRecord) => void,
    queueSize?: number,
  ): void;
}

export const awsKinesisAgg = createRequire(import.meta.url)('aws-kinesis-agg') as AwsKinesisAgg;

/** Deaggregates with aws-kinesis-agg; data comes back as bytes. */
export function deaggregateWithAwsKinesisAgg(
  record: { partitionKey: string; data: Uint8Array; sequenceNumber: string },
  computeChecksums = true,
): { partitionKey: string; explicitPartitionKey?: string; subSequenceNumber?: number; data: Buffer }[] {
  let result: AggUserRecord[] | undefined;
  let failure: Error | null = null;
  awsKinesisAgg.deaggregateSync(
    { ...record, data: Buffer.from(record.data).toString('base64') },
    computeChecksums,
    (error, records) => {
      failure = error;
      result = records;
    },
  );
  if (failure) throw failure;
  return (result ?? []).map((r) => ({ ...r, data: Buffer.from(r.data, 'base64') }));
}

/** Aggregates with aws-kinesis-agg and collects every encoded record it emits. */
export function aggregateWithAwsKinesisAgg(
  records: { partitionKey: string; explicitHashKey?: string; data: Uint8Array }[],
): Promise<AggEncodedRecord[]> {
  return new Promise((resolve, reject) => {
    const encoded: AggEncodedRecord[] = [];
    awsKinesisAgg.aggregate(
      records.map((r) => ({ ...r, data: Buffer.from(r.data) })),
      (record, done) => {
        encoded.push(record);
        done();
      },
      () => resolve(encoded),
      (error) => reject(error),
    );
  });
}
