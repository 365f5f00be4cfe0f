/** Starts `worker.ts` in a child process, kills it, or stops it gracefully within a bounded time. */
import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { DriverMessage, WorkerConfig, WorkerMessage } from './worker-protocol.js';

const WORKER_FILE = fileURLToPath(new URL('./worker.ts', import.meta.url));
/** tsx's loader, resolved from this package, so the worker runs TypeScript like this process does. */
const TSX_LOADER = import.meta.resolve('tsx');

export type WorkerState = 'starting' | 'running' | 'killed' | 'stopping' | 'stopped' | 'exited';

export class WorkerProcess {
  readonly workerId: string;
  state: WorkerState = 'starting';
  /** How the process ended: exit code or signal. */
  exit: { readonly code: number | null; readonly signal: NodeJS.Signals | null } | undefined;
  /** The graceful stop did not finish in time and the process was killed. */
  stopTimedOut = false;
  /** How long the graceful stop took, until the process ended. */
  stopMs: number | undefined;
  readonly started: Promise<void>;
  readonly exited: Promise<void>;
  private readonly child: ChildProcess;
  private stderr = '';

  constructor(
    readonly slot: number,
    config: WorkerConfig,
    onExit: (worker: WorkerProcess) => void,
  ) {
    this.workerId = config.workerId;
    this.child = fork(WORKER_FILE, [JSON.stringify(config)], {
      execArgv: ['--conditions=kinesis-ts-source', '--import', TSX_LOADER],
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    });
    this.child.stderr?.on('data', (chunk: Buffer) => {
      this.stderr = (this.stderr + chunk.toString()).slice(-4_000);
    });
    let resolveStarted!: () => void;
    let rejectStarted!: (error: Error) => void;
    this.started = new Promise((resolve, reject) => {
      resolveStarted = resolve;
      rejectStarted = reject;
    });
    this.started.catch(() => {}); // observed by whoever awaits it
    this.child.on('message', (message: WorkerMessage) => {
      if (message.type === 'started' && this.state === 'starting') {
        this.state = 'running';
        resolveStarted();
      }
    });
    this.exited = new Promise((resolve) => {
      this.child.once('exit', (code, signal) => {
        this.exit = { code, signal };
        if (this.state === 'stopping' && code === 0) this.state = 'stopped';
        else if (this.state !== 'killed') this.state = 'exited';
        rejectStarted(new Error(`worker ${this.workerId} ended before it started (${code ?? signal})`));
        onExit(this);
        resolve();
      });
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get alive(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** The last 4 000 characters the worker wrote to stderr. */
  errorOutput(): string {
    return this.stderr;
  }

  send(message: DriverMessage): void {
    if (this.alive && this.child.connected) this.child.send(message);
  }

  /** SIGKILL: the worker dies at once, holding its leases, as a crashed machine would. */
  async kill(): Promise<void> {
    if (!this.alive) return;
    this.state = 'killed';
    this.child.kill('SIGKILL');
    await this.exited;
  }

  /** Asks for a graceful stop (final checkpoints, leases released); SIGKILL after `timeoutMs`. */
  async stop(timeoutMs: number): Promise<void> {
    if (!this.alive) return;
    this.state = 'stopping';
    const begin = Date.now();
    this.send({ type: 'stop' });
    const timer = setTimeout(() => {
      this.stopTimedOut = true;
      this.child.kill('SIGKILL');
    }, timeoutMs);
    await this.exited;
    clearTimeout(timer);
    this.stopMs = Date.now() - begin;
  }
}
