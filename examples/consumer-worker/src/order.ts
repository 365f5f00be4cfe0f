/** The records this worker reads: orders, as JSON, keyed by customer. */
import type { ConsumerRecord } from '@kinesis-ts/consumer';

export interface Order {
  readonly orderId: string;
  readonly customerId: string;
  readonly amount: number;
}

/** Reads an order; throws on anything else (such a record ends in the dead-letter stream). */
export function parseOrder(record: Pick<ConsumerRecord, 'data'>): Order {
  const value = JSON.parse(new TextDecoder().decode(record.data)) as Partial<Order>;
  if (
    typeof value.orderId !== 'string' ||
    typeof value.customerId !== 'string' ||
    typeof value.amount !== 'number'
  ) {
    throw new Error('not an order: orderId, customerId and amount are required');
  }
  return value as Order;
}
