import { CreateTableCommand, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { uniqueName } from '@kinesis-ts/local';
import { describe, expect, it } from 'vitest';
import { LeaseTable } from '../../src/leases/dynamodb/lease-table.js';
import { useLocalStack, useTestConsumers, useTestStreams, waitFor } from '../local-stack.js';

const local = useLocalStack();
const createStream = useTestStreams(local);
const kinesis = local.kinesisClient();
const dynamoDb = local.dynamoDbClient();
const consumer = useTestConsumers(kinesis, dynamoDb, { failoverTimeMs: 2_000 });

async function leaseTableWith(app: string, clientVersion: string): Promise<void> {
  const table = new LeaseTable({ client: dynamoDb, tableName: app, requestTimeoutMs: 5_000 });
  await table.create();
  await table.waitUntilActive(10_000, 100);
  await dynamoDb.send(
    new PutItemCommand({
      TableName: app,
      Item: {
        leaseKey: { S: 'Migration3.0' },
        cv: { S: clientVersion },
        mb: { S: 'java-worker-1' },
        mts: { N: String(Math.floor(Date.now() / 1000)) },
        h: { L: [] },
        entityType: { S: 'CLIENT_VERSION_MIGRATION' },
      },
    }),
  );
}

describe('a lease table shared with a Java KCL 3.x fleet (the Migration3.0 row)', () => {
  it('refuses to start beside a fleet in 3.x mode, naming the row', async () => {
    const streamName = uniqueName('kcl3');
    const app = uniqueName('app');
    await createStream(streamName, 1);
    await leaseTableWith(app, 'CLIENT_VERSION_3X');
    const error = await consumer({ streamName, applicationName: app })
      .start()
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'KCL3_FLEET', retryable: false });
    expect((error as Error).message).toContain(`Migration3.0 row of table ${app} says CLIENT_VERSION_3X`);
  });

  it('finds the row in <app>-CoordinatorState too (KCL 3.0 to 3.4)', async () => {
    const streamName = uniqueName('kcl3');
    const app = uniqueName('app');
    await createStream(streamName, 1);
    await dynamoDb.send(
      new CreateTableCommand({
        TableName: `${app}-CoordinatorState`,
        KeySchema: [{ AttributeName: 'key', KeyType: 'HASH' }],
        AttributeDefinitions: [{ AttributeName: 'key', AttributeType: 'S' }],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
    await dynamoDb.send(
      new PutItemCommand({
        TableName: `${app}-CoordinatorState`,
        Item: { key: { S: 'Migration3.0' }, cv: { S: 'CLIENT_VERSION_3X_WITH_ROLLBACK' } },
      }),
    );
    await expect(consumer({ streamName, applicationName: app }).start()).rejects.toMatchObject({
      code: 'KCL3_FLEET',
    });
  });

  it("runs as today beside a fleet in the KCL's 2.x-compatible mode, leaving the row as it was", async () => {
    const streamName = uniqueName('kcl2x');
    const app = uniqueName('app');
    await createStream(streamName, 1);
    await leaseTableWith(app, 'CLIENT_VERSION_UPGRADE_FROM_2X');
    const worker = consumer({ streamName, applicationName: app });
    await worker.start();
    await waitFor(() => worker.heldLeaseKeys().length === 1, 'the lease');
    const row = await dynamoDb.send(
      new GetItemCommand({ TableName: app, Key: { leaseKey: { S: 'Migration3.0' } } }),
    );
    expect(row.Item).toMatchObject({
      cv: { S: 'CLIENT_VERSION_UPGRADE_FROM_2X' },
      mb: { S: 'java-worker-1' },
    });
    expect(Object.keys(row.Item!).sort()).toEqual(['cv', 'entityType', 'h', 'leaseKey', 'mb', 'mts']);
  });
});
