import type { DynamoDBClient, DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import type { KinesisClient, StreamDescriptionSummary } from '@aws-sdk/client-kinesis';
import { CoreErrorCode, ValidationError } from '@kinesis-ts/core';
import {
  copyCredentials,
  createLocalDynamoDbClient,
  createLocalKinesisClient,
  LOCAL_CREDENTIALS,
  type LocalCredentials,
  type LocalKinesisClientOptions,
  type LocalStackEndpoints,
  localStackEnvironment,
} from './clients';
import {
  type CloseSessionsMode,
  type CloseSessionsResult,
  type KinesisFrontStats,
  requestFrontControl,
} from './front-control';
import { rejectUnknownOptions } from './options';
import {
  type CreateStreamOptions,
  createStreamAndWait,
  deleteStreamAndWait,
  type StreamWaitOptions,
} from './streams';

/**
 * A handle on running local services (started here, in a vitest global setup or by the CLI):
 * their endpoints plus helpers that build correctly configured clients and manage streams.
 */
export interface LocalStackConnection extends LocalStackEndpoints {
  /**
   * The dummy credentials: a fresh plain object on every read, so that it can be handed to an SDK
   * client (which writes into the object it is given).
   */
  readonly credentials: LocalCredentials;
  /**
   * A new `KinesisClient` for the local Kinesis (dummy credentials; HTTP/1.1 `NodeHttpHandler`, or
   * the SDK's default HTTP/2 handler with `transport: 'http2'`), with the other `overrides` applied
   * last. The connection destroys it on `close()` (or the stack on `stop()`).
   */
  kinesisClient(overrides?: LocalKinesisClientOptions): KinesisClient;
  /** A new `DynamoDBClient` for the local DynamoDB, destroyed on `close()` / `stop()`. */
  dynamoDbClient(overrides?: Partial<DynamoDBClientConfig>): DynamoDBClient;
  /**
   * Creates a provisioned stream and resolves with its summary once it is ACTIVE; with
   * `maxRecordSizeInKiB`, a stream that takes records of up to 10 MiB.
   */
  createStream(
    streamName: string,
    shardCount: number,
    options?: CreateStreamOptions,
  ): Promise<StreamDescriptionSummary>;
  /** Deletes a stream (with its consumers) and resolves once it is gone; a missing stream is fine. */
  deleteStream(streamName: string, options?: StreamWaitOptions): Promise<void>;
  /** The environment variables that point the AWS CLI/SDKs here (see `localStackEnvironment`). */
  environment(): Record<string, string>;
  /**
   * Closes the Kinesis clients' connections from the server side, as a service rotating its
   * connections does: `graceful` (default) sends a GOAWAY (NO_ERROR) on every HTTP/2 session, lets
   * its streams in flight finish and closes HTTP/1.1 connections once idle; `immediate` destroys
   * them all now and the calls in flight fail. It affects every client of the stack, in every test
   * file. Resolves with what it closed.
   * @throws LocalStackError `LOCAL_STACK_NO_FRONT` when the endpoint is not a kinesis-ts-local stack.
   */
  closeKinesisSessions(options?: { mode?: CloseSessionsMode }): Promise<CloseSessionsResult>;
  /**
   * The Kinesis front's counters: requests per HTTP version, requests to the emulator in flight
   * and aborted, sessions open (for the whole stack, every client of it included).
   * @throws LocalStackError `LOCAL_STACK_NO_FRONT` when the endpoint is not a kinesis-ts-local stack.
   */
  kinesisFrontStats(): Promise<KinesisFrontStats>;
  /** Destroys every client this connection built. The services keep running. */
  close(): void;
}

/** What `connectLocalStack` needs: endpoints, and optionally region and credentials. */
export interface LocalStackConnectionInfo {
  /** Plain-HTTP endpoint of the local Kinesis. */
  kinesisEndpoint: string;
  /** Endpoint of the DynamoDB server. */
  dynamoDbEndpoint: string;
  /**
   * Region of the services.
   * @defaultValue 'us-east-1'
   */
  region?: string;
  /**
   * Credentials to sign with.
   * @defaultValue {@link LOCAL_CREDENTIALS}
   */
  credentials?: LocalCredentials;
  /** Endpoint of a local S3 server (a stack started with `s3: true`). */
  s3Endpoint?: string;
}

function requireUrl(field: string, value: unknown): string {
  if (typeof value !== 'string' || !/^https?:\/\/[^/]+/.test(value)) {
    throw new ValidationError(
      field,
      'an http(s) URL such as http://127.0.0.1:4568',
      `got ${String(value)}`,
      CoreErrorCode.INVALID_OPTION,
    );
  }
  return value;
}

/**
 * Connects to local services that are already running (for example the ones a vitest global setup
 * or the `kinesis-ts-local` CLI started) without starting anything.
 */
export function connectLocalStack(info: LocalStackConnectionInfo): LocalStackConnection {
  rejectUnknownOptions(
    info,
    ['kinesisEndpoint', 'dynamoDbEndpoint', 'region', 'credentials', 's3Endpoint'],
    'connectLocalStack',
  );
  const endpoints: LocalStackEndpoints = Object.freeze({
    kinesisEndpoint: requireUrl('kinesisEndpoint', info.kinesisEndpoint),
    dynamoDbEndpoint: requireUrl('dynamoDbEndpoint', info.dynamoDbEndpoint),
    region: info.region ?? 'us-east-1',
    credentials: Object.freeze({ ...(info.credentials ?? LOCAL_CREDENTIALS) }),
    ...(info.s3Endpoint === undefined ? {} : { s3Endpoint: requireUrl('s3Endpoint', info.s3Endpoint) }),
  });
  const clients = new Set<{ destroy(): void }>();
  let admin: KinesisClient | undefined;
  const adminClient = () => {
    admin ??= track(createLocalKinesisClient(endpoints));
    return admin;
  };
  function track<T extends { destroy(): void }>(client: T): T {
    clients.add(client);
    return client;
  }
  const connection: LocalStackConnection = {
    kinesisEndpoint: endpoints.kinesisEndpoint,
    dynamoDbEndpoint: endpoints.dynamoDbEndpoint,
    region: endpoints.region,
    s3Endpoint: endpoints.s3Endpoint,
    get credentials() {
      return copyCredentials(endpoints.credentials);
    },
    kinesisClient: (overrides) => track(createLocalKinesisClient(endpoints, overrides)),
    dynamoDbClient: (overrides) => track(createLocalDynamoDbClient(endpoints, overrides)),
    createStream: (streamName, shardCount, options) =>
      createStreamAndWait(adminClient(), streamName, shardCount, options),
    deleteStream: (streamName, options) => deleteStreamAndWait(adminClient(), streamName, options),
    environment: () => localStackEnvironment(endpoints),
    closeKinesisSessions: async (options = {}) => {
      rejectUnknownOptions(options, ['mode'], 'closeKinesisSessions');
      const mode = options.mode ?? 'graceful';
      if (mode !== 'graceful' && mode !== 'immediate') {
        throw new ValidationError(
          'mode',
          "'graceful' or 'immediate'",
          `got ${String(mode)}`,
          CoreErrorCode.INVALID_OPTION,
        );
      }
      return requestFrontControl<CloseSessionsResult>(
        endpoints.kinesisEndpoint,
        'POST',
        `close-sessions?mode=${mode}`,
      );
    },
    kinesisFrontStats: () =>
      requestFrontControl<KinesisFrontStats>(endpoints.kinesisEndpoint, 'GET', 'stats'),
    close: () => {
      for (const client of clients) client.destroy();
      clients.clear();
      admin = undefined;
    },
  };
  return connection;
}

/**
 * A stream or table name that no other test in the run uses: `prefix`, a timestamp and a random
 * suffix (valid for Kinesis streams and DynamoDB tables).
 */
export function uniqueName(prefix = 'test'): string {
  return `${prefix}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
}
