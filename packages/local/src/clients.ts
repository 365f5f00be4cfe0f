import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { KinesisClient, type KinesisClientConfig } from '@aws-sdk/client-kinesis';
import { NodeHttpHandler } from '@smithy/node-http-handler';

/** Static dummy credentials: both emulators accept any. */
export interface LocalCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}

/** The credentials the helpers use and the CLI exports. */
export const LOCAL_CREDENTIALS: LocalCredentials = Object.freeze({
  accessKeyId: 'local',
  secretAccessKey: 'local',
});

/** Where the local services are: what a process needs to build clients for them. Serializable. */
export interface LocalStackEndpoints {
  /** Plain-HTTP endpoint of the Kinesis emulator, e.g. `http://127.0.0.1:4568`. */
  readonly kinesisEndpoint: string;
  /** Endpoint of the DynamoDB server, e.g. `http://127.0.0.1:8000`. */
  readonly dynamoDbEndpoint: string;
  /** The region both services run in. */
  readonly region: string;
  /** The dummy credentials to sign with. */
  readonly credentials: LocalCredentials;
}

/**
 * A `KinesisClient` for the local emulator: its endpoint and region, dummy static credentials and
 * an HTTP/1.1 `NodeHttpHandler`. kinesis-local breaks on HTTP/2 (the SDK's default for Kinesis) for
 * larger requests and for SubscribeToShard; over HTTP/1.1 everything works, including the
 * SubscribeToShard event stream. `overrides` are applied last.
 */
export function createLocalKinesisClient(
  endpoints: LocalStackEndpoints,
  overrides: Partial<KinesisClientConfig> = {},
): KinesisClient {
  return new KinesisClient({
    endpoint: endpoints.kinesisEndpoint,
    region: endpoints.region,
    credentials: { ...endpoints.credentials },
    requestHandler: new NodeHttpHandler(),
    ...overrides,
  });
}

/** A `DynamoDBClient` for the local DynamoDB server; `overrides` are applied last. */
export function createLocalDynamoDbClient(
  endpoints: LocalStackEndpoints,
  overrides: Partial<DynamoDBClientConfig> = {},
): DynamoDBClient {
  return new DynamoDBClient({
    endpoint: endpoints.dynamoDbEndpoint,
    region: endpoints.region,
    credentials: { ...endpoints.credentials },
    ...overrides,
  });
}

/**
 * The environment variables that point the AWS CLI and the AWS SDKs at the local services
 * (`AWS_ENDPOINT_URL_KINESIS`, `AWS_ENDPOINT_URL_DYNAMODB`, region and dummy credentials).
 */
export function localStackEnvironment(endpoints: LocalStackEndpoints): Record<string, string> {
  return {
    AWS_ENDPOINT_URL_KINESIS: endpoints.kinesisEndpoint,
    AWS_ENDPOINT_URL_DYNAMODB: endpoints.dynamoDbEndpoint,
    AWS_REGION: endpoints.region,
    AWS_ACCESS_KEY_ID: endpoints.credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: endpoints.credentials.secretAccessKey,
  };
}
