import { describe, expect, it } from 'vitest';
import { ValidationError } from './errors.js';
import {
  streamLabel,
  streamParameters,
  streamReference,
  validateStreamArn,
  validateStreamName,
} from './stream-reference.js';

function caught(run: () => unknown): ValidationError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return error as ValidationError;
  }
  throw new Error('expected a ValidationError');
}

describe('stream names', () => {
  it.each(['a', 'orders', 'Orders_v2.prod-eu', 'x'.repeat(128)])('accepts %s', (name) => {
    expect(() => validateStreamName(name)).not.toThrow();
  });

  it.each(['', 'x'.repeat(129), 'orders/eu', 'with space', 'ünïcode', 'arn:aws:kinesis:x'])(
    'rejects %j with INVALID_OPTION naming the field',
    (name) => {
      const error = caught(() => validateStreamName(name, 'destination.streamName'));
      expect(error.code).toBe('INVALID_OPTION');
      expect(error.field).toBe('destination.streamName');
      expect(error.limit).toMatch(/1 to 128/);
      expect(error.retryable).toBe(false);
    },
  );

  it('rejects a value that is not a string', () => {
    expect(caught(() => validateStreamName(42)).message).toMatch(/expected a string, got number/);
  });
});

describe('stream ARNs', () => {
  it.each([
    'arn:aws:kinesis:us-east-1:123456789012:stream/orders',
    'arn:aws-cn:kinesis:cn-north-1:123456789012:stream/orders',
    'arn:aws-us-gov:kinesis:us-gov-west-1:000000000000:stream/a.b_c-d',
  ])('accepts %s', (arn) => {
    expect(() => validateStreamArn(arn)).not.toThrow();
  });

  it.each([
    'arn:',
    'orders',
    'arn:aws:kinesis:us-east-1:12345:stream/orders',
    'arn:aws:sqs:us-east-1:123456789012:stream/orders',
    'arn:aws:kinesis:us-east-1:123456789012:stream/',
    'arn:aws:kinesis:us-east-1:123456789012:stream/orders/consumer/app:1',
    'arn:aws:kinesis:us-east-1:123456789012:deliverystream/orders',
  ])('rejects %s naming the field', (arn) => {
    const error = caught(() => validateStreamArn(arn));
    expect(error.field).toBe('streamArn');
    expect(error.code).toBe('INVALID_OPTION');
  });
});

describe('streamReference', () => {
  it('takes the name or the ARN, checked', () => {
    expect(streamReference('orders', undefined)).toEqual({ streamName: 'orders' });
    const arn = 'arn:aws:kinesis:eu-west-1:123456789012:stream/orders';
    expect(streamReference(undefined, arn)).toEqual({ streamArn: arn });
    expect(caught(() => streamReference('bad name', undefined)).field).toBe('streamName');
    expect(caught(() => streamReference(undefined, 'arn:nope')).field).toBe('streamArn');
  });

  it('rejects both or neither, naming the caller’s fields', () => {
    const fields = { streamName: 'stream', streamArn: 'arn' };
    expect(caught(() => streamReference('a', 'arn:x', fields)).field).toBe('stream');
    expect(caught(() => streamReference(undefined, undefined, fields)).field).toBe('stream');
  });

  it('gives the request parameters and a label', () => {
    expect(streamParameters({ streamName: 'orders' })).toEqual({ StreamName: 'orders' });
    expect(streamParameters({ streamArn: 'arn:x' })).toEqual({ StreamARN: 'arn:x' });
    expect(streamLabel({ streamArn: 'arn:x' })).toBe('arn:x');
    expect(streamLabel({ streamName: 'orders' })).toBe('orders');
  });
});
