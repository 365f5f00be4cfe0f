import { PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { uniqueName } from '@kinesis-ts/local';
import { useLocalStack } from '@kinesis-ts/local/vitest';
import { expect, it } from 'vitest';
import { createTenantConsumer, tenantStream } from './tenant-consumer.js';

const local = useLocalStack();

it('consumes every tenant’s events with the tenant named, including a tenant added while running', async () => {
  const [a, b] = [uniqueName('t'), uniqueName('t')];
  await local.createStream(tenantStream(a), 1);
  await local.createStream(tenantStream(b), 1);
  const kinesisClient = local.kinesisClient();
  const put = (tenant: string) =>
    kinesisClient.send(
      new PutRecordsCommand({
        StreamName: tenantStream(tenant),
        Records: [{ PartitionKey: 'k', Data: new TextEncoder().encode(JSON.stringify({ tenant })) }],
      }),
    );
  const tenants = [a];
  const seen: string[] = [];
  const consumer = createTenantConsumer({
    applicationName: uniqueName('tenants'),
    kinesisClient,
    dynamoDbClient: local.dynamoDbClient(),
    listTenants: async () => tenants,
    streamSyncIntervalMs: 1_000,
    handleEvent: async (tenant, event) => {
      expect((event as { tenant: string }).tenant).toBe(tenant);
      seen.push(tenant);
    },
  });
  await consumer.start();
  try {
    await put(a);
    tenants.push(b);
    await put(b);
    for (let i = 0; i < 200 && seen.length < 2; i++) await new Promise((r) => setTimeout(r, 100));
    expect(seen.sort()).toEqual([a, b].sort());
  } finally {
    await consumer.stop();
    await local.deleteStream(tenantStream(a));
    await local.deleteStream(tenantStream(b));
  }
}, 60_000);
