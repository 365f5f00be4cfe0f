import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { KinesisClient, type KinesisClientConfig } from '@aws-sdk/client-kinesis';
import { NodeHttpHandler } from '@smithy/node-http-handler';

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

function isLoopback(url: string | undefined): boolean {
  if (!url) return false;
  try {
    const host = new URL(url).hostname;
    return host === 'localhost' || host === '[::1]' || host === '::1' || host.startsWith('127.');
  } catch {
    return false;
  }
}

/**
 * Builds the CLI's clients: the default credential chain and region for real AWS; an explicit
 * endpoint (flag or `AWS_ENDPOINT_URL_*`) for @kinesis-ts/local or LocalStack, where dummy
 * credentials are used when none are configured. Kinesis goes over HTTP/1.1 (`NodeHttpHandler`)
 * unless `kinesisHttp` is `'2'`: none of the CLI's calls need HTTP/2, and LocalStack's Kinesis
 * emulator breaks on it (the @kinesis-ts/local stack serves both).
 */
export function createClients(settings: ClientSettings): CliClients {
  const env = settings.env;
  const kinesisEndpoint = settings.kinesisEndpoint ?? env.AWS_ENDPOINT_URL_KINESIS ?? env.AWS_ENDPOINT_URL;
  const dynamoDbEndpoint = settings.dynamoDbEndpoint ?? env.AWS_ENDPOINT_URL_DYNAMODB ?? env.AWS_ENDPOINT_URL;
  const local = isLoopback(kinesisEndpoint) || isLoopback(dynamoDbEndpoint);
  const region =
    settings.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? (local ? 'us-east-1' : undefined);
  const credentials =
    env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY
      ? {
          accessKeyId: env.AWS_ACCESS_KEY_ID,
          secretAccessKey: env.AWS_SECRET_ACCESS_KEY,
          sessionToken: env.AWS_SESSION_TOKEN,
        }
      : local && !env.AWS_PROFILE
        ? { accessKeyId: 'local', secretAccessKey: 'local' }
        : undefined;
  let kinesis: KinesisClient | undefined;
  let dynamoDb: DynamoDBClient | undefined;
  return {
    kinesis() {
      const config: KinesisClientConfig =
        settings.kinesisHttp === '2' ? {} : { requestHandler: new NodeHttpHandler() };
      if (region) config.region = region;
      if (kinesisEndpoint) config.endpoint = kinesisEndpoint;
      if (credentials) config.credentials = credentials;
      kinesis ??= new KinesisClient(config);
      return kinesis;
    },
    dynamoDb() {
      const config: DynamoDBClientConfig = {};
      if (region) config.region = region;
      if (dynamoDbEndpoint) config.endpoint = dynamoDbEndpoint;
      if (credentials) config.credentials = credentials;
      dynamoDb ??= new DynamoDBClient(config);
      return dynamoDb;
    },
    describe: () => ({
      kinesisEndpoint: kinesisEndpoint ?? 'AWS',
      dynamoDbEndpoint: dynamoDbEndpoint ?? 'AWS',
      region: region ?? '(SDK default)',
    }),
    destroy() {
      kinesis?.destroy();
      dynamoDb?.destroy();
      kinesis = undefined;
      dynamoDb = undefined;
    },
  };
}
