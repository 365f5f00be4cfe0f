/** Starts `worker.ts` in a child process and keeps what it reports. */
import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { RetrievalMode, ShardStatus, WorkerConfig, WorkerMessage } from './protocol.js';

export type WorkerState = 'starting' | 'running' | 'stopping' | 'stopped' | 'killed' | 'exited';

export interface WorkerListener {
  delivered(worker: WorkerHandle, ids: readonly string[]): void;
  lease(worker: WorkerHandle, event: 'taken' | 'lost' | 'released', leaseKey: string): void;
  shardEnded(worker: WorkerHandle, shardId: string, childShardIds: readonly string[]): void;
  exited(worker: WorkerHandle, code: number | null, signal: NodeJS.Signals | null): void;
}

const WORKER_FILE = fileURLToPath(new URL('./worker.ts', import.meta.url));
/** tsx's loader, resolved from this package, so the worker runs TypeScript like this process does. */
const TSX_LOADER = import.meta.resolve('tsx');

export class WorkerHandle {
  readonly label: string;
  readonly mode: RetrievalMode;
  state: WorkerState = 'starting';
  pid: number | undefined;
  leases: readonly string[] = [];
  duplicates = 0;
  records = 0;
  retrievalRetries = 0;
  processingRetries = 0;
  deliveredCount = 0;
  shards: Readonly<Record<string, ShardStatus>> = {};
  readonly logs: string[] = [];
  readonly started: Promise<void>;
  private readonly child: ChildProcess;
  private readonly exitedPromise: Promise<void>;
  private stderr = '';

  constructor(config: WorkerConfig, listener: WorkerListener) {
    this.label = config.label;
    this.mode = config.mode;
    this.child = fork(WORKER_FILE, [JSON.stringify(config)], {
      execArgv: ['--conditions=kinesis-ts-source', '--import', TSX_LOADER],
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    });
    this.pid = this.child.pid;
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
      switch (message.type) {
        case 'started':
          this.state = 'running';
          resolveStarted();
          break;
        case 'status':
          this.leases = message.leases;
          this.duplicates = message.duplicates;
          this.records = message.records;
          this.retrievalRetries = message.retrievalRetries;
          this.processingRetries = message.processingRetries;
          this.shards = message.shards;
          this.deliveredCount += message.delivered.length;
          if (message.delivered.length > 0) listener.delivered(this, message.delivered);
          break;
        case 'lease':
          listener.lease(this, message.event, message.leaseKey);
          break;
        case 'shard-ended':
          listener.shardEnded(this, message.shardId, message.childShardIds);
          break;
        case 'log':
          this.logs.push(`${message.level}: ${message.message}`);
          if (this.logs.length > 20) this.logs.shift();
          break;
        case 'stopped':
          this.state = 'stopped';
          break;
      }
    });
    this.exitedPromise = new Promise((resolve) => {
      this.child.once('exit', (code, signal) => {
        if (this.state !== 'killed' && this.state !== 'stopped') this.state = 'exited';
        this.leases = [];
        rejectStarted(
          new Error(`worker ${this.label} exited before it started (${code ?? signal})\n${this.stderr}`),
        );
        listener.exited(this, code, signal);
        resolve();
      });
    });
  }

  /** What the worker wrote to stderr last (for error reports). */
  errorOutput(): string {
    return this.stderr;
  }

  /** SIGKILL: the worker dies at once, holding its leases, as a crashed machine would. */
  async kill(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.state = 'killed';
    this.child.kill('SIGKILL');
    await this.exitedPromise;
  }

  /** Asks for a graceful stop (final checkpoints, leases released); SIGKILL after `timeoutMs`. */
  async stop(timeoutMs: number): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    if (this.state !== 'killed') this.state = 'stopping';
    if (this.child.connected) this.child.send({ type: 'stop' });
    const timer = setTimeout(() => this.child.kill('SIGKILL'), timeoutMs);
    await this.exitedPromise;
    clearTimeout(timer);
  }
}
