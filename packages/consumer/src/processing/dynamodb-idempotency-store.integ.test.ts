import { describe, expect, it } from 'vitest';
import { readMark, useIdempotencyTables } from '../../test/idempotency-table.js';
import { useLocalStack } from '../../test/local-stack.js';
import { DynamoDbIdempotencyStore } from './dynamodb-idempotency-store.js';
import { idempotent } from './idempotent.js';

const local = useLocalStack();
const dynamoDb = local.dynamoDbClient();
const createTable = useIdempotencyTables(dynamoDb);

const storeOn = (tableName: string, leaseDurationMs = 30_000) =>
  new DynamoDbIdempotencyStore({ client: dynamoDb, tableName, leaseDurationMs });

describe('DynamoDbIdempotencyStore on the local DynamoDB', () => {
  it('claims, sees the claim from another worker, completes with a TTL in epoch seconds, then skips (SC-18, SC-20)', async () => {
    const tableName = await createTable();
    const workerA = storeOn(tableName);
    const workerB = storeOn(tableName);
    const before = Date.now();
    const claimed = await workerA.claim('order-1');
    expect(claimed.status).toBe('claimed');
    const seen = await workerB.claim('order-1');
    expect(seen.status).toBe('in-progress');
    if (claimed.status !== 'claimed') throw new Error('unreachable');
    await workerA.complete(claimed.claim);
    const after = Date.now();
    expect(await workerB.claim('order-1')).toEqual({ status: 'done' });
    expect(await workerA.claim('order-1')).toEqual({ status: 'done' });
    const mark = await readMark(dynamoDb, tableName, 'order-1');
    expect(mark?.status).toBe('DONE');
    const ttl = Number(mark?.expiresAt);
    expect(ttl).toBeGreaterThanOrEqual(Math.floor(before / 1000) + 691_200);
    expect(ttl).toBeLessThanOrEqual(Math.floor(after / 1000) + 691_200);
    expect(String(ttl)).toHaveLength(10); // seconds, not milliseconds
  });

  it('lets exactly one of several racing workers claim each id', async () => {
    const tableName = await createTable();
    const stores = [storeOn(tableName), storeOn(tableName), storeOn(tableName)];
    const ids = Array.from({ length: 20 }, (_, i) => `e-${i}`);
    const results = await Promise.all(
      ids.flatMap((id) => stores.map(async (store) => ({ id, status: (await store.claim(id)).status }))),
    );
    for (const id of ids) {
      const statuses = results.filter((r) => r.id === id).map((r) => r.status);
      expect(statuses.filter((s) => s === 'claimed')).toHaveLength(1);
      expect(statuses.filter((s) => s === 'in-progress')).toHaveLength(2);
    }
  });

  it('lets another worker take over a claim whose holder died once its lease expired', async () => {
    const tableName = await createTable();
    const crashed = await storeOn(tableName, 1_000).claim('e1');
    expect(crashed.status).toBe('claimed');
    const survivor = storeOn(tableName, 1_000);
    expect((await survivor.claim('e1')).status).toBe('in-progress');
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    const taken = await survivor.claim('e1');
    expect(taken.status).toBe('claimed');
    // the dead worker's late release must not drop the new claim
    if (crashed.status === 'claimed') await storeOn(tableName).release(crashed.claim);
    expect((await storeOn(tableName).claim('e1')).status).toBe('in-progress');
  });

  it('runs a side effect that failed twice a third time, exactly once, and skips it afterwards (SC-19)', async () => {
    const tableName = await createTable();
    const store = storeOn(tableName);
    let calls = 0;
    let completed = 0;
    const handle = idempotent(
      store,
      (id: string) => id,
      () => {
        calls++;
        if (calls <= 2) throw new Error(`failure ${calls}`);
        completed++;
      },
    );
    await expect(handle('e1')).rejects.toThrow('failure 1');
    expect(await readMark(dynamoDb, tableName, 'e1')).toBeUndefined(); // the claim was released
    await expect(handle('e1')).rejects.toThrow('failure 2');
    expect(await handle('e1')).toBe('processed');
    expect(await handle('e1')).toBe('duplicate');
    expect(
      await idempotent(
        storeOn(tableName),
        (id: string) => id,
        () => completed++,
      )('e1'),
    ).toBe('duplicate');
    expect(completed).toBe(1);
    expect(calls).toBe(3);
  });
});
