// orders.ts: the application under test, a handler that saves each order once (idempotent, in
// parallel across customers, in order for each).
import {
  type ConsumerRecord,
  type DynamoDbIdempotencyStore,
  type InMemoryIdempotencyStore,
  idempotent,
  parallelByKey,
} from '@kinesis-ts/consumer';

export interface Order {
  readonly orderId: string;
  readonly customerId: string;
}

export const parseOrder = (record: ConsumerRecord) =>
  JSON.parse(new TextDecoder().decode(record.data)) as Order;

export function ordersHandler(store: InMemoryIdempotencyStore | DynamoDbIdempotencyStore, saved: string[]) {
  return parallelByKey(
    idempotent(
      store,
      (record: ConsumerRecord) => parseOrder(record).orderId,
      async (record) => {
        saved.push(parseOrder(record).orderId);
      },
    ),
  );
}

/** `count` orders as producer records, keyed by customer. */
export function orderRecords(count: number) {
  return Array.from({ length: count }, (_, index) => {
    const order: Order = { orderId: `order-${index}`, customerId: `customer-${index % 4}` };
    return { partitionKey: order.customerId, data: new TextEncoder().encode(JSON.stringify(order)) };
  });
}
