import { ListShardsCommand } from '@aws-sdk/client-kinesis';
import { KINESIS_TRANSPORTS, uniqueName } from '@kinesis-ts/local';
import { KinesisProducer, type PutResult } from '@kinesis-ts/producer';
import { describe, expect, it } from 'vitest';
import { cli, jsonLines, useLocalStack, useTestStreams } from '../../test/harness.js';

const local = useLocalStack();
const createStream = useTestStreams(local);
const kinesis = local.kinesisClient();

/** The stream's shards, read over HTTP/1.1 (a check independent of the CLI's transport). */
async function shards(stream: string) {
  const output = await kinesis.send(new ListShardsCommand({ StreamName: stream }));
  return (output.Shards ?? []).map((shard) => ({
    shardId: shard.ShardId!,
    start: shard.HashKeyRange!.StartingHashKey!,
    end: shard.HashKeyRange!.EndingHashKey!,
    parent: shard.ParentShardId,
    open: shard.SequenceNumberRange?.EndingSequenceNumber === undefined,
  }));
}

const put = (producer: KinesisProducer, prefix: string, count: number): Promise<PutResult[]> =>
  Promise.all(
    Array.from({ length: count }, (_, i) =>
      producer.put({ partitionKey: `${prefix}-${i}`, data: new TextEncoder().encode(`${prefix}-${i}`) }),
    ),
  );

describe.each(KINESIS_TRANSPORTS)(
  'kinesis-ts split, merge and scale on the local stack, Kinesis over %s',
  (transport) => {
    const run = (argv: readonly string[], options: Parameters<typeof cli>[2] = {}) =>
      cli(local, argv, { ...options, transport });

    it('splits a hot shard at its midpoint while a producer writes, and the producer follows into the children', async () => {
      const stream = await createStream(uniqueName('cli-split'), 1);
      const producer = new KinesisProducer({
        streamName: stream,
        client: local.kinesisClient({ transport }),
      });
      try {
        const before = await put(producer, 'before', 50);
        expect(new Set(before.map((r) => r.shardId))).toEqual(new Set(['shardId-000000000000']));

        const split = await run(['split', stream, '--shard', 'shardId-000000000000']);
        expect(split.stderr).toBe('');
        expect(split.code).toBe(0);
        expect(split.stdout).toMatch(
          /split shardId-000000000000 at hash key 170141183460469231731687303715884105727/,
        );
        expect(split.stdout).toMatch(/New shards:/);
        const after = await shards(stream);
        const children = after.filter((shard) => shard.parent === 'shardId-000000000000');
        expect(children.map((c) => [c.start, c.end])).toEqual([
          ['0', '170141183460469231731687303715884105726'],
          ['170141183460469231731687303715884105727', '340282366920938463463374607431768211455'],
        ]);

        // the producer keeps working: every record lands, and those after the split land in the children
        const later = await put(producer, 'after', 200);
        const childIds = new Set(children.map((c) => c.shardId));
        expect(later.every((r) => childIds.has(r.shardId))).toBe(true);
        expect(new Set(later.map((r) => r.shardId)).size).toBe(2);

        const tail = await run([
          'tail',
          stream,
          '--shard',
          children[0]!.shardId,
          '--shard',
          children[1]!.shardId,
          '--json',
        ]);
        const landed = jsonLines<{ data: string }>(tail.stdout).map((r) => r.data);
        expect(landed.sort()).toEqual(later.map((_, i) => `after-${i}`).sort());

        // a closed shard cannot be split again; nothing changes
        const closed = await run(['split', stream, '--shard', 'shardId-000000000000']);
        expect(closed.code).toBe(1);
        expect(closed.stderr).toMatch(/Shard shardId-000000000000 is closed .*\[CLI_SHARD_CLOSED\]/);
        expect(await shards(stream)).toEqual(after);
      } finally {
        await producer.close();
      }
    });

    it('merges two adjacent shards and refuses shards that are not adjacent', async () => {
      const stream = await createStream(uniqueName('cli-merge'), 3);
      const before = await shards(stream);
      const notAdjacent = await run([
        'merge',
        stream,
        '--shard',
        'shardId-000000000000',
        '--shard',
        'shardId-000000000002',
      ]);
      expect(notAdjacent.code).toBe(1);
      expect(notAdjacent.stderr).toMatch(/are not adjacent.*\[CLI_SHARDS_NOT_ADJACENT\]/);
      expect(await shards(stream)).toEqual(before);

      const dry = await run([
        'merge',
        stream,
        '--shard',
        'shardId-000000000001',
        '--shard',
        'shardId-000000000000',
        '--dry-run',
      ]);
      expect(dry.stdout).toMatch(
        /Dry run, nothing changed. Would merge shardId-000000000000 and shardId-000000000001/,
      );
      expect(await shards(stream)).toEqual(before);

      const merged = await run([
        'merge',
        stream,
        '--shard',
        'shardId-000000000001',
        '--shard',
        'shardId-000000000000',
        '--json',
      ]);
      expect(merged.code).toBe(0);
      const result = JSON.parse(merged.stdout);
      expect(result.plan).toMatchObject({
        shardToMerge: 'shardId-000000000000',
        adjacentShardToMerge: 'shardId-000000000001',
      });
      expect(result.newShards).toHaveLength(1);
      expect(result.newShards[0]).toMatchObject({
        startingHashKey: before[0]!.start,
        endingHashKey: before[1]!.end,
        parentShardId: 'shardId-000000000000',
        adjacentParentShardId: 'shardId-000000000001',
      });
    });

    it('scales within the service bounds, refuses beyond them, and sizes a stream', async () => {
      const stream = await createStream(uniqueName('cli-scale'), 2);
      const tooFar = await run(['scale', stream, '--to', '5']);
      expect(tooFar.code).toBe(1);
      expect(tooFar.stderr).toMatch(
        /Cannot scale from 2 to 5 shards in one call: UpdateShardCount allows 1 to 4.*\[CLI_SCALE_OUT_OF_BOUNDS\]/,
      );
      const capped = await run(['scale', stream, '--to', '4', '--max-shards', '3']);
      expect(capped.stderr).toMatch(/above the maximum of 3/);
      expect((await shards(stream)).filter((s) => s.open)).toHaveLength(2);

      const scaled = await run(['scale', stream, '--to', '4']);
      expect(scaled.code).toBe(0);
      expect(scaled.stdout).toMatch(/scale .* from 2 to 4 open shards/);
      expect((await shards(stream)).filter((s) => s.open)).toHaveLength(4);

      const sizing = await run(['shards', '--stream', stream, '--mib-per-second', '6']);
      expect(sizing.stdout).toMatch(/Shards needed: 6/);
      expect(sizing.stdout).toMatch(/4 open shard\(s\); scale up from 4 to 6 shards/);

      const unknown = await run(['scale', uniqueName('no-such-stream'), '--to', '2']);
      expect(unknown.code).toBe(1);
      expect(unknown.stderr).toMatch(/CLI_STREAM_NOT_FOUND/);
    });
  },
);
