/**
 * Cost at scale: lease-table read and write capacity units per minute for 200 leases over 20 workers
 * at the default failover time (10 s), in steady state (every lease held), for two designs in the
 * same run against one counting in-process DynamoDB:
 *
 * - today's (KCL 2.x): every worker scans the whole table every taker interval (failover / 2);
 * - index discovery (KCL 3.x): every worker finds its leases with a Query on the
 *   `LeaseOwnerToLeaseKeyIndex` (plus a GetItem per new key), and only the leader scans, every
 *   2 × failover (the lease assignment interval).
 *
 * Units follow DynamoDB's rules: a Scan or Query costs its items' total size rounded up to 4 KB per
 * page, halved (eventually consistent); a consistent GetItem its item's size rounded up to 4 KB; a
 * write its item's size rounded up to 1 KB. Renewals (one write per lease per renewal interval) are
 * the same in both designs.
 *
 * Run with `npx -y pnpm@10 bench lease-cost`; the figures go to docs/benchmarks.md.
 */
import { LeaseTable } from '../../packages/consumer/src/leases/dynamodb/lease-table.js';
import { LeaseCoordinator } from '../../packages/consumer/src/leases/lease-coordinator.js';
import { FakeDynamoDb } from './consumer-fakes.js';
import { machineLine } from './harness.js';

const LEASES = 200;
const WORKERS = 20;
const FAILOVER_MS = 10_000;
const WARM_UP_MS = 12_000;
const MEASURE_MS = 60_000;

type AttributeValue = { S?: string; N?: string; SS?: string[] };
type Item = Record<string, AttributeValue>;
type Command = { constructor: { name: string }; input: Record<string, unknown> };

function itemBytes(item: Item): number {
  let bytes = 0;
  for (const [name, value] of Object.entries(item)) {
    bytes += name.length;
    if (value.S !== undefined) bytes += Buffer.byteLength(value.S);
    else if (value.N !== undefined) bytes += Math.ceil(value.N.length / 2) + 1;
    else if (value.SS) bytes += value.SS.reduce((sum, s) => sum + Buffer.byteLength(s), 0);
  }
  return bytes;
}

/** The fake DynamoDB plus a Query on the leaseOwner index, and capacity units counted per request. */
class CountingDynamoDb extends FakeDynamoDb {
  readUnits = 0;
  writeUnits = 0;
  readonly requests = new Map<string, number>();
  counting = false;

  override async send(command: Command): Promise<unknown> {
    const name = command.constructor.name.replace(/Command$/, '');
    if (this.counting) this.requests.set(name, (this.requests.get(name) ?? 0) + 1);
    const input = command.input as {
      TableName: string;
      Key?: Item;
      IndexName?: string;
      ExpressionAttributeValues?: Item;
    };
    if (name === 'Query') {
      const scan = (await super.send({
        constructor: { name: 'ScanCommand' },
        input: { TableName: input.TableName },
      })) as {
        Items: Item[];
      };
      const owner = input.ExpressionAttributeValues?.[':owner']?.S;
      const keys = scan.Items.filter((item) => item.leaseOwner?.S === owner).map((item) => ({
        leaseOwner: item.leaseOwner!,
        leaseKey: item.leaseKey!,
      }));
      this.read(keys, 0.5);
      return { Items: keys };
    }
    const output = (await super.send(command)) as { Items?: Item[]; Item?: Item };
    if (name === 'Scan') this.read(output.Items ?? [], 0.5);
    else if (name === 'GetItem') this.read(output.Item ? [output.Item] : [], 1);
    else if (name === 'UpdateItem' || name === 'PutItem' || name === 'DeleteItem') {
      if (this.counting) this.writeUnits += 1; // lease rows are well under 1 KB
    }
    return output;
  }

  /** One request's read units: its items' total size rounded up to 4 KB, times `factor` (0.5: eventually consistent). */
  private read(items: Item[], factor: number): void {
    if (!this.counting) return;
    const bytes = items.reduce((sum, item) => sum + itemBytes(item), 0);
    this.readUnits += Math.max(1, Math.ceil(bytes / 4096)) * factor;
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function measure(design: 'scan' | 'index') {
  const dynamoDb = new CountingDynamoDb();
  const table = new LeaseTable({
    client: dynamoDb as never,
    tableName: `cost-${design}`,
    requestTimeoutMs: 10_000,
  });
  await table.create();
  const workerIds = Array.from({ length: WORKERS }, (_, i) => `worker-${String(i).padStart(2, '0')}`);
  for (let i = 0; i < LEASES; i++) {
    await table.createLeaseIfNotExists({
      leaseKey: `shardId-${String(i).padStart(12, '0')}`,
      leaseOwner: workerIds[i % WORKERS],
      leaseCounter: 1,
      checkpoint: {
        sequenceNumber: '49590338271490256608559692538361571095921575989136588898',
        subSequenceNumber: 0,
      },
      ownerSwitchesSinceCheckpoint: 0,
      parentShardIds: [],
      childShardIds: [],
      hashKeyRange: { startingHashKey: '0', endingHashKey: '1701411834604692317316873037158841057' },
    });
  }
  const coordinators = workerIds.map(
    (workerId) =>
      new LeaseCoordinator({
        store: table,
        workerId,
        failoverTimeMs: FAILOVER_MS,
        renewalIntervalMs: Math.floor(FAILOVER_MS / 3) - 25,
        takerIntervalMs: FAILOVER_MS / 2,
        maxLeasesForWorker: Number.POSITIVE_INFINITY,
        maxLeasesToStealAtOneTime: 1,
        enablePriorityLeaseAssignment: true,
        now: () => Date.now(),
        random: Math.random,
        onLeaseTaken: () => {},
        onLeaseLost: () => {},
        discovery:
          design === 'index'
            ? {
                store: table,
                isLeader: () => workerId === workerIds[0],
                leaderScanIntervalMs: 2 * FAILOVER_MS,
              }
            : undefined,
      }),
  );
  for (const c of coordinators) {
    c.startRenewing();
    c.startTaking();
    void c.runTaker();
  }
  await sleep(WARM_UP_MS);
  const held = coordinators.reduce((sum, c) => sum + c.renewer.heldLeases().length, 0);
  dynamoDb.counting = true;
  await sleep(MEASURE_MS);
  dynamoDb.counting = false;
  await Promise.all(
    coordinators.map(async (c) => {
      await c.stopTaking();
      await c.stopRenewing();
    }),
  );
  const perMinute = 60_000 / MEASURE_MS;
  return {
    design,
    held,
    readUnits: dynamoDb.readUnits * perMinute,
    writeUnits: dynamoDb.writeUnits * perMinute,
    requests: Object.fromEntries([...dynamoDb.requests].map(([op, n]) => [op, Math.round(n * perMinute)])),
  };
}

const scan = await measure('scan');
const indexed = await measure('index');
console.log(
  `\n## Lease-table cost at scale (${LEASES} leases × ${WORKERS} workers, failover ${FAILOVER_MS} ms)\n`,
);
console.log(machineLine());
console.log('\n| design | leases held | read units / min | write units / min | requests / min |');
console.log('| --- | ---: | ---: | ---: | --- |');
for (const r of [scan, indexed]) {
  const label =
    r.design === 'scan'
      ? 'every worker scans (today, KCL 2.x)'
      : 'index discovery, only the leader scans (KCL 3.x)';
  const requests = Object.entries(r.requests)
    .sort()
    .map(([op, n]) => `${op} ${n}`)
    .join(', ');
  console.log(
    `| ${label} | ${r.held} | ${r.readUnits.toFixed(0)} | ${r.writeUnits.toFixed(0)} | ${requests} |`,
  );
}
console.log(`\nreads: ${(scan.readUnits / indexed.readUnits).toFixed(1)}× fewer with index discovery`);
