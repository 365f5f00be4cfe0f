import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KinesisClient } from '@aws-sdk/client-kinesis';
import { ValidationError } from '@kinesis-ts/core';
import { describe, expect, it } from 'vitest';
import { DEFAULT_LEASE_ADMIN_OPTIONS, LeaseAdmin, type LeaseAdminOptions } from './lease-admin.js';

const dynamoDbClient = new DynamoDBClient({ region: 'us-east-1' });
const valid: LeaseAdminOptions = { applicationName: 'orders-app', dynamoDbClient };

function errorOf(options: object): ValidationError {
  try {
    new LeaseAdmin({ ...valid, ...options } as LeaseAdminOptions);
  } catch (error) {
    if (error instanceof ValidationError) return error;
    throw error;
  }
  throw new Error('expected a ValidationError');
}

describe('LeaseAdmin options', () => {
  it('name the table after the application unless told otherwise', () => {
    expect(new LeaseAdmin(valid).tableName).toBe('orders-app');
    expect(new LeaseAdmin({ ...valid, leaseTableName: 'leases' }).tableName).toBe('leases');
    expect(DEFAULT_LEASE_ADMIN_OPTIONS).toEqual({
      dynamoDbRequestTimeoutMs: 10_000,
      kinesisRequestTimeoutMs: 30_000,
      getRecordsIntervalMs: 200,
    });
  });

  it('refuse unknown options, naming them and the option meant', () => {
    const error = errorOf({ tableName: 'leases' });
    expect(error.field).toBe('tableName');
    expect(error.code).toBe('INVALID_OPTION');
    expect(error.message).toContain("LeaseAdmin has no option named 'tableName'");
  });

  it('refuse values out of range, naming the option and the range', () => {
    expect(errorOf({ dynamoDbRequestTimeoutMs: 10 }).message).toBe(
      'Invalid dynamoDbRequestTimeoutMs: got 10 (allowed: an integer from 100 to 86400000)',
    );
    expect(errorOf({ getRecordsIntervalMs: -1 }).field).toBe('getRecordsIntervalMs');
    expect(errorOf({ getRecordsIntervalMs: '200' }).field).toBe('getRecordsIntervalMs');
    expect(new LeaseAdmin({ ...valid, getRecordsIntervalMs: 0 })).toBeInstanceOf(LeaseAdmin);
  });

  it('refuse a missing application name or client, and a Kinesis client without a stream', () => {
    expect(errorOf({ applicationName: '' }).field).toBe('applicationName');
    expect(errorOf({ dynamoDbClient: undefined }).field).toBe('dynamoDbClient');
    expect(errorOf({ kinesisClient: new KinesisClient({ region: 'us-east-1' }) }).field).toBe('streamName');
    expect(errorOf({ leaseTableName: null }).field).toBe('leaseTableName');
  });
});
