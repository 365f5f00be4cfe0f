/** The snippets of docs/producer.md, type-checked (none is run). Each function is one snippet. */
import { createReadStream } from 'node:fs';
import type { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { KinesisClient } from '@aws-sdk/client-kinesis';
import { type ClaimCheckS3Client, S3ClaimCheck } from '@kinesis-ts/consumer';
import type { UserRecord } from '@kinesis-ts/core';
import { KinesisProducer } from '@kinesis-ts/producer';

interface Order {
  readonly orderId: string;
  readonly customerId: string;
}
interface Event {
  readonly customerId: string;
  readonly body: string;
}
declare const order: Order;
declare const source: AsyncIterable<Event>;
declare function toRecord(event: Event): UserRecord;
declare function sendToDeadLetters(error: unknown): void;

/** docs/producer.md, introduction: put one record, then close. */
export async function putOne(): Promise<void> {
  const producer = new KinesisProducer({ streamName: 'orders', client: new KinesisClient({}) });

  const { shardId, sequenceNumber, attempts } = await producer.put({
    partitionKey: order.customerId,
    data: Buffer.from(JSON.stringify(order)),
  });
  console.log(`${order.orderId}: ${shardId} ${sequenceNumber} after ${attempts.length} attempt(s)`);

  await producer.close(); // sends and settles everything buffered, then refuses new records
}

/** docs/producer.md, "Backpressure": slow the source down to what the stream takes. */
export async function backpressure(producer: KinesisProducer): Promise<void> {
  for await (const event of source) {
    await producer.waitForCapacity();
    producer.put(toRecord(event)).catch(sendToDeadLetters);
  }
}

declare function split(): Transform;

/** docs/producer.md, Node streams: pipe an NDJSON file into the stream. */
export async function pipeFile(producer: KinesisProducer): Promise<void> {
  await pipeline(
    createReadStream('orders.ndjson'),
    split(), // one string per line
    producer.writable({ partitionKey: (line) => JSON.parse(String(line)).customerId }),
  );
}

/** docs/producer.md, "Records above the limit: a claim check": store them in S3, write a pointer. */
export function oversizedRecordsThroughAClaimCheck(
  s3: ClaimCheckS3Client,
  kinesis: KinesisClient,
): KinesisProducer {
  const claimCheck = new S3ClaimCheck({ client: s3, bucket: 'my-large-records' });
  const producer = new KinesisProducer({
    streamName: 'orders',
    client: kinesis,
    oversizedRecords: (data) => claimCheck.store(data),
  });
  return producer;
}
