/** The snippets of packages/producer/README.md, type-checked (none is run). */
import { KinesisClient } from '@aws-sdk/client-kinesis';
import { KinesisProducer } from '@kinesis-ts/producer';

declare const order: { orderId: string; customerId: string };
declare const source: AsyncIterable<{ customerId: string; body: string }>;
declare function sendToDeadLetters(error: unknown): void;

/** The producer README's example. */
export async function producerReadme(): Promise<void> {
  const producer = new KinesisProducer({ streamName: 'orders', client: new KinesisClient({}) });

  const { shardId, sequenceNumber } = await producer.put({
    partitionKey: order.customerId, // records of one key stay in order
    data: new TextEncoder().encode(JSON.stringify(order)),
  });
  console.log(`${order.orderId} is in ${shardId} at ${sequenceNumber}`);

  for await (const event of source) {
    await producer.waitForCapacity(); // a bounded buffer: wait while the stream is slower than the source
    producer
      .put({ partitionKey: event.customerId, data: new TextEncoder().encode(event.body) })
      .catch(sendToDeadLetters); // RecordFailedError: code, record, every attempt
  }

  await producer.close(); // sends and settles everything buffered
}
