/**
 * One consumer application over one stream per tenant. The list of tenants is read from
 * `listTenants` (a database, a config service…) every `streamSyncIntervalMs`: a new tenant's stream
 * is consumed within one interval, a removed tenant's shards stop, and its leases are deleted after
 * `formerStreamsWaitMs` unless it comes back (the KCL's auto-detect deferred deletion).
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import { KinesisConsumer, type Logger } from '@kinesis-ts/consumer';

export interface TenantConsumerOptions {
  readonly applicationName: string;
  readonly kinesisClient: KinesisClient;
  readonly dynamoDbClient: DynamoDBClient;
  /** The tenants whose streams to read now; each tenant's stream is `events-<tenant>`. */
  readonly listTenants: () => Promise<readonly string[]>;
  /** What to do with one event of one tenant. */
  readonly handleEvent: (tenant: string, event: unknown, shardId: string) => Promise<void>;
  readonly streamSyncIntervalMs?: number;
  readonly formerStreamsWaitMs?: number;
  readonly logger?: Logger;
}

/** The stream of a tenant. */
export const tenantStream = (tenant: string): string => `events-${tenant}`;

export function createTenantConsumer(options: TenantConsumerOptions): KinesisConsumer {
  return new KinesisConsumer({
    applicationName: options.applicationName,
    kinesisClient: options.kinesisClient,
    dynamoDbClient: options.dynamoDbClient,
    initialPosition: 'TRIM_HORIZON',
    streams: async () =>
      (await options.listTenants()).map((tenant) => ({ streamName: tenantStream(tenant) })),
    streamSyncIntervalMs: options.streamSyncIntervalMs ?? 60_000,
    formerStreamsLeasesDeletion: {
      strategy: 'auto-detect-deferred',
      waitMs: options.formerStreamsWaitMs ?? 3_600_000,
    },
    logger: options.logger,
    handler: async (records, { streamName, shardId }) => {
      const tenant = streamName!.slice('events-'.length);
      for (const record of records) {
        await options.handleEvent(tenant, JSON.parse(new TextDecoder().decode(record.data)), shardId);
      }
    },
  });
}
