/**
 * Runs the tenant consumer on a local Kinesis and DynamoDB (started here): two tenants at first, a
 * third added after a few seconds, events printed with their tenant. Ctrl-C stops it gracefully.
 */
import { PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { startLocalStack } from '@kinesis-ts/local';
import { createTenantConsumer, tenantStream } from './tenant-consumer.js';

const stack = await startLocalStack();
const kinesisClient = stack.kinesisClient();
const tenants = ['acme', 'globex'];
for (const tenant of [...tenants, 'initech']) await stack.createStream(tenantStream(tenant), 2);

async function putEvents(tenant: string, count: number): Promise<void> {
  const Records = Array.from({ length: count }, (_, i) => ({
    PartitionKey: `${tenant}-user-${i % 3}`,
    Data: new TextEncoder().encode(JSON.stringify({ tenant, n: i })),
  }));
  await kinesisClient.send(new PutRecordsCommand({ StreamName: tenantStream(tenant), Records }));
}

const consumer = createTenantConsumer({
  applicationName: 'tenant-events',
  kinesisClient,
  dynamoDbClient: stack.dynamoDbClient(),
  listTenants: async () => tenants,
  streamSyncIntervalMs: 2_000,
  handleEvent: async (tenant, event, shardId) => console.log(`${tenant} ${shardId}:`, event),
});
consumer.on('stream:added', ({ streamName, streamIdentifier }) =>
  console.log(`consuming ${streamName} (leases ${streamIdentifier}:<shardId>)`),
);
await consumer.start();
await putEvents('acme', 3);
await putEvents('globex', 3);
setTimeout(() => {
  console.log('a new tenant: initech');
  tenants.push('initech');
  void putEvents('initech', 3);
}, 4_000);

process.once('SIGINT', () => {
  void consumer.stop().then(async () => {
    await stack.stop();
    process.exit(0);
  });
});
