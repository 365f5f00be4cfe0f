import { describe, expect, it } from 'vitest';
import type { CliClients } from './clients.js';
import { runCli } from './run-cli.js';

/** Clients that fail the test if a command reaches AWS. */
const noAws: CliClients = {
  kinesis: () => {
    throw new Error('no AWS call expected');
  },
  dynamoDb: () => {
    throw new Error('no AWS call expected');
  },
  describe: () => ({ kinesisEndpoint: '-', dynamoDbEndpoint: '-', region: '-' }),
  destroy: () => {},
};

async function run(...argv: string[]) {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const code = await runCli(argv, {
    stdout: (chunk) => stdout.push(chunk),
    stderr: (chunk) => stderr.push(chunk),
    clients: noAws,
  });
  return { code, stdout: stdout.join(''), stderr: stderr.join('') };
}

describe('kinesis-ts command line', () => {
  it('prints help and exits 0, also without a command', async () => {
    expect((await run('--help')).stdout).toMatch(/reset-checkpoint/);
    expect((await run('help', 'split')).stdout).toMatch(/midpoint/);
    expect((await run('tail', '--help')).stdout).toMatch(/--partition-key/);
    expect((await run()).code).toBe(0);
  });

  it('refuses unknown commands and flags with exit code 2, before any AWS call', async () => {
    const unknownCommand = await run('tial', 'orders');
    expect(unknownCommand.code).toBe(2);
    expect(unknownCommand.stderr).toMatch(/unknown command 'tial'/);
    const unknownFlag = await run('tail', 'orders', '--frm', 'LATEST');
    expect(unknownFlag.code).toBe(2);
    expect(unknownFlag.stderr).toMatch(/Unknown option '--frm'/);
  });

  it('refuses a reset without a target, or with two', async () => {
    const none = await run('reset-checkpoint', '--app', 'orders-app');
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/a target is required: --to TRIM_HORIZON\|LATEST, --timestamp/);
    const two = await run('reset-checkpoint', '--app', 'a', '--to', 'LATEST', '--timestamp', '1h');
    expect(two.stderr).toMatch(/give one target, not --to and --timestamp/);
    expect((await run('reset-checkpoint', '--app', 'a', '--to', 'SHARD_END')).stderr).toMatch(
      /TRIM_HORIZON or LATEST/,
    );
    expect((await run('reset-checkpoint', '--to', 'LATEST')).stderr).toMatch(
      /--app <application name> is required/,
    );
  });

  async function failingWith(error: unknown) {
    const stderr: string[] = [];
    const code = await runCli(
      ['shards', '--records-per-second', '10', '--record-bytes', '100', '--stream', 'orders'],
      {
        stdout: () => {},
        stderr: (chunk) => stderr.push(chunk),
        clients: {
          ...noAws,
          kinesis: () => {
            throw error;
          },
        },
      },
    );
    return { code, stderr: stderr.join('') };
  }

  it('says what to check when the client has no region, no credentials or no permission', async () => {
    const noRegion = await failingWith(new Error('Region is missing'));
    expect(noRegion.code).toBe(1);
    expect(noRegion.stderr).toContain('No AWS region: pass --region <region>, set AWS_REGION');
    expect(noRegion.stderr).toContain('[CLI_REGION_MISSING]');
    const noCredentials = await failingWith(
      Object.assign(new Error('Could not load credentials from any providers'), {
        name: 'CredentialsProviderError',
      }),
    );
    expect(noCredentials.stderr).toContain('no AWS credentials');
    const denied = await failingWith(
      Object.assign(new Error('User is not authorized to perform kinesis:ListShards'), {
        name: 'AccessDeniedException',
        $metadata: { httpStatusCode: 400 },
      }),
    );
    expect(denied.stderr).toContain('not authorized to perform kinesis:ListShards');
    expect(denied.stderr).toContain('check the IAM permissions');
  });

  it('says what to check when a kinesis-ts error was caused by the client setup', async () => {
    const wrapped = Object.defineProperty(
      Object.assign(new Error('The record was not written: the producer cannot write to the stream'), {
        code: 'CANNOT_WRITE_STREAM',
        retryable: false,
        cause: new Error('Region is missing'),
      }),
      Symbol.for('kinesis-ts.error'),
      { value: true },
    );
    const { stderr } = await failingWith(wrapped);
    expect(stderr).toContain('[CANNOT_WRITE_STREAM]');
    expect(stderr).toContain('check --region (or AWS_REGION)');
  });

  it('prints the code of a kinesis-ts error made by another copy of core (the consumer’s or producer’s own)', async () => {
    const foreign = Object.defineProperty(
      Object.assign(new Error('stream orders is gone'), { code: 'ADMIN_STREAM_NOT_FOUND', retryable: false }),
      Symbol.for('kinesis-ts.error'),
      { value: true },
    );
    const stderr: string[] = [];
    const code = await runCli(
      ['shards', '--records-per-second', '10', '--record-bytes', '100', '--stream', 'orders'],
      {
        stdout: () => {},
        stderr: (chunk) => stderr.push(chunk),
        clients: {
          ...noAws,
          kinesis: () => {
            throw foreign;
          },
        },
      },
    );
    expect(code).toBe(1);
    expect(stderr.join('')).toContain('stream orders is gone [ADMIN_STREAM_NOT_FOUND]');
  });

  it('refuses a --kinesis-http other than 1.1 or 2 with exit code 2', async () => {
    const bad = await run('shards', '--records-per-second', '100', '--kinesis-http', '3');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--kinesis-http must be 1.1 or 2, got '3'/);
    expect((await run('shards', '--records-per-second', '100', '--kinesis-http', '2')).code).toBe(0);
  });

  it('refuses malformed values', async () => {
    expect((await run('tail', 'orders', '--timestamp', 'yesterday')).stderr).toMatch(/ISO 8601/);
    expect((await run('tail', 'orders', '--sequence', '123')).stderr).toMatch(/exactly one --shard/);
    expect((await run('tail', 'orders', '--max-records=-3')).stderr).toMatch(/whole number/);
    expect((await run('scale', 'orders')).stderr).toMatch(/--to <shard count> is required/);
    expect((await run('merge', 'orders', '--shard', 'a')).stderr).toMatch(/exactly two --shard/);
    expect((await run('split', 'orders', '--shard', 'a', '--at', '1e5')).stderr).toMatch(
      /--at must be a hash key/,
    );
    expect((await run('shards')).code).toBe(2);
  });

  it('computes capacity without AWS, as a table or JSON', async () => {
    const text = await run(
      'shards',
      '--records-per-second',
      '100000',
      '--record-bytes',
      '1000',
      '--headroom',
      '0.2',
    );
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/Shards needed: 120/);
    const json = await run('shards', '--mib-per-second', '5', '--records-per-second', '1000', '--json');
    expect(JSON.parse(json.stdout)).toMatchObject({ requiredShards: 5, read: { exceeded: false } });
  });
});
