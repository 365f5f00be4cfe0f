import { DynamoDBClient, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import { InMemoryLeaseStore } from '../../test/in-memory-lease-store.js';
import { LeaseTable } from './dynamodb/lease-table.js';
import type { Lease } from './lease.js';
import { LeaseRenewer } from './lease-renewer.js';
import { LeaseThroughputMeter } from './lease-throughput-meter.js';

describe('lease throughput on renewals', () => {
  it('renewals write the EMA of the bytes delivered per renewal interval as throughputKBps', async () => {
    const store = new InMemoryLeaseStore();
    const written: (number | undefined)[] = [];
    const table = Object.create(store) as InMemoryLeaseStore;
    table.renewLease = (lease: Lease, signal?: AbortSignal, throughputKBps?: number) => {
      written.push(throughputKBps);
      return store.renewLease(lease, signal);
    };
    let now = 0;
    const meter = new LeaseThroughputMeter({ now: () => now, alpha: 0.5 });
    const renewer = new LeaseRenewer({
      table,
      workerId: 'me',
      failoverTimeMs: 10_000,
      renewalIntervalMs: 2_000,
      maxConcurrentRenewals: 20,
      now: () => now,
      random: () => 0,
      onLeaseLost: () => {},
      throughput: meter,
    });
    renewer.add(store.put({ leaseKey: 'a', leaseOwner: 'me', leaseCounter: 1 }), now);
    meter.record('a', 20 * 1024); // 20 KiB in 2 s: 10 KB/s
    now += 2_000;
    await renewer.renewAll();
    meter.record('a', 60 * 1024); // 30 KB/s: EMA 20
    now += 2_000;
    await renewer.renewAll();
    now += 2_000;
    await renewer.renewAll(); // nothing delivered: EMA 10
    expect(written).toEqual([10, 20, 10]);
  });

  it('the DynamoDB renewal sets throughputKBps only when given, under the same counter condition', async () => {
    const ddb = mockClient(DynamoDBClient);
    ddb.on(UpdateItemCommand).resolves({});
    const table = new LeaseTable({
      client: new DynamoDBClient({ region: 'us-east-1' }),
      tableName: 't',
      requestTimeoutMs: 1_000,
    });
    const lease: Lease = {
      leaseKey: 'shardId-0',
      leaseOwner: 'me',
      leaseCounter: 4,
      checkpoint: { sequenceNumber: 'LATEST', subSequenceNumber: 0 },
      ownerSwitchesSinceCheckpoint: 0,
      parentShardIds: [],
      childShardIds: [],
    };
    const renewed = await table.renewLease(lease, undefined, 12.3456);
    expect(renewed?.throughputKBps).toBe(12.3456);
    await table.renewLease(lease);
    const [withThroughput, without] = ddb.commandCalls(UpdateItemCommand).map((c) => c.args[0].input);
    expect(withThroughput).toMatchObject({
      UpdateExpression: 'SET #counter = :next, #throughput = :throughput',
      ConditionExpression: '#counter = :seen AND attribute_not_exists(#checkpointOwner)',
      ExpressionAttributeNames: { '#throughput': 'throughputKBps' },
      ExpressionAttributeValues: { ':throughput': { N: '12.346' } },
    });
    expect(without?.UpdateExpression).toBe('SET #counter = :next');
    ddb.restore();
  });
});
