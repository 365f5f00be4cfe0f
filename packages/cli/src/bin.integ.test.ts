import { execFile } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { KINESIS_TRANSPORTS, uniqueName } from '@kinesis-ts/local';
import { describe, expect, it } from 'vitest';
import { transportFlags, useLocalStack, useTestStreams } from '../test/harness.js';

const local = useLocalStack();
const createStream = useTestStreams(local);
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const run = promisify(execFile);

/** Runs the `kinesis-ts` bin (from source, through tsx) as a child process. */
async function bin(args: string[], input?: string) {
  const child = run(
    process.execPath,
    ['--import', 'tsx', '--conditions=kinesis-ts-source', join(root, 'src/bin.ts'), ...args],
    { cwd: root, env: { ...process.env, ...local.environment() }, timeout: 60_000 },
  );
  if (input !== undefined) {
    child.child.stdin?.end(input);
  } else {
    child.child.stdin?.end();
  }
  try {
    const { stdout, stderr } = await child;
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout: string; stderr: string };
    return { code: failed.code ?? -1, stdout: failed.stdout, stderr: failed.stderr };
  }
}

describe('the kinesis-ts bin as a child process', () => {
  it.each(KINESIS_TRANSPORTS)(
    'puts from a pipe and tails back through the environment the local stack prints, Kinesis over %s',
    async (transport) => {
      const stream = await createStream(uniqueName('cli-bin'), 1);
      const put = await bin(
        ['put', stream, '--partition-key', 'k', ...transportFlags(transport)],
        'first\nsecond\n',
      );
      expect(put.code).toBe(0);
      expect(put.stdout).toMatch(/Put 2 of 2 record\(s\)/);
      const tail = await bin(['tail', stream, ...transportFlags(transport)]);
      expect(tail.code).toBe(0);
      expect(
        tail.stdout
          .trim()
          .split('\n')
          .map((line) => line.split('  ').at(-1)),
      ).toEqual(['first', 'second']);
    },
  );

  it('exits 2 on a bad command line and 1 on a refused operation', async () => {
    const usage = await bin(['split', 'orders', '--bogus']);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/Unknown option '--bogus'/);
    const refused = await bin(['split', uniqueName('no-such-stream'), '--shard', 'shardId-000000000000']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/CLI_STREAM_NOT_FOUND/);
  });
});
