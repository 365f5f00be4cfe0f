import { describe, expect, it } from 'vitest';
import { leaseEventStream } from './event-stream.js';

const ARN = 'arn:aws:kinesis:us-east-1:123456789012:stream/orders';
const KEY = '123456789012:orders:1700000000:shardId-000000000001';

describe('leaseEventStream', () => {
  it('names a single stream as it was configured', () => {
    const none = () => undefined;
    expect(leaseEventStream('shardId-000000000001', { streamName: 'orders' }, none)).toEqual({
      streamName: 'orders',
    });
    expect(leaseEventStream('shardId-000000000001', { streamArn: ARN }, none)).toEqual({ streamArn: ARN });
  });

  it('gives a tracked stream’s name and ARN in multi-stream mode', () => {
    const tracked = (key: string) => (key === KEY ? { streamName: 'orders', streamArn: ARN } : undefined);
    expect(leaseEventStream(KEY, undefined, tracked)).toEqual({ streamName: 'orders', streamArn: ARN });
  });

  it('falls back to the name in the lease key for a stream no longer tracked', () => {
    expect(leaseEventStream(KEY, undefined, () => undefined)).toEqual({ streamName: 'orders' });
    expect(leaseEventStream('not-a-multi-stream-key', undefined, () => undefined)).toEqual({});
  });
});
