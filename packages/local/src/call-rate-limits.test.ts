import { describe, expect, it } from 'vitest';
import { admitCall, callRateCapacity, callRateSlot } from './call-rate-limits';
import { parseJsonObject } from './kinesis-wire';
import { RateWindows } from './rate-window';
import { CALL_RATE_LIMITS } from './service-limit-table';

const ACCOUNT = '000000000000';
const arn = (stream: string) => `arn:aws:kinesis:us-east-1:${ACCOUNT}:stream/${stream}`;

describe('callRateSlot', () => {
  it('counts an account-wide operation per operation, whatever the stream', () => {
    expect(callRateSlot('ListStreams', {}, ACCOUNT)?.key).toBe('account/ListStreams');
    expect(callRateSlot('DescribeStreamSummary', { StreamName: 'a' }, ACCOUNT)?.key).toBe(
      callRateSlot('DescribeStreamSummary', { StreamName: 'b' }, ACCOUNT)?.key,
    );
  });

  it('counts a per-stream operation per stream, by name, ARN or consumer ARN', () => {
    expect(callRateSlot('ListShards', { StreamName: 'orders' }, ACCOUNT)?.key).toBe(
      'stream/ListShards/orders',
    );
    expect(callRateSlot('ListShards', { StreamARN: arn('orders') }, ACCOUNT)?.key).toBe(
      'stream/ListShards/orders',
    );
    expect(
      callRateSlot(
        'DescribeStreamConsumer',
        { ConsumerARN: `${arn('orders')}/consumer/app:1700000000` },
        ACCOUNT,
      )?.key,
    ).toBe('stream/DescribeStreamConsumer/orders');
  });

  it('counts GetShardIterator per shard, with ProvisionedThroughputExceededException', () => {
    const slot = callRateSlot(
      'GetShardIterator',
      { StreamName: 'orders', ShardId: 'shardId-000000000001' },
      ACCOUNT,
    );
    expect(slot?.key).toBe('shard/GetShardIterator/orders/shardId-000000000001');
    expect(slot?.limit).toEqual({
      perSecond: 5,
      scope: 'shard',
      error: 'ProvisionedThroughputExceededException',
    });
  });

  it('does not count an operation without a documented rate, or a call naming no stream', () => {
    expect(callRateSlot('IncreaseStreamRetentionPeriod', { StreamName: 'a' }, ACCOUNT)).toBeUndefined();
    expect(callRateSlot('ListShards', { NextToken: 'x' }, ACCOUNT)).toBeUndefined();
  });
});

describe('admitCall', () => {
  it('refuses the call over the documented rate with the service error, and admits it a second later', () => {
    const windows = new RateWindows(callRateCapacity);
    for (let call = 0; call < 5; call++)
      expect(admitCall(windows, call, 'ListStreams', {}, ACCOUNT)).toBeUndefined();
    const refusal = admitCall(windows, 999, 'ListStreams', {}, ACCOUNT);
    expect(refusal?.status).toBe(400);
    expect(parseJsonObject(refusal!.body)).toEqual({
      __type: 'LimitExceededException',
      message: `Rate exceeded for ListStreams under account ${ACCOUNT}.`,
    });
    expect(refusal?.headers['content-type']).toBe('application/x-amz-json-1.1');
    expect(admitCall(windows, 1_000, 'ListStreams', {}, ACCOUNT)).toBeUndefined();
    // another operation has a window of its own
    expect(admitCall(windows, 999, 'DescribeStreamSummary', {}, ACCOUNT)).toBeUndefined();
  });

  it('has the rates of the API reference', () => {
    expect(
      Object.fromEntries(
        Object.entries(CALL_RATE_LIMITS).map(([operation, limit]) => [operation, limit.perSecond]),
      ),
    ).toMatchObject({
      ListShards: 1_000,
      DescribeStreamSummary: 20,
      DescribeStream: 10,
      DescribeStreamConsumer: 20,
      RegisterStreamConsumer: 5,
      ListStreams: 5,
      CreateStream: 5,
      DeleteStream: 5,
      SplitShard: 5,
      MergeShards: 5,
      UpdateShardCount: 10,
      DescribeLimits: 1,
    });
    expect(callRateCapacity('stream/ListShards/orders')).toBe(1_000);
  });
});
