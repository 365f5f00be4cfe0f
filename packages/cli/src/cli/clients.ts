import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { KinesisClient, type KinesisClientConfig } from '@aws-sdk/client-kinesis';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { checkEndpointMix, type ServiceEndpoint, serviceEndpoint } from './endpoints.js';

/** The HTTP versions the CLI's Kinesis client can speak (`--kinesis-http`). */
export type KinesisHttpVersion = '1.1' | '2';

/** Where the CLI's clients point. */
export interface ClientSettings {
  /** `--region`; else `AWS_REGION` / `AWS_DEFAULT_REGION`; else the SDK's default chain (profile). */
  readonly region?: string;
  /** `--endpoint`; else `AWS_ENDPOINT_URL_KINESIS`; else AWS. */
  readonly kinesisEndpoint?: string;
  /** `--dynamodb-endpoint`; else `AWS_ENDPOINT_URL_DYNAMODB`; else AWS. */
  readonly dynamoDbEndpoint?: string;
  /**
   * `--kinesis-http`: the HTTP version of the Kinesis client, `1.1` (an HTTP/1.1 `NodeHttpHandler`)
   * or `2` (the SDK's default HTTP/2 handler).
   * @defaultValue '1.1'
   */
  readonly kinesisHttp?: KinesisHttpVersion;
  /**
   * `--allow-mixed-endpoints`: allow one service on a local endpoint and the other on AWS.
   * @defaultValue false
   */
  readonly allowMixedEndpoints?: boolean;
  /** The environment to read (process.env for the bin). */
  readonly env: Readonly<Record<string, string | undefined>>;
}

/** The AWS clients a command uses, built on first use. */
export interface CliClients {
  kinesis(): KinesisClient;
  dynamoDb(): DynamoDBClient;
  /** Where they point, for messages. */
  describe(): { kinesisEndpoint: string; dynamoDbEndpoint: string; region: string };
  destroy(): void;
}

/**
 * Builds the CLI's clients: the default credential chain and region for real AWS; an explicit
 * endpoint (flag or `AWS_ENDPOINT_URL_*`) for @kinesis-ts/local or LocalStack, where dummy
 * credentials are used when none are configured (for a loopback endpoint only). Kinesis goes over
 * HTTP/1.1 (`NodeHttpHandler`) unless `kinesisHttp` is `'2'`: none of the CLI's calls need HTTP/2,
 * and LocalStack's Kinesis emulator breaks on it (the @kinesis-ts/local stack serves both).
 *
 * A client on AWS while the other service is local is refused (`CLI_MIXED_ENDPOINTS`) when it is
 * first used, unless `allowMixedEndpoints`; a malformed endpoint is refused at once
 * (`CLI_INVALID_ENDPOINT`).
 */
export function createClients(settings: ClientSettings): CliClients {
  const env = settings.env;
  const endpoints = {
    kinesis: serviceEndpoint('kinesis', settings.kinesisEndpoint, env),
    dynamodb: serviceEndpoint('dynamodb', settings.dynamoDbEndpoint, env),
  };
  const kinesisEndpoint = endpoints.kinesis.url;
  const dynamoDbEndpoint = endpoints.dynamodb.url;
  const configuredRegion = settings.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
  const regionFor = (endpoint: ServiceEndpoint) =>
    configuredRegion ?? (endpoint.local ? 'us-east-1' : undefined);
  const configuredCredentials =
    env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY
      ? {
          accessKeyId: env.AWS_ACCESS_KEY_ID,
          secretAccessKey: env.AWS_SECRET_ACCESS_KEY,
          sessionToken: env.AWS_SESSION_TOKEN,
        }
      : undefined;
  // dummy credentials only ever go to a loopback endpoint, never to AWS
  const credentialsFor = (endpoint: ServiceEndpoint) =>
    configuredCredentials ??
    (endpoint.local && !env.AWS_PROFILE ? { accessKeyId: 'local', secretAccessKey: 'local' } : undefined);
  const allowMixed = settings.allowMixedEndpoints ?? false;
  let kinesis: KinesisClient | undefined;
  let dynamoDb: DynamoDBClient | undefined;
  return {
    kinesis() {
      if (kinesis) return kinesis;
      checkEndpointMix('kinesis', endpoints, allowMixed);
      const config: KinesisClientConfig =
        settings.kinesisHttp === '2' ? {} : { requestHandler: new NodeHttpHandler() };
      const region = regionFor(endpoints.kinesis);
      const credentials = credentialsFor(endpoints.kinesis);
      if (region) config.region = region;
      if (kinesisEndpoint) config.endpoint = kinesisEndpoint;
      if (credentials) config.credentials = credentials;
      kinesis = new KinesisClient(config);
      return kinesis;
    },
    dynamoDb() {
      if (dynamoDb) return dynamoDb;
      checkEndpointMix('dynamodb', endpoints, allowMixed);
      const config: DynamoDBClientConfig = {};
      const region = regionFor(endpoints.dynamodb);
      const credentials = credentialsFor(endpoints.dynamodb);
      if (region) config.region = region;
      if (dynamoDbEndpoint) config.endpoint = dynamoDbEndpoint;
      if (credentials) config.credentials = credentials;
      dynamoDb = new DynamoDBClient(config);
      return dynamoDb;
    },
    describe: () => ({
      kinesisEndpoint: kinesisEndpoint ?? 'AWS',
      dynamoDbEndpoint: dynamoDbEndpoint ?? 'AWS',
      region: configuredRegion ?? (endpoints.kinesis.local ? 'us-east-1' : '(SDK default)'),
    }),
    destroy() {
      kinesis?.destroy();
      dynamoDb?.destroy();
      kinesis = undefined;
      dynamoDb = undefined;
    },
  };
}
