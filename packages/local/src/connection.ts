import type { DynamoDBClient, DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import type { KinesisClient, KinesisClientConfig, StreamDescriptionSummary } from '@aws-sdk/client-kinesis';
import { ValidationError } from '@kinesis-ts/core';
import {
  createLocalDynamoDbClient,
  createLocalKinesisClient,
  LOCAL_CREDENTIALS,
  type LocalCredentials,
  type LocalStackEndpoints,
  localStackEnvironment,
} from './clients';
import { rejectUnknownOptions } from './options';
import { createStreamAndWait, deleteStreamAndWait, type StreamWaitOptions } from './streams';

/**
 * A handle on running local services (started here, in a vitest global setup or by the CLI):
 * their endpoints plus helpers that build correctly configured clients and manage streams.
 */
export interface LocalStackConnection extends LocalStackEndpoints {
  /**
   * A new `KinesisClient` for the emulator (HTTP/1.1 `NodeHttpHandler`, dummy credentials), with
   * `overrides` applied last. The connection destroys it on `close()` (or the stack on `stop()`).
   */
  kinesisClient(overrides?: Partial<KinesisClientConfig>): KinesisClient;
  /** A new `DynamoDBClient` for the local DynamoDB, destroyed on `close()` / `stop()`. */
  dynamoDbClient(overrides?: Partial<DynamoDBClientConfig>): DynamoDBClient;
  /** Creates a provisioned stream and resolves with its summary once it is ACTIVE. */
  createStream(
    streamName: string,
    shardCount: number,
    options?: StreamWaitOptions,
  ): Promise<StreamDescriptionSummary>;
  /** Deletes a stream (with its consumers) and resolves once it is gone; a missing stream is fine. */
  deleteStream(streamName: string, options?: StreamWaitOptions): Promise<void>;
  /** The environment variables that point the AWS CLI/SDKs here (see `localStackEnvironment`). */
  environment(): Record<string, string>;
  /** Destroys every client this connection built. The services keep running. */
  close(): void;
}

/** What `connectLocalStack` needs: endpoints, and optionally region and credentials. */
export interface LocalStackConnectionInfo {
  /** Plain-HTTP endpoint of the Kinesis emulator. */
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
}

function requireUrl(field: string, value: unknown): string {
  if (typeof value !== 'string' || !/^https?:\/\/[^/]+/.test(value)) {
    throw new ValidationError(
      field,
      'an http(s) URL such as http://127.0.0.1:4568',
      `got ${String(value)}`,
      'INVALID_OPTION',
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
    ['kinesisEndpoint', 'dynamoDbEndpoint', 'region', 'credentials'],
    'connectLocalStack',
  );
  const endpoints: LocalStackEndpoints = Object.freeze({
    kinesisEndpoint: requireUrl('kinesisEndpoint', info.kinesisEndpoint),
    dynamoDbEndpoint: requireUrl('dynamoDbEndpoint', info.dynamoDbEndpoint),
    region: info.region ?? 'us-east-1',
    credentials: Object.freeze({ ...(info.credentials ?? LOCAL_CREDENTIALS) }),
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
  return {
    ...endpoints,
    kinesisClient: (overrides) => track(createLocalKinesisClient(endpoints, overrides)),
    dynamoDbClient: (overrides) => track(createLocalDynamoDbClient(endpoints, overrides)),
    createStream: (streamName, shardCount, options) =>
      createStreamAndWait(adminClient(), streamName, shardCount, options),
    deleteStream: (streamName, options) => deleteStreamAndWait(adminClient(), streamName, options),
    environment: () => localStackEnvironment(endpoints),
    close: () => {
      for (const client of clients) client.destroy();
      clients.clear();
      admin = undefined;
    },
  };
}

/**
 * A stream or table name that no other test in the run uses: `prefix`, a timestamp and a random
 * suffix (valid for Kinesis streams and DynamoDB tables).
 */
export function uniqueName(prefix = 'test'): string {
  return `${prefix}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
}
