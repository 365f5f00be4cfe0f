/**
 * Integration-test support: the run's local stack, streams deleted after each test, and the CLI run
 * in process against it through the same environment variables an operator would export.
 */
import type { KinesisTransport, LocalStackConnection } from '@kinesis-ts/local';
import { useLocalStack } from '@kinesis-ts/local/vitest';
import { afterEach } from 'vitest';
import { runCli } from '../src/index.js';

export { useLocalStack };

/** `createStream` that deletes the stream after the test (the emulator caps open shards per account). */
export function useTestStreams(
  local: LocalStackConnection,
): (name: string, shardCount: number) => Promise<string> {
  const created: string[] = [];
  afterEach(async () => {
    await Promise.all(created.splice(0).map((name) => local.deleteStream(name, { timeoutMs: 20_000 })));
  });
  return async (name, shardCount) => {
    created.push(name);
    await local.createStream(name, shardCount);
    return name;
  };
}

/** The outcome of one CLI run. */
export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** The `--kinesis-http` flags that make the CLI speak `transport`. */
export function transportFlags(transport: KinesisTransport | undefined): string[] {
  return transport === 'http2' ? ['--kinesis-http', '2'] : [];
}

/**
 * Runs `kinesis-ts <argv>` in process against the local stack (AWS_ENDPOINT_URL_* in its
 * environment), its Kinesis calls over `transport` (HTTP/1.1 by default, as the CLI's own default).
 */
export async function cli(
  local: LocalStackConnection,
  argv: readonly string[],
  options: {
    stdin?: AsyncIterable<string | Uint8Array>;
    signal?: AbortSignal;
    transport?: KinesisTransport;
  } = {},
): Promise<CliRun> {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const code = await runCli([...argv, ...transportFlags(options.transport)], {
    stdout: (chunk) => stdout.push(chunk),
    stderr: (chunk) => stderr.push(chunk),
    env: local.environment(),
    stdin: options.stdin,
    signal: options.signal,
  });
  return { code, stdout: stdout.join(''), stderr: stderr.join('') };
}

/** Standard input made of these lines. */
export function stdinLines(lines: readonly string[]): AsyncIterable<string> {
  return {
    async *[Symbol.asyncIterator]() {
      // in uneven chunks, as a pipe delivers them
      const text = `${lines.join('\n')}\n`;
      for (let i = 0; i < text.length; i += 37) yield text.slice(i, i + 37);
    },
  };
}

/** The JSON lines of a `--json` tail. */
export function jsonLines<T = Record<string, unknown>>(stdout: string): T[] {
  return stdout
    .split('\n')
    .filter((line) => line.trim().length > 0)
    .map((line) => JSON.parse(line) as T);
}

/** Waits until `condition` holds, polling every 50 ms; throws with `what` after `timeoutMs`. */
export async function waitFor(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 15_000) {
  const started = Date.now();
  while (!(await condition())) {
    if (Date.now() - started > timeoutMs)
      throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
