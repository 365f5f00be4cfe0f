import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { KinesisClient, ListStreamsCommand } from '@aws-sdk/client-kinesis';
import { describe, expect, it } from 'vitest';
import { isProcessAlive, waitFor } from '../test/helpers';
import { connectLocalStack } from './connection';
import { isPortAcceptingConnections } from './ports';

describe('the kinesis-ts-local CLI', () => {
  it('starts the stack with streams, prints an export block, and stops cleanly on SIGINT', async () => {
    const child = spawn(
      process.execPath,
      ['--conditions=kinesis-ts-source', '--import', 'tsx', 'src/cli.ts', '--stream', 'cli-orders:2'],
      { cwd: join(import.meta.dirname, '..'), stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      await waitFor(
        () => stdout.includes('Press Ctrl-C') || child.exitCode !== null,
        30_000,
        `the CLI: ${stderr}`,
      );
      const exportLine = stdout.split('\n').find((line) => line.startsWith('export '));
      const environment = Object.fromEntries(
        exportLine!
          .slice('export '.length)
          .split(' ')
          .map((pair) => pair.split('=') as [string, string]),
      );
      expect(Object.keys(environment)).toEqual([
        'AWS_ENDPOINT_URL_KINESIS',
        'AWS_ENDPOINT_URL_DYNAMODB',
        'AWS_REGION',
        'AWS_ACCESS_KEY_ID',
        'AWS_SECRET_ACCESS_KEY',
      ]);
      expect(stdout).toContain('cli-orders (2 shards, ACTIVE)');
      const kinesisPid = Number(/pid (\d+)/.exec(stdout)?.[1]);

      const connection = connectLocalStack({
        kinesisEndpoint: environment.AWS_ENDPOINT_URL_KINESIS!,
        dynamoDbEndpoint: environment.AWS_ENDPOINT_URL_DYNAMODB!,
      });
      const { StreamNames } = await connection.kinesisClient().send(new ListStreamsCommand({}));
      connection.close();
      expect(StreamNames).toEqual(['cli-orders']);
      // What a user does after pasting the export line: an SDK client with every default (HTTP/2).
      const saved = { ...process.env };
      Object.assign(process.env, environment);
      try {
        const kinesis = new KinesisClient({});
        expect((await kinesis.send(new ListStreamsCommand({}))).StreamNames).toEqual(['cli-orders']);
        kinesis.destroy();
      } finally {
        for (const name of Object.keys(environment)) {
          if (saved[name] === undefined) delete process.env[name];
          else process.env[name] = saved[name];
        }
      }
      expect(stdout).toContain('HTTP/1.1 and HTTP/2');

      child.kill('SIGINT');
      expect(await exited).toBe(0);
      expect(stdout).toMatch(/interrupted; stopped in \d+ ms/);
      expect(isProcessAlive(kinesisPid)).toBe(false);
      const kinesisPort = Number(new URL(environment.AWS_ENDPOINT_URL_KINESIS!).port);
      const dynamoDbPort = Number(new URL(environment.AWS_ENDPOINT_URL_DYNAMODB!).port);
      expect(await isPortAcceptingConnections(kinesisPort)).toBe(false);
      expect(await isPortAcceptingConnections(dynamoDbPort)).toBe(false);
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('enforces the service limits with --enforce-limits: the sixth ListStreams within a second is refused', async () => {
    const child = spawn(
      process.execPath,
      ['--conditions=kinesis-ts-source', '--import', 'tsx', 'src/cli.ts', '--enforce-limits'],
      { cwd: join(import.meta.dirname, '..'), stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      await waitFor(() => stdout.includes('Press Ctrl-C') || child.exitCode !== null, 30_000, 'the CLI');
      expect(stdout).toContain("Limits    the service's, enforced");
      const kinesisEndpoint = /Kinesis {3}(\S+)/.exec(stdout)![1]!;
      const connection = connectLocalStack({ kinesisEndpoint, dynamoDbEndpoint: 'http://127.0.0.1:1' });
      const kinesis = connection.kinesisClient({ maxAttempts: 1 });
      const outcomes = await Promise.allSettled(
        Array.from({ length: 6 }, () => kinesis.send(new ListStreamsCommand({}))),
      );
      connection.close();
      const refused = outcomes.filter((outcome) => outcome.status === 'rejected');
      expect(refused.map((outcome) => (outcome as PromiseRejectedResult).reason.name)).toEqual([
        'LimitExceededException',
      ]);
      child.kill('SIGINT');
      expect(await exited).toBe(0);
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('exits with 2 and the usage on an unknown flag', async () => {
    const child = spawn(
      process.execPath,
      ['--conditions=kinesis-ts-source', '--import', 'tsx', 'src/cli.ts', '--kinesis-prt', '1'],
      { cwd: join(import.meta.dirname, '..'), stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const code = await new Promise<number | null>((resolve) =>
      child.once('exit', (exitCode) => resolve(exitCode)),
    );
    expect(code).toBe(2);
    expect(stderr).toContain("Unknown option '--kinesis-prt'");
    expect(stderr).toContain('Usage: kinesis-ts-local');
  });

  it('exits with 2, naming the value, on a bad stream name, and starts nothing', async () => {
    const child = spawn(
      process.execPath,
      ['--conditions=kinesis-ts-source', '--import', 'tsx', 'src/cli.ts', '--stream', 'bad name!:2'],
      { cwd: join(import.meta.dirname, '..'), stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    const code = await new Promise<number | null>((resolve) =>
      child.once('exit', (exitCode) => resolve(exitCode)),
    );
    expect(code).toBe(2);
    expect(output).toContain('bad name!');
    expect(output).not.toContain('unexpected error');
    expect(output).not.toContain('started in'); // nothing was started
  });
});
