import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { ListStreamsCommand } from '@aws-sdk/client-kinesis';
import { ValidationError } from '@kinesis-ts/core';
import { describe, expect, it } from 'vitest';
import { isProcessAlive, waitFor } from '../test/helpers';
import { LOCAL_STACK_ERROR_CODES, LocalStackError } from './errors';
import { defaultEmulatorPath } from './kinesis-emulator';
import { startLocalStack } from './local-stack';
import { findFreePort, isPortAcceptingConnections } from './ports';

function listen(port: number, host?: string): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen({ port, host }, () => resolve(server));
  });
}

function close(server: Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}

/** A fake "emulator" script: a JS file the stack runs instead of kinesis-local's main.js. */
function fakeEmulator(source: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'kinesis-ts-local-'));
  const path = join(dir, 'main.js');
  writeFileSync(path, source);
  chmodSync(path, 0o644);
  return path;
}

async function expectNothingListening(ports: number[]): Promise<void> {
  for (const port of ports) expect(await isPortAcceptingConnections(port)).toBe(false);
}

async function startFailure(promise: Promise<unknown>): Promise<LocalStackError> {
  const error = await promise.then(
    () => {
      throw new Error('expected startLocalStack to fail');
    },
    (failure: unknown) => failure,
  );
  expect(error).toBeInstanceOf(LocalStackError);
  return error as LocalStackError;
}

describe('startLocalStack and stop()', () => {
  it('starts both services on free ports, answers, and stops leaving no process and no open port', async () => {
    const started = performance.now();
    const stack = await startLocalStack();
    const startMs = performance.now() - started;
    expect(stack.kinesisEndpoint).toBe(`http://127.0.0.1:${stack.kinesisPort}`);
    expect(stack.kinesisEmulatorPort).not.toBe(stack.kinesisPort);
    expect(stack.dynamoDbEndpoint).toBe(`http://127.0.0.1:${stack.dynamoDbPort}`);
    expect(stack.region).toBe('us-east-1');
    expect(stack.credentials).toEqual({ accessKeyId: 'local', secretAccessKey: 'local' });

    // Clients with open keep-alive connections: kinesis-local alone would wait ~30 s for them.
    const kinesis = stack.kinesisClient();
    const dynamoDb = stack.dynamoDbClient();
    expect((await kinesis.send(new ListStreamsCommand({}))).StreamNames).toEqual([]);
    expect((await dynamoDb.send(new ListTablesCommand({}))).TableNames).toEqual([]);
    expect(isProcessAlive(stack.kinesisPid)).toBe(true);

    const stopping = performance.now();
    await stack.stop();
    const stopMs = performance.now() - stopping;
    expect(stopMs).toBeLessThan(5_000);
    expect(isProcessAlive(stack.kinesisPid)).toBe(false);
    await expectNothingListening([
      stack.kinesisPort,
      stack.kinesisEmulatorPort,
      stack.kinesisTlsPort,
      stack.dynamoDbPort,
    ]);
    expect(await stack.kinesisExited).toEqual({ code: null, signal: 'SIGKILL' });
    await stack.stop(); // a second stop is a no-op
    console.info(`[measure] startLocalStack ${startMs.toFixed(0)} ms, stop ${stopMs.toFixed(0)} ms`);
  });

  it('uses fixed ports, a region and creates the streams option as ACTIVE streams', async () => {
    const [kinesisPort, kinesisTlsPort, dynamoDbPort] = [await findFreePort(), 0, 0];
    const stack = await startLocalStack({
      kinesisPort,
      kinesisTlsPort,
      dynamoDbPort,
      region: 'eu-west-1',
      streams: [
        { name: 'a', shardCount: 1 },
        { name: 'b', shardCount: 3 },
      ],
    });
    try {
      expect(stack.kinesisPort).toBe(kinesisPort);
      expect(stack.region).toBe('eu-west-1');
      const { StreamNames } = await stack.kinesisClient().send(new ListStreamsCommand({}));
      expect(StreamNames?.sort()).toEqual(['a', 'b']);
      expect(stack.environment()).toEqual({
        AWS_ENDPOINT_URL_KINESIS: stack.kinesisEndpoint,
        AWS_ENDPOINT_URL_DYNAMODB: stack.dynamoDbEndpoint,
        AWS_REGION: 'eu-west-1',
        AWS_ACCESS_KEY_ID: 'local',
        AWS_SECRET_ACCESS_KEY: 'local',
      });
    } finally {
      await stack.stop();
    }
  });

  it('rejects an unknown option, naming it, before starting anything', async () => {
    const error = await startLocalStack({ kinesisPrt: 4568 } as never).catch((failure: unknown) => failure);
    expect(error).toBeInstanceOf(ValidationError);
    expect(error).toMatchObject({ field: 'kinesisPrt', code: 'INVALID_OPTION' });
  });

  it('fails with LOCAL_STACK_PORT_IN_USE when the Kinesis port is taken, leaving nothing running', async () => {
    const port = await findFreePort();
    const blocker = await listen(port);
    try {
      const error = await startFailure(startLocalStack({ kinesisPort: port }));
      expect(error.code).toBe(LOCAL_STACK_ERROR_CODES.portInUse);
      expect(error.message).toContain(`Kinesis port ${port} (option kinesisPort) is already in use`);
    } finally {
      await close(blocker);
    }
  });

  it('fails with LOCAL_STACK_PORT_IN_USE when the DynamoDB port is taken', async () => {
    const port = await findFreePort();
    const blocker = await listen(port, '127.0.0.1');
    try {
      const error = await startFailure(startLocalStack({ dynamoDbPort: port }));
      expect(error.code).toBe(LOCAL_STACK_ERROR_CODES.portInUse);
      expect(error.component).toBe('dynamodb');
      expect(error.message).toContain('option dynamoDbPort');
    } finally {
      await close(blocker);
    }
  });

  it('reports a port the emulator itself could not bind (taken after the check) with its output', async () => {
    // The fake emulator fails the way kinesis-local does when its port is taken.
    const emulatorPath = fakeEmulator(
      "console.error('Error: listen EADDRINUSE: address already in use :::' + process.env.KINESIS_MOCK_PLAIN_PORT); process.exit(1);",
    );
    const error = await startFailure(startLocalStack({ emulatorPath }));
    expect(error.code).toBe(LOCAL_STACK_ERROR_CODES.portInUse);
    expect(error.output.join('\n')).toContain('EADDRINUSE');
  });

  it('picks new ports and tries again when a port it picked is taken before the emulator binds it', async () => {
    // First run: fail as kinesis-local does on a taken port. Second run: be the real emulator.
    const marker = join(mkdtempSync(join(tmpdir(), 'kinesis-ts-local-')), 'first-run-done');
    const realEmulator = defaultEmulatorPath();
    const emulatorPath = fakeEmulator(`
      const fs = require('node:fs');
      if (!fs.existsSync(${JSON.stringify(marker)})) {
        fs.writeFileSync(${JSON.stringify(marker)}, String(process.env.KINESIS_MOCK_PLAIN_PORT));
        console.error('Error: listen EADDRINUSE: address already in use');
        process.exit(1);
      }
      process.chdir(${JSON.stringify(dirname(realEmulator))});
      require(${JSON.stringify(realEmulator)});
    `);
    const stack = await startLocalStack({ emulatorPath });
    try {
      expect(readFileSync(marker, 'utf8')).not.toBe(String(stack.kinesisEmulatorPort));
      expect((await stack.kinesisClient().send(new ListStreamsCommand({}))).StreamNames).toEqual([]);
    } finally {
      await stack.stop();
    }
  });

  it('does not retry a port-in-use failure of a fixed port', async () => {
    // The emulator's plain port sits behind the front and is always picked by the stack; its TLS
    // port is the fixed one here, and the one it names.
    const emulatorPath = fakeEmulator(
      "console.error('Error: listen EADDRINUSE: address already in use :::' + process.env.KINESIS_MOCK_TLS_PORT); process.exit(1);",
    );
    const kinesisPort = await findFreePort();
    const kinesisTlsPort = await findFreePort([kinesisPort]);
    const error = await startFailure(startLocalStack({ emulatorPath, kinesisPort, kinesisTlsPort }));
    expect(error.code).toBe(LOCAL_STACK_ERROR_CODES.portInUse);
    expect(error.retryable).toBe(false);
  });

  it('fails with LOCAL_STACK_EMULATOR_NOT_FOUND for a missing emulator, and frees the DynamoDB port', async () => {
    const dynamoDbPort = await findFreePort();
    const error = await startFailure(
      startLocalStack({ emulatorPath: '/nonexistent/kinesis-local/main.js', dynamoDbPort }),
    );
    expect(error.code).toBe(LOCAL_STACK_ERROR_CODES.emulatorNotFound);
    expect(error.message).toContain('/nonexistent/kinesis-local/main.js');
    await expectNothingListening([dynamoDbPort]);
  });

  it('fails with LOCAL_STACK_EMULATOR_EXITED and the last output lines when the emulator dies at start', async () => {
    const emulatorPath = fakeEmulator(
      "console.log('booting'); console.error('fatal: broken config'); process.exit(3);",
    );
    const error = await startFailure(startLocalStack({ emulatorPath }));
    expect(error.code).toBe(LOCAL_STACK_ERROR_CODES.emulatorExited);
    expect(error.message).toContain('exit code 3');
    expect(error.output).toEqual(expect.arrayContaining(['booting', 'fatal: broken config']));
    expect(error.message).toContain('fatal: broken config');
  });

  it('fails with LOCAL_STACK_START_TIMEOUT when the emulator never answers, and kills it', async () => {
    const emulatorPath = fakeEmulator(
      "console.log('pid ' + process.pid + ' pretending to start'); setInterval(() => {}, 1000);",
    );
    const dynamoDbPort = await findFreePort();
    const error = await startFailure(startLocalStack({ emulatorPath, dynamoDbPort, startTimeoutMs: 1_000 }));
    expect(error.code).toBe(LOCAL_STACK_ERROR_CODES.startTimeout);
    expect(error.component).toBe('kinesis');
    expect(error.message).toContain('within 1000 ms (startTimeoutMs)');
    const pid = Number(/pid (\d+)/.exec(error.output.join('\n'))?.[1]);
    expect(pid).toBeGreaterThan(0);
    await waitFor(() => !isProcessAlive(pid), 3_000, 'the fake emulator to die');
    await expectNothingListening([dynamoDbPort]);
  });

  it('does not leave an orphan emulator when its parent process is SIGKILLed', async () => {
    const child = spawn(
      process.execPath,
      ['--conditions=kinesis-ts-source', '--import', 'tsx', 'test/fixtures/hold-stack.ts'],
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
    const exited = new Promise((resolve) => child.once('exit', resolve));
    try {
      await waitFor(
        () => stdout.includes('\n') || child.exitCode !== null,
        30_000,
        `the stack to start: ${stderr}`,
      );
      const info = JSON.parse(stdout.split('\n')[0]!) as {
        kinesisPid: number;
        kinesisPort: number;
        kinesisEmulatorPort: number;
        dynamoDbPort: number;
      };
      expect(isProcessAlive(info.kinesisPid)).toBe(true);
      expect(await isPortAcceptingConnections(info.kinesisPort)).toBe(true);

      child.kill('SIGKILL');
      await exited;
      const goneMs = await waitFor(
        () => !isProcessAlive(info.kinesisPid),
        5_000,
        'the orphaned emulator to die',
      );
      // The sockets of killed processes close as they exit; on a loaded machine give it a moment.
      for (const port of [info.kinesisPort, info.kinesisEmulatorPort, info.dynamoDbPort]) {
        await waitFor(async () => !(await isPortAcceptingConnections(port)), 3_000, `port ${port} to close`);
      }
      console.info(`[measure] emulator gone ${goneMs.toFixed(0)} ms after its parent was SIGKILLed`);
    } finally {
      child.kill('SIGKILL');
    }
  });
});
