import { describe, expect, it } from 'vitest';
import { runLocally } from './getting-started.js';

describe('docs/getting-started.md', () => {
  it('runs the guide’s producer and consumer on a local Kinesis and DynamoDB: every order arrives', async () => {
    const received = await runLocally();
    expect(received.map((order) => order.orderId).sort()).toEqual(
      Array.from({ length: 10 }, (_, index) => `order-${index}`).sort(),
    );
  });
});
