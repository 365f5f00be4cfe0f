import { KinesisConsumer } from '@kinesis-ts/consumer';
import { KINESIS_TRANSPORTS, type KinesisTransport, uniqueName } from '@kinesis-ts/local';
import { afterEach, describe, expect, it } from 'vitest';
import { cli, stdinLines, useLocalStack, useTestStreams, waitFor } from '../../test/harness.js';

const local = useLocalStack();
const createStream = useTestStreams(local);
const consumers: KinesisConsumer[] = [];
afterEach(async () => {
  await Promise.all(consumers.splice(0).map((consumer) => consumer.stop()));
});

function consumer(stream: string, app: string, seen: string[], transport: KinesisTransport): KinesisConsumer {
  const created = new KinesisConsumer({
    streamName: stream,
    applicationName: app,
    kinesisClient: local.kinesisClient({ transport }),
    dynamoDbClient: local.dynamoDbClient(),
    initialPosition: 'TRIM_HORIZON',
    failoverTimeMs: 2_000,
    retrieval: { mode: 'polling', idleTimeBetweenReadsMs: 200 },
    handler: async (records) => {
      for (const record of records) seen.push(new TextDecoder().decode(record.data));
    },
  });
  consumers.push(created);
  return created;
}

describe.each(KINESIS_TRANSPORTS)(
  'kinesis-ts leases, reset-checkpoint and lag on the local stack, Kinesis over %s',
  (transport) => {
    const run = (argv: readonly string[], options: Parameters<typeof cli>[2] = {}) =>
      cli(local, argv, { ...options, transport });

    it('lists leases, refuses a reset while the worker runs, resets after it stops, and the consumer replays', async () => {
      const stream = await createStream(uniqueName('cli-reset'), 2);
      const app = uniqueName('cli-reset-app');
      const lines = Array.from({ length: 20 }, (_, i) => `order-${i}`);
      await run(['put', stream], { stdin: stdinLines(lines) });
      const seen: string[] = [];
      const worker = consumer(stream, app, seen, transport);
      await worker.start();
      await waitFor(() => seen.length >= 20, 'the first pass');

      const leases = await run(['leases', '--app', app, '--stream', stream]);
      expect(leases.code).toBe(0);
      expect(leases.stdout).toMatch(/^LEASE\s+STATE\s+OWNER\s+CHECKPOINT\s+LAG\s+PARENTS\s+CHILDREN$/m);
      expect(leases.stdout).toMatch(/shardId-000000000000\s+held\s+\S+\s+(\d+|TRIM_HORIZON)\s+\d+ ms/);
      const json = JSON.parse((await run(['leases', '--app', app, '--json'])).stdout);
      expect(json.leases).toHaveLength(2);
      expect(json.leases[0]).toMatchObject({ state: 'held', leaseOwner: worker.workerId });

      const refused = await run(['reset-checkpoint', '--app', app, '--to', 'TRIM_HORIZON']);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toMatch(
        /Refusing to reset 2 lease\(s\) that live workers hold .*Nothing was changed.*\[ADMIN_LEASES_HELD\]/,
      );
      const dry = await run(['reset-checkpoint', '--app', app, '--to', 'TRIM_HORIZON', '--dry-run']);
      expect(dry.code).toBe(0);
      expect(dry.stdout).toMatch(/Would reset 2 checkpoint\(s\)/);
      expect(dry.stdout).toMatch(/Without --force this reset would be refused/);

      await worker.stop();
      const reset = await run(['reset-checkpoint', '--app', app, '--to', 'TRIM_HORIZON']);
      expect(reset.code).toBe(0);
      expect(reset.stdout).toMatch(/Reset 2 checkpoint\(s\) of .* to TRIM_HORIZON/);
      const after = JSON.parse((await run(['leases', '--app', app, '--json'])).stdout);
      expect(
        after.leases.map(
          (lease: { checkpoint: { sequenceNumber: string } }) => lease.checkpoint.sequenceNumber,
        ),
      ).toEqual(['TRIM_HORIZON', 'TRIM_HORIZON']);

      const replayed: string[] = [];
      await consumer(stream, app, replayed, transport).start();
      await waitFor(() => replayed.length >= 20, 'the replay');
      expect([...replayed].sort()).toEqual([...lines].sort());
    });

    it('reports uniform lag when every shard is behind, and what a one-shard reset to a sequence number changes', async () => {
      const stream = await createStream(uniqueName('cli-lag'), 2);
      const app = uniqueName('cli-lag-app');
      await run(['put', stream], {
        stdin: stdinLines(Array.from({ length: 10 }, (_, i) => `early-${i}`)),
      });
      const seen: string[] = [];
      const worker = consumer(stream, app, seen, transport);
      await worker.start();
      await waitFor(() => seen.length >= 10, 'the first pass');
      await worker.stop();
      await run(['put', stream], {
        stdin: stdinLines(Array.from({ length: 40 }, (_, i) => `late-${i}`)),
      });
      await new Promise((resolve) => setTimeout(resolve, 1_500));

      const lag = await run(['lag', '--app', app, '--stream', stream, '--threshold-ms', '1000']);
      expect(lag.code).toBe(0);
      expect(lag.stdout).toMatch(/UNIFORM: 2 of 2 shards are more than 1 s behind/);
      const healthy = JSON.parse((await run(['lag', '--app', app, '--stream', stream, '--json'])).stdout);
      expect(healthy.diagnosis.verdict).toBe('healthy');
      expect(healthy.shards[0].lagMs).toBeGreaterThanOrEqual(1_000);

      const leases = JSON.parse((await run(['leases', '--app', app, '--json'])).stdout);
      const checkpoint = leases.leases[0].checkpoint.sequenceNumber as string;
      const dry = await run([
        'reset-checkpoint',
        '--app',
        app,
        '--stream',
        stream,
        '--shard',
        'shardId-000000000000',
        '--at-sequence',
        checkpoint,
        '--dry-run',
        '--json',
      ]);
      const plan = JSON.parse(dry.stdout);
      expect(plan).toMatchObject({ dryRun: true, applied: false });
      expect(plan.changes).toHaveLength(1);
      expect(plan.changes[0].leaseKey).toBe('shardId-000000000000');
    });

    it('fails clearly on an unknown application or shard, and without a stream for a timestamp', async () => {
      const noTable = await run(['leases', '--app', uniqueName('no-such-app')]);
      expect(noTable.code).toBe(1);
      expect(noTable.stderr).toMatch(/Lease table .* does not exist .*\[ADMIN_TABLE_NOT_FOUND\]/);
      const stream = await createStream(uniqueName('cli-reset-bad'), 1);
      const app = uniqueName('cli-reset-bad-app');
      await run(['put', stream], { stdin: stdinLines(['a']) });
      const seen: string[] = [];
      const worker = consumer(stream, app, seen, transport);
      await worker.start();
      await waitFor(() => seen.length >= 1, 'the record');
      await worker.stop();
      const before = (await run(['leases', '--app', app, '--json'])).stdout;
      const noShard = await run([
        'reset-checkpoint',
        '--app',
        app,
        '--to',
        'LATEST',
        '--shard',
        'shardId-000000000005',
      ]);
      expect(noShard.code).toBe(1);
      expect(noShard.stderr).toMatch(/No lease for shardId-000000000005 .*\[ADMIN_LEASE_NOT_FOUND\]/);
      const noStream = await run(['reset-checkpoint', '--app', app, '--timestamp', '1h']);
      expect(noStream.code).toBe(1);
      expect(noStream.stderr).toMatch(/give kinesisClient and streamName/);
      expect((await run(['leases', '--app', app, '--json'])).stdout).toBe(before);
    });
  },
);
