/** Starts `worker-process.ts` in a child process and follows what it reports. */
import { type ChildProcess, spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

export interface WorkerProcess {
  readonly child: ChildProcess;
  /** The leases it last reported holding. */
  held(): string[];
  /** Every record key it reported delivered. */
  keys(): string[];
  /** Resolves once the worker reported `started`. */
  readonly started: Promise<void>;
  /** SIGKILL, and resolves once the process is gone. */
  kill(): Promise<void>;
}

export function startWorkerProcess(config: object): WorkerProcess {
  const child = spawn(
    process.execPath,
    [
      '--conditions=kinesis-ts-source',
      '--import',
      'tsx',
      join(here, 'worker-process.ts'),
      JSON.stringify(config),
    ],
    { cwd: join(here, '..'), stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let held: string[] = [];
  const keys: string[] = [];
  let buffer = '';
  let stderr = '';
  let resolveStarted!: () => void;
  let rejectStarted!: (error: Error) => void;
  const started = new Promise<void>((resolve, reject) => {
    resolveStarted = resolve;
    rejectStarted = reject;
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  child.stdout?.on('data', (chunk: Buffer) => {
    buffer += chunk.toString();
    let newline = buffer.indexOf('\n');
    while (newline !== -1) {
      const line = buffer.slice(0, newline);
      buffer = buffer.slice(newline + 1);
      newline = buffer.indexOf('\n');
      const message = JSON.parse(line) as { type: string; leases?: string[]; keys?: string[] };
      if (message.type === 'started') resolveStarted();
      if (message.type === 'held') held = message.leases ?? [];
      if (message.type === 'records') keys.push(...(message.keys ?? []));
    }
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  void exited.then(() => rejectStarted(new Error(`worker exited before starting: ${stderr.slice(-2_000)}`)));
  return {
    child,
    held: () => held,
    keys: () => keys,
    started,
    kill: async () => {
      child.kill('SIGKILL');
      await exited;
    },
  };
}
