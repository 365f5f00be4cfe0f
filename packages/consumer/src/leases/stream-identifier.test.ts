import { describe, expect, it } from 'vitest';
import {
  isMultiStreamLeaseKey,
  multiStreamLeaseKey,
  parseMultiStreamLeaseKey,
  parseStreamArn,
  parseStreamIdentifier,
  sameStreamIdentifier,
  serializeStreamIdentifier,
  streamArnOf,
  streamIdentifierFromArn,
} from './stream-identifier.js';

const orders = { accountId: '123456789012', streamName: 'orders', creationEpochSeconds: 1_700_000_000 };

describe('stream identifiers', () => {
  it('serializes as account, name and creation epoch joined by colons, as the KCL does', () => {
    expect(serializeStreamIdentifier(orders)).toBe('123456789012:orders:1700000000');
    expect(parseStreamIdentifier('123456789012:orders:1700000000')).toEqual(orders);
  });

  it('refuses text that is not a serialized identifier', () => {
    for (const text of [
      'orders',
      'shardId-000000000000',
      '123456789012:orders',
      'abc:orders:1',
      '123456789012:orders:0',
      '123456789012:orders:-5',
      '123456789012::5',
      '123456789012:orders:5:extra',
    ]) {
      expect(parseStreamIdentifier(text), text).toBeUndefined();
    }
  });

  it('builds and reads multi-stream lease keys, and leaves single-stream keys alone', () => {
    const key = multiStreamLeaseKey(orders, 'shardId-000000000004');
    expect(key).toBe('123456789012:orders:1700000000:shardId-000000000004');
    expect(multiStreamLeaseKey('123456789012:orders:1700000000', 'shardId-000000000004')).toBe(key);
    expect(parseMultiStreamLeaseKey(key)).toEqual({
      streamIdentifier: orders,
      shardId: 'shardId-000000000004',
    });
    expect(isMultiStreamLeaseKey(key)).toBe(true);
    expect(parseMultiStreamLeaseKey('shardId-000000000004')).toBeUndefined();
    expect(isMultiStreamLeaseKey('shardId-000000000004')).toBe(false);
    expect(isMultiStreamLeaseKey('x:orders:1:shardId-000000000004')).toBe(false);
  });

  it('takes an ARN apart and builds the identifier from it and the creation time in whole seconds', () => {
    const arn = 'arn:aws:kinesis:eu-west-1:123456789012:stream/orders';
    expect(parseStreamArn(arn)).toEqual({
      partition: 'aws',
      region: 'eu-west-1',
      accountId: '123456789012',
      streamName: 'orders',
    });
    expect(parseStreamArn('arn:aws-cn:kinesis:cn-north-1:123456789012:stream/o.x_1-2')?.partition).toBe(
      'aws-cn',
    );
    expect(parseStreamArn('arn:aws:sqs:eu-west-1:123456789012:orders')).toBeUndefined();
    expect(parseStreamArn('arn:aws:kinesis:eu-west-1:1234:stream/orders')).toBeUndefined();
    expect(streamIdentifierFromArn(arn, new Date(1_700_000_000_999))).toEqual(orders);
    expect(streamIdentifierFromArn(arn, new Date(0))).toBeUndefined();
    expect(streamArnOf(orders, 'eu-west-1')).toBe(arn);
  });

  it('tells a stream recreated under the same name from the old one by its creation epoch', () => {
    expect(sameStreamIdentifier(orders, { ...orders })).toBe(true);
    expect(sameStreamIdentifier(orders, { ...orders, creationEpochSeconds: 1_700_000_500 })).toBe(false);
  });
});
