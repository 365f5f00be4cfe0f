import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KINESIS_TRANSPORTS, uniqueName } from '@kinesis-ts/local';
import { KinesisProducer } from '@kinesis-ts/producer';
import { describe, expect, it } from 'vitest';
import { cli, jsonLines, stdinLines, useLocalStack, useTestStreams } from '../../test/harness.js';

const local = useLocalStack();
const createStream = useTestStreams(local);

interface TailLine {
  shardId: string;
  partitionKey: string;
  data: string | null;
  aggregated: boolean;
  subSequenceNumber: number;
}

describe.each(KINESIS_TRANSPORTS)(
  'kinesis-ts put and tail on the local stack, Kinesis over %s',
  (transport) => {
    const run = (argv: readonly string[], options: Parameters<typeof cli>[2] = {}) =>
      cli(local, argv, { ...options, transport });

    it('puts lines from stdin through the producer and tails them back, deaggregated', async () => {
      const stream = await createStream(uniqueName('cli-put'), 2);
      const lines = Array.from({ length: 60 }, (_, i) => JSON.stringify({ id: i, tenant: `t${i % 3}` }));
      const put = await run(['put', stream, '--key-field', 'tenant'], { stdin: stdinLines(lines) });
      expect(put.stderr).toMatch(/put: 60 read/);
      expect(put.code).toBe(0);
      expect(put.stdout).toMatch(/Put 60 of 60 record\(s\) to/);

      const tail = await run(['tail', stream, '--json']);
      expect(tail.code).toBe(0);
      const records = jsonLines<TailLine>(tail.stdout);
      expect(records.map((r) => r.data).sort()).toEqual([...lines].sort());
      expect(records.some((r) => r.aggregated)).toBe(true); // the producer packed them; tail unpacked them
      expect(new Set(records.map((r) => r.partitionKey))).toEqual(new Set(['t0', 't1', 't2']));
      expect(tail.stderr).toMatch(/60 record\(s\)/);
    });

    it('puts a file, and tails with a partition-key filter, a record limit and a timestamp', async () => {
      const stream = await createStream(uniqueName('cli-tail'), 1);
      const file = join(tmpdir(), `${uniqueName('records')}.txt`);
      await writeFile(file, 'alpha\nbeta\n\ngamma\n');
      const put = await run(['put', stream, '--file', file, '--partition-key', 'k1', '--json']);
      expect(put.code).toBe(0);
      expect(JSON.parse(put.stdout)).toMatchObject({ read: 3, written: 3, failed: 0 });

      const producer = new KinesisProducer({
        streamName: stream,
        client: local.kinesisClient({ transport }),
      });
      await Promise.all(
        ['x', 'y', 'z'].map((d) => producer.put({ partitionKey: 'k2', data: new TextEncoder().encode(d) })),
      );
      await new Promise((resolve) => setTimeout(resolve, 1_200));
      const afterBoth = new Date();
      await new Promise((resolve) => setTimeout(resolve, 1_200));
      await producer.put({ partitionKey: 'k3', data: new TextEncoder().encode('late') });
      await producer.close();

      const human = await run(['tail', stream, '--partition-key', 'k2']);
      expect(
        human.stdout
          .trim()
          .split('\n')
          .map((line) => line.split('  ').at(-1)),
      ).toEqual(['x', 'y', 'z']);
      const limited = await run(['tail', stream, '--max-records', '2', '--json']);
      expect(jsonLines<TailLine>(limited.stdout).map((r) => r.data)).toEqual(['alpha', 'beta']);
      const recent = await run(['tail', stream, '--timestamp', afterBoth.toISOString(), '--json']);
      expect(jsonLines<TailLine>(recent.stdout).map((r) => r.data)).toEqual(['late']);
      const latest = await run(['tail', stream, '--from', 'LATEST', '--json']);
      expect(latest.stdout).toBe('');
    });

    it('follows a stream until the record limit, picking up records written after it started', async () => {
      const stream = await createStream(uniqueName('cli-follow'), 1);
      const following = run([
        'tail',
        stream,
        '--from',
        'LATEST',
        '--follow',
        '--max-records',
        '2',
        '--json',
        '--poll-interval-ms',
        '200',
      ]);
      await new Promise((resolve) => setTimeout(resolve, 800));
      await run(['put', stream, '--partition-key', 'p'], { stdin: stdinLines(['one', 'two', 'three']) });
      const result = await following;
      expect(result.code).toBe(0);
      expect(jsonLines<TailLine>(result.stdout).map((r) => r.data)).toEqual(['one', 'two']);
    });

    it('stops a put at Ctrl-C, sends what was read, says where it stopped and exits 130', async () => {
      const stream = await createStream(uniqueName('cli-put-int'), 1);
      const interrupt = new AbortController();
      const stdin: AsyncIterable<string> = {
        async *[Symbol.asyncIterator]() {
          for (let i = 1; i <= 10; i++) {
            if (i === 6) interrupt.abort(); // Ctrl-C after five lines were read
            yield `line-${i}\n`;
          }
        },
      };
      const put = await run(['put', stream, '--partition-key', 'k'], {
        stdin,
        signal: interrupt.signal,
      });
      expect(put.code).toBe(130);
      expect(put.stdout).toMatch(/Put 5 of 5 record\(s\) to/);
      expect(put.stderr).toMatch(
        /interrupted: 5 record\(s\) written, 0 failed, line 6 and the rest of the input not sent/,
      );
      const tail = await run(['tail', stream, '--json']);
      expect(jsonLines<TailLine>(tail.stdout).map((r) => r.data)).toEqual([
        'line-1',
        'line-2',
        'line-3',
        'line-4',
        'line-5',
      ]);

      const aborted = new AbortController();
      aborted.abort();
      const json = await run(['put', stream, '--json'], {
        stdin: stdinLines(['a', 'b']),
        signal: aborted.signal,
      });
      expect(json.code).toBe(130);
      expect(JSON.parse(json.stdout)).toMatchObject({
        read: 0,
        written: 0,
        interrupted: true,
        stoppedAtLine: 1,
      });
    });

    it('fails clearly on an unknown stream, a missing file and an unknown shard, writing nothing', async () => {
      const missing = uniqueName('no-such-stream');
      const tail = await run(['tail', missing]);
      expect(tail.code).toBe(1);
      expect(tail.stderr).toMatch(/Stream .* does not exist .*\[CLI_STREAM_NOT_FOUND\]/);
      const put = await run(['put', missing], { stdin: stdinLines(['a']) });
      expect(put.code).toBe(1);
      expect(put.stderr).toMatch(/CLI_STREAM_NOT_FOUND/);
      const stream = await createStream(uniqueName('cli-bad'), 1);
      const noFile = await run(['put', stream, '--file', '/nonexistent/records.txt']);
      expect(noFile.code).toBe(1);
      expect(noFile.stderr).toMatch(/Cannot read \/nonexistent\/records.txt \[CLI_INPUT_NOT_FOUND\]/);
      const noShard = await run(['tail', stream, '--shard', 'shardId-000000000007']);
      expect(noShard.stderr).toMatch(/CLI_SHARD_NOT_FOUND/);
      expect((await run(['tail', stream, '--json'])).stdout).toBe('');
    });
  },
);
