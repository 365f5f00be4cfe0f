import {
  ConditionalCheckFailedException,
  DynamoDBServiceException,
  InternalServerError,
  ThrottlingException,
} from '@aws-sdk/client-dynamodb';
import {
  InternalFailureException,
  KinesisServiceException,
  ProvisionedThroughputExceededException,
} from '@aws-sdk/client-kinesis';
import { classifyAwsError } from '@kinesis-ts/core';
import { describe, expect, it } from 'vitest';
import {
  createDynamoDbError,
  createKinesisError,
  createSocketError,
  DYNAMODB_FAULT_ERROR_NAMES,
  KINESIS_FAULT_ERROR_NAMES,
} from './fault-errors';

describe('injected errors', () => {
  it('are instances of the Kinesis client’s modeled exception classes, with name, $fault and status', () => {
    const throttled = createKinesisError('ProvisionedThroughputExceededException');
    expect(throttled).toBeInstanceOf(ProvisionedThroughputExceededException);
    expect(throttled).toBeInstanceOf(KinesisServiceException);
    expect(throttled).toMatchObject({
      name: 'ProvisionedThroughputExceededException',
      $fault: 'client',
      $metadata: { httpStatusCode: 400, attempts: 1 },
    });
    expect(throttled.message).toContain('(injected by @kinesis-ts/local)');

    const internal = createKinesisError('InternalFailure', 'custom message');
    expect(internal).toBeInstanceOf(InternalFailureException);
    expect(internal).toMatchObject({ $fault: 'server', $metadata: { httpStatusCode: 500 } });
    expect(internal.message).toMatch(/^custom message/);
  });

  it('builds unmodeled service errors as KinesisServiceException with the service’s name and status', () => {
    expect(createKinesisError('ThrottlingException')).toMatchObject({
      name: 'ThrottlingException',
      $fault: 'client',
      $metadata: { httpStatusCode: 400 },
    });
    const unavailable = createKinesisError('ServiceUnavailable');
    expect(unavailable).toBeInstanceOf(KinesisServiceException);
    expect(unavailable).toMatchObject({
      name: 'ServiceUnavailable',
      $fault: 'server',
      $metadata: { httpStatusCode: 503 },
    });
  });

  it('builds DynamoDB errors from the DynamoDB client’s classes', () => {
    expect(createDynamoDbError('ConditionalCheckFailedException')).toBeInstanceOf(
      ConditionalCheckFailedException,
    );
    expect(createDynamoDbError('ThrottlingException')).toBeInstanceOf(ThrottlingException);
    expect(createDynamoDbError('InternalServerError')).toBeInstanceOf(InternalServerError);
    expect(createDynamoDbError('ServiceUnavailable')).toBeInstanceOf(DynamoDBServiceException);
  });

  it('builds socket errors as Node.js raises them', () => {
    expect(createSocketError('ECONNRESET')).toMatchObject({
      name: 'Error',
      code: 'ECONNRESET',
      syscall: 'read',
      message: expect.stringMatching(/^read ECONNRESET/),
    });
    expect(createSocketError('TimeoutError')).toMatchObject({ name: 'TimeoutError' });
  });

  it('can build every listed error', () => {
    for (const name of KINESIS_FAULT_ERROR_NAMES) expect(createKinesisError(name)).toBeInstanceOf(Error);
    for (const name of DYNAMODB_FAULT_ERROR_NAMES) expect(createDynamoDbError(name)).toBeInstanceOf(Error);
  });

  it('are sorted by core’s classifyAwsError as the real errors are', () => {
    const kinds = (names: readonly string[], create: (name: never) => Error) =>
      names.map((name) => classifyAwsError(create(name as never)));
    expect(
      kinds(
        ['ProvisionedThroughputExceededException', 'ThrottlingException', 'LimitExceededException'],
        createKinesisError,
      ),
    ).toEqual(['throttling', 'throttling', 'throttling']);
    expect(
      kinds(
        ['InternalFailureException', 'ServiceUnavailable', 'ECONNRESET', 'TimeoutError'],
        createKinesisError,
      ),
    ).toEqual(['transient', 'transient', 'transient', 'transient']);
    expect(kinds(['ResourceNotFoundException', 'ExpiredIteratorException'], createKinesisError)).toEqual([
      'fatal',
      'fatal',
    ]);
    expect(
      kinds(
        ['ProvisionedThroughputExceededException', 'InternalServerError', 'ConditionalCheckFailedException'],
        createDynamoDbError,
      ),
    ).toEqual(['throttling', 'transient', 'fatal']);
  });
});
