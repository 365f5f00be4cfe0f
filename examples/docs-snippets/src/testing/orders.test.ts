// orders.test.ts: a unit test of the handler, no services needed.
import { InMemoryIdempotencyStore } from '@kinesis-ts/consumer';
import { expect, it } from 'vitest';
import { orderRecords, ordersHandler } from './orders.js';

it('has no second effect when a batch is delivered again', async () => {
  const saved: string[] = [];
  const handler = ordersHandler(new InMemoryIdempotencyStore(), saved);
  const records = orderRecords(3).map((record, index) => ({
    ...record,
    sequenceNumber: String(1_000 + index),
    subSequenceNumber: 0,
    aggregated: false,
  }));
  const context = { shardId: 'shardId-000000000000' };
  await handler(records, context);
  await handler(records, context); // what a crash before the checkpoint looks like to the handler
  expect(saved).toEqual(['order-0', 'order-1', 'order-2']);
});
