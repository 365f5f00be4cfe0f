import { describe, expect, it } from 'vitest';
import {
  jsonResponse,
  kinesisErrorResponse,
  operationOf,
  parseJsonObject,
  streamNameOf,
} from './kinesis-wire';

describe('the Kinesis wire', () => {
  it('reads the operation from X-Amz-Target', () => {
    expect(operationOf({ 'x-amz-target': 'Kinesis_20131202.PutRecords' })).toBe('PutRecords');
    expect(operationOf({ 'x-amz-target': 'DynamoDB_20120810.PutItem' })).toBeUndefined();
    expect(operationOf({})).toBeUndefined();
  });

  it('reads the stream from its name, its ARN or a consumer ARN', () => {
    const arn = 'arn:aws:kinesis:us-east-1:000000000000:stream/orders';
    expect(streamNameOf({ StreamName: 'orders', StreamARN: 'ignored' })).toBe('orders');
    expect(streamNameOf({ StreamARN: arn })).toBe('orders');
    expect(streamNameOf({ ConsumerARN: `${arn}/consumer/app:1700000000` })).toBe('orders');
    expect(streamNameOf({})).toBeUndefined();
  });

  it('writes errors as the service does: 400, awsJson 1.1, { __type, message }', () => {
    const error = kinesisErrorResponse('LimitExceededException', 'Rate exceeded');
    expect(error.status).toBe(400);
    expect(error.headers['content-type']).toBe('application/x-amz-json-1.1');
    expect(error.headers['x-amzn-requestid']).toMatch(/^kinesis-ts-local-limits-/);
    expect(parseJsonObject(error.body)).toEqual({
      __type: 'LimitExceededException',
      message: 'Rate exceeded',
    });
    expect(jsonResponse(200, {}).headers['x-amzn-requestid']).not.toBe(error.headers['x-amzn-requestid']);
  });

  it('parses JSON objects only', () => {
    expect(parseJsonObject(Buffer.from('[1]'))).toBeUndefined();
    expect(parseJsonObject(Buffer.from('{'))).toBeUndefined();
  });
});
