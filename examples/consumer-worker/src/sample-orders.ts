/** Orders to put into a local stream at start: mostly good ones, one sent twice, two that fail. */
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import { KinesisProducer } from '@kinesis-ts/producer';

export async function putSampleOrders(
  kinesisClient: KinesisClient,
  streamName: string,
  count: number,
): Promise<void> {
  if (count === 0) return;
  const producer = new KinesisProducer({ streamName, client: kinesisClient });
  const json = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));
  const orders = Array.from({ length: count }, (_, index) => ({
    orderId: `order-${index + 1}`,
    customerId: `customer-${(index % 5) + 1}`,
    amount: 10 + index,
  }));
  const records = orders.map((order) => ({ partitionKey: order.customerId, data: json(order) }));
  records.push({ partitionKey: 'customer-1', data: json(orders[0]) }); // the same order again: a duplicate
  records.push({ partitionKey: 'customer-2', data: new TextEncoder().encode('{"orderId": oops') }); // not JSON
  records.push({
    partitionKey: 'customer-3',
    data: json({ orderId: 'order-refund', customerId: 'customer-3', amount: -5 }),
  });
  await producer.putMany(records);
  await producer.close();
}
