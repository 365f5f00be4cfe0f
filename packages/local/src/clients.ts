import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { KinesisClient, type KinesisClientConfig } from '@aws-sdk/client-kinesis';
import { CoreErrorCode, ValidationError } from '@kinesis-ts/core';
import { NodeHttpHandler } from '@smithy/node-http-handler';

/** Static dummy credentials: both emulators accept any. */
export interface LocalCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}

/**
 * The credentials the helpers use and the CLI exports. A plain, unfrozen object: the AWS SDK writes
 * into the credentials object it is given (it records where they came from in a `$source` field),
 * and a frozen one makes every call of the client fail with `TypeError: Cannot set properties of
 * undefined (setting 'CREDENTIALS_CODE')`. Stacks and connections hand out a fresh copy on every
 * read of their `credentials`.
 */
export const LOCAL_CREDENTIALS: LocalCredentials = {
  accessKeyId: 'local',
  secretAccessKey: 'local',
};

/** A fresh plain copy of `credentials` (access key and secret only), for one SDK client. */
export function copyCredentials(credentials: LocalCredentials): LocalCredentials {
  return { accessKeyId: credentials.accessKeyId, secretAccessKey: credentials.secretAccessKey };
}

/**
 * The HTTP version a Kinesis client speaks to the local stack: `http1` (an HTTP/1.1
 * `NodeHttpHandler`) or `http2` (the SDK's default handler, `NodeHttp2Handler`, what production
 * clients use). The stack's Kinesis endpoint serves both on the same port.
 */
export type KinesisTransport = 'http1' | 'http2';

/** Both transports, for `describe.each(KINESIS_TRANSPORTS)`. */
export const KINESIS_TRANSPORTS: readonly KinesisTransport[] = Object.freeze(['http1', 'http2'] as const);

/** Options of {@link createLocalKinesisClient}: any `KinesisClientConfig` field, plus the transport. */
export interface LocalKinesisClientOptions extends Partial<KinesisClientConfig> {
  /**
   * The HTTP version to speak (ignored when `requestHandler` is given: that handler decides).
   * @defaultValue 'http1'
   */
  transport?: KinesisTransport;
}

function requireTransport(value: unknown): KinesisTransport {
  if (value === 'http1' || value === 'http2') return value;
  throw new ValidationError(
    'transport',
    "'http1' or 'http2'",
    `got ${String(value)}`,
    CoreErrorCode.INVALID_OPTION,
  );
}

/** Where the local services are: what a process needs to build clients for them. Serializable. */
export interface LocalStackEndpoints {
  /**
   * Plain-HTTP endpoint of the local Kinesis, e.g. `http://127.0.0.1:4568`: HTTP/1.1 and HTTP/2
   * (prior knowledge) on the same port.
   */
  readonly kinesisEndpoint: string;
  /** Endpoint of the DynamoDB server, e.g. `http://127.0.0.1:8000`. */
  readonly dynamoDbEndpoint: string;
  /** The region both services run in. */
  readonly region: string;
  /** The dummy credentials to sign with. */
  readonly credentials: LocalCredentials;
  /** Endpoint of the local S3 server, when the stack started one (`s3: true`); use `forcePathStyle: true`. */
  readonly s3Endpoint?: string;
}

/**
 * A `KinesisClient` for the local stack: its endpoint and region, dummy static credentials (a fresh
 * object), and an HTTP/1.1 `NodeHttpHandler` unless `transport: 'http2'` asks for the SDK's default
 * HTTP/2 handler. Other fields of `overrides` are applied last (a `requestHandler` there wins over
 * `transport`).
 * @throws ValidationError (`INVALID_OPTION`) for a `transport` other than `'http1'` or `'http2'`.
 */
export function createLocalKinesisClient(
  endpoints: LocalStackEndpoints,
  overrides: LocalKinesisClientOptions = {},
): KinesisClient {
  const { transport, ...config } = overrides;
  const http2 = requireTransport(transport ?? 'http1') === 'http2';
  return new KinesisClient({
    endpoint: endpoints.kinesisEndpoint,
    region: endpoints.region,
    credentials: copyCredentials(endpoints.credentials),
    ...(http2 ? {} : { requestHandler: new NodeHttpHandler() }),
    ...config,
  });
}

/**
 * A `KinesisClient` for the local stack over the chosen transport, for suites that run on both:
 *
 * ```ts
 * describe.each(KINESIS_TRANSPORTS)('over %s', (transport) => {
 *   const kinesis = kinesisClientFor(local, { transport });
 * });
 * ```
 * Same as `createLocalKinesisClient(endpoints, { transport, ...config })`; the caller destroys it.
 */
export function kinesisClientFor(
  endpoints: LocalStackEndpoints,
  options: LocalKinesisClientOptions & { transport: KinesisTransport },
): KinesisClient {
  return createLocalKinesisClient(endpoints, options);
}

/** A `DynamoDBClient` for the local DynamoDB server; `overrides` are applied last. */
export function createLocalDynamoDbClient(
  endpoints: LocalStackEndpoints,
  overrides: Partial<DynamoDBClientConfig> = {},
): DynamoDBClient {
  return new DynamoDBClient({
    endpoint: endpoints.dynamoDbEndpoint,
    region: endpoints.region,
    credentials: copyCredentials(endpoints.credentials),
    ...overrides,
  });
}

/**
 * The environment variables that point the AWS CLI and the AWS SDKs at the local services
 * (`AWS_ENDPOINT_URL_KINESIS`, `AWS_ENDPOINT_URL_DYNAMODB`, `AWS_ENDPOINT_URL_S3` when the stack runs
 * a local S3, region and dummy credentials). A local S3 is addressed by path: give S3 clients
 * `forcePathStyle: true` (no environment variable sets it).
 */
export function localStackEnvironment(endpoints: LocalStackEndpoints): Record<string, string> {
  return {
    AWS_ENDPOINT_URL_KINESIS: endpoints.kinesisEndpoint,
    AWS_ENDPOINT_URL_DYNAMODB: endpoints.dynamoDbEndpoint,
    ...(endpoints.s3Endpoint === undefined ? {} : { AWS_ENDPOINT_URL_S3: endpoints.s3Endpoint }),
    AWS_REGION: endpoints.region,
    AWS_ACCESS_KEY_ID: endpoints.credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: endpoints.credentials.secretAccessKey,
  };
}
