import { type ChildProcess, spawn } from 'node:child_process';
import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { LocalStackError, LocalStackErrorCode } from './errors';
import { OutputBuffer } from './output-buffer';
import { WATCHDOG_SCRIPT } from './watchdog-script';

/** How the emulator process ended. */
export interface EmulatorExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** A running kinesis-local process (see {@link spawnKinesisEmulator}). */
export interface KinesisEmulatorProcess {
  /** The process id of the emulator. */
  readonly pid: number;
  /** The last lines it printed. */
  output(): string[];
  /** Whether it printed a line containing `text`. */
  printed(text: string): boolean;
  /** Resolves when the process has exited, for whatever reason. */
  readonly exited: Promise<EmulatorExit>;
  /** The exit, once it happened. */
  exit(): EmulatorExit | undefined;
  /**
   * Ends the process: closes its stdin (its watchdog then SIGKILLs it at once), and if it is still
   * running after `graceMs`, sends SIGKILL. Resolves once it has exited.
   */
  stop(graceMs: number): Promise<EmulatorExit>;
}

/** The `main.js` of the installed kinesis-local package. */
export function defaultEmulatorPath(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('kinesis-local/package.json')), 'main.js');
}

/** Resolves the emulator's path and checks it can be read; throws LOCAL_STACK_EMULATOR_NOT_FOUND. */
export async function locateEmulator(emulatorPath: string | undefined): Promise<string> {
  let path: string;
  try {
    path = emulatorPath ?? defaultEmulatorPath();
  } catch (cause) {
    throw new LocalStackError(
      'The Kinesis emulator was not found: the kinesis-local package is not installed (npm i -D kinesis-local)',
      { code: LocalStackErrorCode.EMULATOR_NOT_FOUND, component: 'kinesis', cause },
    );
  }
  try {
    await access(path, constants.R_OK);
  } catch (cause) {
    throw new LocalStackError(`The Kinesis emulator was not found: cannot read ${path}`, {
      code: LocalStackErrorCode.EMULATOR_NOT_FOUND,
      component: 'kinesis',
      cause,
    });
  }
  return path;
}

/**
 * Spawns kinesis-local (`node -e WATCHDOG_SCRIPT main.js`) with its folder as working directory (it
 * reads its TLS certificate `server.json` from there) and `env` as its only environment besides
 * PATH. Its output is kept, never printed. The process is in its own process group, so a Ctrl-C in
 * a terminal reaches only the parent, which stops it in order.
 */
export function spawnKinesisEmulator(options: {
  emulatorPath: string;
  nodePath: string;
  env: Record<string, string>;
  outputLines: number;
}): KinesisEmulatorProcess {
  const output = new OutputBuffer(options.outputLines);
  let child: ChildProcess;
  try {
    child = spawn(options.nodePath, ['-e', WATCHDOG_SCRIPT, options.emulatorPath, String(process.pid)], {
      cwd: dirname(options.emulatorPath),
      env: { PATH: process.env.PATH ?? '', ...options.env },
      stdio: ['pipe', 'pipe', 'pipe'],
      detached: true,
      windowsHide: true,
    });
  } catch (cause) {
    throw new LocalStackError(`The Kinesis emulator could not be spawned with ${options.nodePath}`, {
      code: LocalStackErrorCode.EMULATOR_EXITED,
      component: 'kinesis',
      cause,
    });
  }
  child.stdout?.on('data', (chunk: Buffer) => output.push(chunk));
  child.stderr?.on('data', (chunk: Buffer) => output.push(chunk));
  // A broken stdin pipe only means the process is gone; 'exit' reports that.
  child.stdin?.on('error', () => {});

  let exit: EmulatorExit | undefined;
  const exited = new Promise<EmulatorExit>((resolve) => {
    child.once('exit', (code, signal) => {
      exit = { code, signal };
      resolve(exit);
    });
    child.once('error', (error) => {
      output.push(`spawn failed: ${error.message}\n`);
      // 'exit' does not follow a spawn failure.
      if (child.pid === undefined) {
        exit = { code: null, signal: null };
        resolve(exit);
      }
    });
  });

  // If this process exits without stop() (process.exit, an uncaught error), end the emulator too.
  const onParentExit = () => {
    if (exit === undefined) child.kill('SIGKILL');
  };
  process.once('exit', onParentExit);
  void exited.then(() => process.off('exit', onParentExit));

  let stopping: Promise<EmulatorExit> | undefined;
  return {
    pid: child.pid ?? -1,
    output: () => output.lines(),
    printed: (text) => output.includes(text),
    exited,
    exit: () => exit,
    stop(graceMs) {
      stopping ??= (async () => {
        if (exit) return exit;
        child.stdin?.end();
        const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
        const result = await exited;
        clearTimeout(timer);
        return result;
      })();
      return stopping;
    },
  };
}
