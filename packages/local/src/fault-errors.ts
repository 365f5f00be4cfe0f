// A namespace import for the classes that not every SDK version of the peer range has (DynamoDB's
// ThrottlingException came after 3.600.0): a named import of a missing class fails at load time.
import * as dynamoDbClient from '@aws-sdk/client-dynamodb';
import {
  ConditionalCheckFailedException,
  DynamoDBServiceException,
  ProvisionedThroughputExceededException as DynamoDbProvisionedThroughputExceededException,
  InternalServerError,
  RequestLimitExceeded,
  TransactionConflictException,
} from '@aws-sdk/client-dynamodb';
import {
  ExpiredIteratorException,
  InternalFailureException,
  KinesisServiceException,
  KMSThrottlingException,
  LimitExceededException,
  ProvisionedThroughputExceededException,
  ResourceInUseException,
  ResourceNotFoundException,
} from '@aws-sdk/client-kinesis';
import { CoreErrorCode, ValidationError } from '@kinesis-ts/core';

/** Marks every message of an injected error, so that a test log shows where an error came from. */
export const INJECTED_SUFFIX = ' (injected by @kinesis-ts/local)';

/** Whole-call Kinesis errors the fault injector can throw, as the SDK names them (`error.name`). */
export type KinesisFaultErrorName =
  | 'ProvisionedThroughputExceededException'
  | 'ThrottlingException'
  | 'LimitExceededException'
  | 'KMSThrottlingException'
  | 'InternalFailureException'
  | 'ServiceUnavailable'
  | 'ExpiredIteratorException'
  | 'ResourceNotFoundException'
  | 'ResourceInUseException';

/** Whole-call DynamoDB errors the fault injector can throw, as the SDK names them. */
export type DynamoDbFaultErrorName =
  | 'ProvisionedThroughputExceededException'
  | 'ThrottlingException'
  | 'RequestLimitExceeded'
  | 'InternalServerError'
  | 'ServiceUnavailable'
  | 'ConditionalCheckFailedException'
  | 'TransactionConflictException';

/**
 * Network-level failures, shaped as Node.js and the SDK's `NodeHttpHandler` raise them (an `Error`
 * with `code`, or a `TimeoutError`); the SDK classifies them as transient.
 */
export type SocketFaultErrorName = 'ECONNRESET' | 'EPIPE' | 'ETIMEDOUT' | 'ECONNREFUSED' | 'TimeoutError';

/** The error codes a failed PutRecords entry can carry. */
export type PutRecordsEntryErrorCode = 'ProvisionedThroughputExceededException' | 'InternalFailure';

interface ServiceErrorSpec {
  status: number;
  fault: 'client' | 'server';
  message: string;
  create?: (options: { message: string; $metadata: Metadata }) => Error;
}

interface Metadata {
  httpStatusCode: number;
  requestId: string;
  attempts: number;
  totalRetryDelay: number;
}

const KINESIS_ERRORS: Record<KinesisFaultErrorName, ServiceErrorSpec> = {
  ProvisionedThroughputExceededException: {
    status: 400,
    fault: 'client',
    message: 'Rate exceeded for shard in stream under account 000000000000.',
    create: (options) => new ProvisionedThroughputExceededException(options),
  },
  ThrottlingException: { status: 400, fault: 'client', message: 'Rate exceeded' },
  LimitExceededException: {
    status: 400,
    fault: 'client',
    message: 'Rate exceeded',
    create: (options) => new LimitExceededException(options),
  },
  KMSThrottlingException: {
    status: 400,
    fault: 'client',
    message: 'Rate exceeded for KMS',
    create: (options) => new KMSThrottlingException(options),
  },
  InternalFailureException: {
    status: 500,
    fault: 'server',
    message: 'Internal service failure.',
    create: (options) => new InternalFailureException(options),
  },
  ServiceUnavailable: { status: 503, fault: 'server', message: 'Service Unavailable' },
  ExpiredIteratorException: {
    status: 400,
    fault: 'client',
    message: 'Iterator expired.',
    create: (options) => new ExpiredIteratorException(options),
  },
  ResourceNotFoundException: {
    status: 400,
    fault: 'client',
    message: 'Stream not found.',
    create: (options) => new ResourceNotFoundException(options),
  },
  ResourceInUseException: {
    status: 400,
    fault: 'client',
    message: 'Resource in use.',
    create: (options) => new ResourceInUseException(options),
  },
};

const DYNAMODB_ERRORS: Record<DynamoDbFaultErrorName, ServiceErrorSpec> = {
  ProvisionedThroughputExceededException: {
    status: 400,
    fault: 'client',
    message:
      'The level of configured provisioned throughput for the table was exceeded. Consider increasing your provisioning level with the UpdateTable API.',
    create: (options) => new DynamoDbProvisionedThroughputExceededException(options),
  },
  ThrottlingException: {
    status: 400,
    fault: 'client',
    message: 'Rate of requests exceeds the allowed throughput.',
    create: (options) => {
      const Throttling = (dynamoDbClient as { ThrottlingException?: new (o: typeof options) => Error })
        .ThrottlingException;
      return Throttling
        ? new Throttling(options)
        : new DynamoDBServiceException({ name: 'ThrottlingException', $fault: 'client', ...options });
    },
  },
  RequestLimitExceeded: {
    status: 400,
    fault: 'client',
    message: 'Throughput exceeds the current throughput limit for your account.',
    create: (options) => new RequestLimitExceeded(options),
  },
  InternalServerError: {
    status: 500,
    fault: 'server',
    message: 'Internal server error',
    create: (options) => new InternalServerError(options),
  },
  ServiceUnavailable: { status: 503, fault: 'server', message: 'Service Unavailable' },
  ConditionalCheckFailedException: {
    status: 400,
    fault: 'client',
    message: 'The conditional request failed',
    create: (options) => new ConditionalCheckFailedException(options),
  },
  TransactionConflictException: {
    status: 400,
    fault: 'client',
    message: 'Transaction is ongoing for the item',
    create: (options) => new TransactionConflictException(options),
  },
};

const SOCKET_ERRORS: Record<SocketFaultErrorName, { message: string; syscall?: string; errno?: number }> = {
  ECONNRESET: { message: 'read ECONNRESET', syscall: 'read', errno: -104 },
  EPIPE: { message: 'write EPIPE', syscall: 'write', errno: -32 },
  ETIMEDOUT: { message: 'connect ETIMEDOUT', syscall: 'connect', errno: -110 },
  ECONNREFUSED: { message: 'connect ECONNREFUSED', syscall: 'connect', errno: -111 },
  TimeoutError: { message: 'Connection timed out after 2000 ms' },
};

/** The names `injectKinesisFaults` accepts in `callErrors[].error`. */
export const KINESIS_FAULT_ERROR_NAMES = [
  ...Object.keys(KINESIS_ERRORS),
  ...Object.keys(SOCKET_ERRORS),
] as readonly (KinesisFaultErrorName | SocketFaultErrorName)[];

/** The names `injectDynamoDbFaults` accepts in `callErrors[].error`. */
export const DYNAMODB_FAULT_ERROR_NAMES = [
  ...Object.keys(DYNAMODB_ERRORS),
  ...Object.keys(SOCKET_ERRORS),
] as readonly (DynamoDbFaultErrorName | SocketFaultErrorName)[];

let injectedRequests = 0;
function metadata(status: number): Metadata {
  injectedRequests += 1;
  return {
    httpStatusCode: status,
    requestId: `injected-${injectedRequests.toString(16).padStart(8, '0')}`,
    attempts: 1,
    totalRetryDelay: 0,
  };
}

function serviceError(
  spec: ServiceErrorSpec,
  name: string,
  base: new (options: {
    name: string;
    $fault: 'client' | 'server';
    message: string;
    $metadata: Metadata;
  }) => Error,
  message: string | undefined,
): Error {
  const options = { message: (message ?? spec.message) + INJECTED_SUFFIX, $metadata: metadata(spec.status) };
  return spec.create ? spec.create(options) : new base({ name, $fault: spec.fault, ...options });
}

function isSocketError(name: string): name is SocketFaultErrorName {
  return Object.hasOwn(SOCKET_ERRORS, name);
}

/**
 * A network error as Node.js raises it: `Error('read ECONNRESET')` with `code`, `errno` and
 * `syscall`, or the `TimeoutError` of `NodeHttpHandler`. It carries `$metadata` as every error the
 * SDK rejects with does.
 */
export function createSocketError(name: SocketFaultErrorName): Error {
  const spec = SOCKET_ERRORS[name];
  const error = new Error(spec.message + INJECTED_SUFFIX) as Error & Record<string, unknown>;
  if (name === 'TimeoutError') {
    error.name = 'TimeoutError';
  } else {
    error.code = name;
    error.errno = spec.errno;
    error.syscall = spec.syscall;
  }
  error.$metadata = { attempts: 1, totalRetryDelay: 0 };
  return error;
}

/**
 * A Kinesis error exactly as the SDK rejects with it: an instance of the modeled exception class
 * (e.g. `ProvisionedThroughputExceededException`) or of `KinesisServiceException` for unmodeled ones
 * (`ThrottlingException`, `ServiceUnavailable`), with `name`, `$fault`, `$metadata.httpStatusCode`.
 * `InternalFailure` is accepted for `InternalFailureException`.
 */
export function createKinesisError(
  name: KinesisFaultErrorName | SocketFaultErrorName | 'InternalFailure',
  message?: string,
): Error {
  if (isSocketError(name)) return createSocketError(name);
  const canonical = name === 'InternalFailure' ? 'InternalFailureException' : name;
  const spec = KINESIS_ERRORS[canonical];
  if (!spec)
    throw new ValidationError(
      'name',
      'a known Kinesis error name',
      `got '${name}'`,
      CoreErrorCode.INVALID_OPTION,
    );
  return serviceError(spec, canonical, KinesisServiceException, message);
}

/** A DynamoDB error exactly as the SDK rejects with it (see {@link createKinesisError}). */
export function createDynamoDbError(
  name: DynamoDbFaultErrorName | SocketFaultErrorName,
  message?: string,
): Error {
  if (isSocketError(name)) return createSocketError(name);
  const spec = DYNAMODB_ERRORS[name];
  if (!spec)
    throw new ValidationError(
      'name',
      'a known DynamoDB error name',
      `got '${name}'`,
      CoreErrorCode.INVALID_OPTION,
    );
  return serviceError(spec, name, DynamoDBServiceException, message);
}
