/**
 * The soak's consumer workers: a fixed number of slots, each running one worker process at a time.
 * A killed (or crashed) worker is replaced at once by a new process with a new worker id, as a
 * supervisor restarts a crashed container. Also reads what every process logged (delivery-log.ts).
 */
import { join } from 'node:path';
import { type LogLine, LogReader } from './delivery-log.js';
import { pick, workerSeed } from './fault-plan.js';
import { heldLeases } from './lease-holdings.js';
import { WorkerProcess } from './worker-process.js';
import type { WorkerConfig } from './worker-protocol.js';

export type FleetWorkerConfig = Omit<WorkerConfig, 'workerId' | 'logFile' | 'faultSeed'>;

export interface FleetSettings {
  readonly slots: number;
  readonly logDir: string;
  readonly seed: number;
  readonly worker: FleetWorkerConfig;
  /** Crashed workers (not killed by the soak) replaced at most this many times in all. */
  readonly maxCrashRestarts: number;
}

/** A worker that ended without being killed or stopped by the soak. */
export interface CrashRecord {
  readonly workerId: string;
  readonly code: number | null;
  readonly signal: string | null;
  readonly output: string;
}

export class WorkerFleet {
  /** Every process started, in start order. */
  readonly processes: WorkerProcess[] = [];
  /** Worker ids killed with SIGKILL by the soak. */
  readonly killed = new Set<string>();
  readonly crashes: CrashRecord[] = [];
  /** Every line logged so far, in read order. */
  readonly lines: LogLine[] = [];
  private readonly current = new Map<number, WorkerProcess>();
  private readonly incarnations = new Map<number, number>();
  private readonly readers: LogReader[] = [];
  private stopping = false;

  constructor(private readonly settings: FleetSettings) {}

  /** Starts every slot's first process; resolves once all of them have started. */
  async start(): Promise<void> {
    for (let slot = 1; slot <= this.settings.slots; slot++) this.spawn(slot);
    await Promise.all([...this.current.values()].map((worker) => worker.started));
  }

  /** The processes that have started and are neither killed nor stopping. */
  running(): WorkerProcess[] {
    return [...this.current.values()].filter((worker) => worker.state === 'running');
  }

  /** SIGKILLs a random running worker and starts its replacement; undefined when none is running. */
  async killRandom(random: () => number): Promise<{ killed: string; replacement: string } | undefined> {
    const victim = pick(this.running(), random);
    if (!victim) return undefined;
    this.killed.add(victim.workerId);
    await victim.kill();
    const replacement = this.spawn(victim.slot);
    return { killed: victim.workerId, replacement: replacement.workerId };
  }

  /** Fails every lease-table write of a random running worker for `durationMs`. */
  outage(random: () => number, durationMs: number): string | undefined {
    const victim = pick(this.running(), random);
    victim?.send({ type: 'outage', durationMs });
    return victim?.workerId;
  }

  /** Makes every lease-table call of a random running worker that holds leases hang from now on. */
  hangLeaseTable(random: () => number): WorkerProcess | undefined {
    this.poll();
    const held = heldLeases(this.lines);
    const victim = pick(
      this.running().filter((worker) => (held.get(worker.workerId)?.size ?? 0) > 0),
      random,
    );
    victim?.send({ type: 'hang-lease-table' });
    return victim;
  }

  /** Reads what the workers logged since the last call. */
  poll(): LogLine[] {
    const fresh = this.readers.flatMap((reader) => reader.readNew());
    for (const line of fresh) this.lines.push(line);
    return fresh;
  }

  /** Stops every live process gracefully, each within `timeoutMs` (then SIGKILL). */
  async stop(timeoutMs: number): Promise<void> {
    this.stopping = true;
    await Promise.all(this.processes.map((worker) => worker.stop(timeoutMs)));
  }

  /** The processes whose graceful stop did not finish in time. */
  stopTimeouts(): string[] {
    return this.processes.filter((worker) => worker.stopTimedOut).map((worker) => worker.workerId);
  }

  /** Processes that stopped gracefully. */
  stoppedGracefully(): number {
    return this.processes.filter((worker) => worker.state === 'stopped').length;
  }

  /** Kills every live process at once (the run's hard time limit). */
  killAll(): void {
    this.stopping = true;
    for (const worker of this.processes) void worker.kill();
  }

  /** Log files that end with a line cut short by a SIGKILL (a batch that was not checkpointed). */
  cutLines(): number {
    return this.readers.filter((reader) => reader.endsWithCutLine).length;
  }

  /** Lines that were not JSON (should be none). */
  unreadableLines(): number {
    return this.readers.reduce((sum, reader) => sum + reader.unreadable, 0);
  }

  private spawn(slot: number): WorkerProcess {
    const incarnation = (this.incarnations.get(slot) ?? 0) + 1;
    this.incarnations.set(slot, incarnation);
    const workerId = `w${slot}.${incarnation}`;
    const logFile = join(this.settings.logDir, `${workerId}.jsonl`);
    const config: WorkerConfig = {
      ...this.settings.worker,
      workerId,
      logFile,
      faultSeed: workerSeed(this.settings.seed, slot, incarnation),
    };
    const worker = new WorkerProcess(slot, config, (ended) => this.onExit(ended));
    this.processes.push(worker);
    this.current.set(slot, worker);
    this.readers.push(new LogReader(logFile));
    return worker;
  }

  private onExit(worker: WorkerProcess): void {
    if (this.stopping || worker.state !== 'exited') return;
    this.crashes.push({
      workerId: worker.workerId,
      code: worker.exit?.code ?? null,
      signal: worker.exit?.signal ?? null,
      output: worker.errorOutput().slice(-1_000),
    });
    if (this.crashes.length <= this.settings.maxCrashRestarts && this.current.get(worker.slot) === worker) {
      this.spawn(worker.slot);
    }
  }
}
