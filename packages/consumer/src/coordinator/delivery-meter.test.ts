import { describe, expect, it } from 'vitest';
import { withDeliveryMeter } from './delivery-meter.js';
import type { EmitConsumerEvent } from './shard-consumer-factory.js';

describe('withDeliveryMeter', () => {
  it('meters the bytes of each processed batch under the lease table key and passes every event on', () => {
    const emitted: string[] = [];
    const metered: [string, number][] = [];
    const emit: EmitConsumerEvent = (event) => emitted.push(event);
    const metering = withDeliveryMeter(
      emit,
      (shardId) => `123456789012:orders:1700000000:${shardId}`,
      (leaseKey, bytes) => metered.push([leaseKey, bytes]),
    );
    metering('batch:processed', { shardId: 'shardId-000000000001', bytes: 2048 } as never);
    metering('shard:started', { shardId: 'shardId-000000000001' } as never);
    expect(metered).toEqual([['123456789012:orders:1700000000:shardId-000000000001', 2048]]);
    expect(emitted).toEqual(['batch:processed', 'shard:started']);
  });
});
